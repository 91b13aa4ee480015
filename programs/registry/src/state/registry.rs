use crate::constants::ACCOUNT_VERSION;
use crate::error::RegistryError;
use anchor_lang::prelude::*;

/// Singleton config PDA `["registry"]`.
///
/// The authority may be a multisig vault (e.g. a Squads vault PDA): it only ever needs to sign,
/// and it changes through a two-step handover (`propose_authority` by the current authority,
/// `accept_authority` by the new one), so a typo can never lock the registry.
#[account]
#[derive(InitSpace, Debug)]
pub struct RegistryConfig {
    /// Layout version ([`ACCOUNT_VERSION`]).
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    /// Who registers, updates, suspends, reinstates and revokes participants.
    pub authority: Pubkey,
    /// Proposed next authority; `Pubkey::default()` when no handover is pending.
    pub pending_authority: Pubkey,
    /// Participants ever registered (never decreases).
    pub participant_count: u64,
    /// Participants currently revoked.
    pub revoked_count: u64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl RegistryConfig {
    pub fn has_pending_authority(&self) -> bool {
        self.pending_authority != Pubkey::default()
    }

    /// Checked at the end of every instruction that mutates the registry.
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            RegistryError::InvariantViolation
        );
        require_keys_neq!(
            self.authority,
            Pubkey::default(),
            RegistryError::InvariantViolation
        );
        require_keys_neq!(
            self.authority,
            self.pending_authority,
            RegistryError::InvariantViolation
        );
        require_gte!(
            self.participant_count,
            self.revoked_count,
            RegistryError::InvariantViolation
        );
        require_gte!(
            self.updated_at,
            self.created_at,
            RegistryError::InvariantViolation
        );
        Ok(())
    }
}
