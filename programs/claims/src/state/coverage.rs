use crate::constants::ACCOUNT_VERSION;
use crate::error::ClaimsError;
use anchor_lang::prelude::*;

/// A member's enrolment: PDA `["coverage", payer, member_commitment]`, signed by the patient
/// and the payer. The member id stays off chain (`member_commitment = sha256(salt ‖ id)`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Coverage {
    pub version: u8,
    pub bump: u8,
    pub payer: Pubkey,
    pub patient: Pubkey,
    pub member_commitment: [u8; 32],
    pub period_start: i64,
    pub period_end: i64,
    /// Most the plan pays in the period.
    pub annual_max: u64,
    pub deductible: u64,
    /// Plan liability accrued by approvals (net of reversals).
    pub used: u64,
    /// Deductible the member has met.
    pub deductible_met: u64,
}

impl Coverage {
    pub const PAYER_OFFSET: usize = 10;
    pub const PATIENT_OFFSET: usize = 42;

    pub fn is_active(&self, now: i64) -> bool {
        now >= self.period_start && now < self.period_end
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ClaimsError::InvariantViolation
        );
        require_gte!(self.annual_max, self.used, ClaimsError::InvariantViolation);
        require_gte!(
            self.deductible,
            self.deductible_met,
            ClaimsError::InvariantViolation
        );
        require!(
            self.period_end > self.period_start,
            ClaimsError::InvariantViolation
        );
        Ok(())
    }
}
