use crate::constants::ACCOUNT_VERSION;
use crate::error::ConsentError;
use anchor_lang::prelude::*;

/// Program config PDA `["consent_config"]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct ConsentConfig {
    pub version: u8,
    pub bump: u8,
    /// Administrator of program-wide settings (may be a multisig vault).
    pub authority: Pubkey,
    pub created_at: i64,
}

impl ConsentConfig {
    /// Checked at the end of every instruction that mutates the config.
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ConsentError::InvariantViolation
        );
        require_keys_neq!(
            self.authority,
            Pubkey::default(),
            ConsentError::InvariantViolation
        );
        Ok(())
    }
}
