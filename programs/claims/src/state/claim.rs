use crate::constants::ACCOUNT_VERSION;
use crate::error::ClaimsError;
use crate::math::SafeMath;
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

/// A claim: PDA `["claim", payer, provider, claim_id_hash]`, so a provider's claim id reaches
/// a payer once and no other provider can take it. The consent grant and the dispensed unit it
/// names are checked at submission and kept here (a unit backs at most one live claim).
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
    /// The HPAYMT consent grant the claim names (default when none).
    pub consent_grant: Pubkey,
    /// The dispensed custody unit the claim names (default when none).
    pub unit: Pubkey,
}

impl Claim {
    pub const STATUS_OFFSET: usize = 10;
    pub const PAYER_OFFSET: usize = 15;
    pub const PROVIDER_OFFSET: usize = 47;

    /// Not voided or reversed: what it approved is charged to its coverage, and the unit it
    /// names is taken.
    pub fn is_live(&self) -> bool {
        !matches!(self.status, ClaimStatus::Voided | ClaimStatus::Reversed)
    }

    pub fn is_decided(&self) -> bool {
        matches!(
            self.status,
            ClaimStatus::Approved | ClaimStatus::PartiallyApproved | ClaimStatus::Denied
        )
    }

    /// Takes back from `coverage` what this claim's decision charged to it (plan liability
    /// and the member's deductible share). The one way a void, a replacement, a reversal and a
    /// re-adjudication release a coverage; the claim keeps its amounts as the record and leaves
    /// the charged states (it ends Voided or Reversed, or is decided anew).
    pub fn release(&self, coverage: &mut Account<crate::state::Coverage>) -> Result<()> {
        require_keys_eq!(
            self.coverage,
            coverage.key(),
            crate::error::ClaimsError::CoverageMismatch
        );
        coverage.used = coverage.used.safe_sub(self.approved)?;
        coverage.deductible_met = coverage.deductible_met.safe_sub(self.patient_share)?;
        coverage.invariant()
    }

    /// Voids this claim (a `void`, or the original of a replacement): what it charged to
    /// `coverage` is released, `payer` no longer owes it, and it ends `Voided`.
    pub fn void(
        &mut self,
        coverage: &mut Account<crate::state::Coverage>,
        payer: &mut crate::state::Payer,
        now: i64,
    ) -> Result<()> {
        self.release(coverage)?;
        payer.settle(self.approved)?;
        payer.invariant()?;
        self.status = ClaimStatus::Voided;
        self.updated_at = now;
        self.invariant()
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
