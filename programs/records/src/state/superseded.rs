use crate::constants::ACCOUNT_VERSION;
use crate::error::RecordsError;
use anchor_lang::prelude::*;

/// The link from an anchored version to its successor: PDA `["superseded", old batch, old
/// leaf]`. It exists once per version, so a version has one successor and the chain of a
/// record never forks.
#[account]
#[derive(InitSpace, Debug)]
pub struct Superseded {
    pub version: u8,
    pub bump: u8,
    pub record: [u8; 32],
    pub old_batch: Pubkey,
    pub old_leaf: [u8; 32],
    pub old_version: u32,
    pub new_batch: Pubkey,
    pub new_leaf: [u8; 32],
    pub new_version: u32,
    pub provider: Pubkey,
    pub superseded_at: i64,
}

impl Superseded {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            RecordsError::InvariantViolation
        );
        require!(
            self.old_version.checked_add(1) == Some(self.new_version),
            RecordsError::InvariantViolation
        );
        require!(
            self.old_leaf != self.new_leaf,
            RecordsError::InvariantViolation
        );
        Ok(())
    }
}
