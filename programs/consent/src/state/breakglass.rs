use crate::constants::{ACCOUNT_VERSION, MAX_EMERGENCY_SECONDS};
use crate::error::ConsentError;
use anchor_lang::prelude::*;

/// The last break-glass grant a provider opened for a patient: PDA
/// `["breakglass", patient, provider]`. A provider has at most one open emergency grant per
/// patient: a new one only once `expires_at` has passed.
#[account]
#[derive(InitSpace, Debug)]
pub struct BreakGlass {
    pub version: u8,
    pub bump: u8,
    pub patient: Pubkey,
    pub provider: Pubkey,
    /// The last emergency grant opened.
    pub grant: Pubkey,
    pub opened_at: i64,
    pub expires_at: i64,
    /// Emergency grants this provider opened for this patient.
    pub count: u32,
}

impl BreakGlass {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ConsentError::InvariantViolation
        );
        require!(
            self.expires_at > self.opened_at
                && self.expires_at - self.opened_at <= MAX_EMERGENCY_SECONDS,
            ConsentError::InvariantViolation
        );
        require_keys_neq!(
            self.patient,
            self.provider,
            ConsentError::InvariantViolation
        );
        require!(self.count > 0, ConsentError::InvariantViolation);
        Ok(())
    }
}
