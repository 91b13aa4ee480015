use crate::constants::ACCOUNT_VERSION;
use crate::error::ConsentError;
use anchor_lang::prelude::*;

/// Per-patient counters: PDA `["patient", patient]`. Break-glass accesses are counted here
/// until the patient reviews them.
#[account]
#[derive(InitSpace, Debug)]
pub struct PatientRecord {
    pub version: u8,
    pub bump: u8,
    pub patient: Pubkey,
    pub emergency_count: u32,
    pub unreviewed_emergencies: u32,
    pub last_emergency_at: i64,
}

impl PatientRecord {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ConsentError::InvariantViolation
        );
        require_gte!(
            self.emergency_count,
            self.unreviewed_emergencies,
            ConsentError::InvariantViolation
        );
        Ok(())
    }
}
