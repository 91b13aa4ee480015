use crate::constants::ACCOUNT_VERSION;
use crate::error::CustodyError;
use anchor_lang::prelude::*;

/// Program config PDA `["custody_config"]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct CustodyConfig {
    pub version: u8,
    pub bump: u8,
    /// Administrator of program-wide settings (may be a multisig vault).
    pub authority: Pubkey,
    pub created_at: i64,
}

impl CustodyConfig {
    /// Checked at the end of every instruction that mutates the config.
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require_keys_neq!(
            self.authority,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        Ok(())
    }
}
