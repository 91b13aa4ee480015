use crate::constants::ACCOUNT_VERSION;
use crate::error::ClaimsError;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ClaimStatus {
    Submitted,
    InReview,
    Approved,
    PartiallyApproved,
    Denied,
    Paid,
    Appealed,
    Voided,
    Reversed,
}

/// A claim: PDA `["claim", payer, sha256(claim id)]`, so a claim id reaches a payer once.
/// 199 bytes of data (budget 200): the claim id hash is the seed, the consent grant, unit and
/// replaced claim are checked at submission and carried by the event.
#[account]
#[derive(InitSpace, Debug)]
pub struct Claim {
    pub version: u8,
    pub bump: u8,
    pub status: ClaimStatus,
    /// X12 837 CLM05-3 (1 original, 7 replacement, 8 void).
    pub frequency: u8,
    /// CARC reason of the last decision (0 when none).
    pub carc: u16,
    pub appeal_count: u8,
    pub payer: Pubkey,
    pub provider: Pubkey,
    pub coverage: Pubkey,
    /// sha256 of the claim document (FHIR Claim / X12 837), kept off chain.
    pub document_hash: [u8; 32],
    pub billed: u64,
    /// What the plan owes after deductible and benefit maximum.
    pub approved: u64,
    pub paid: u64,
    /// The member's share (deductible) of the allowed amount.
    pub patient_share: u64,
    pub submitted_at: i64,
    pub decided_at: i64,
    pub updated_at: i64,
}

impl Claim {
    pub const STATUS_OFFSET: usize = 10;
    pub const PAYER_OFFSET: usize = 15;
    pub const PROVIDER_OFFSET: usize = 47;

    pub fn is_decided(&self) -> bool {
        matches!(
            self.status,
            ClaimStatus::Approved | ClaimStatus::PartiallyApproved | ClaimStatus::Denied
        )
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ClaimsError::InvariantViolation
        );
        // paid ≤ approved ≤ billed.
        require_gte!(self.billed, self.approved, ClaimsError::InvariantViolation);
        require_gte!(self.approved, self.paid, ClaimsError::InvariantViolation);
        if self.status == ClaimStatus::Paid {
            require_eq!(self.paid, self.approved, ClaimsError::InvariantViolation);
        }
        Ok(())
    }
}
