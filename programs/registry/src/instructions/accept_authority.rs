use crate::constants::SEED_REGISTRY;
use crate::error::RegistryError;
use crate::events::AuthorityAccepted;
use crate::state::RegistryConfig;
use anchor_lang::prelude::*;

/// Second step of the authority handover: the proposed key (e.g. a multisig vault) signs.
#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    #[account(mut, seeds = [SEED_REGISTRY], bump = registry.bump)]
    pub registry: Account<'info, RegistryConfig>,
    pub new_authority: Signer<'info>,
}

impl AcceptAuthority<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.registry.has_pending_authority(),
            RegistryError::NoPendingAuthority
        );
        require_keys_eq!(
            self.new_authority.key(),
            self.registry.pending_authority,
            RegistryError::NotPendingAuthority
        );
        Ok(())
    }

    pub fn handler(ctx: Context<AcceptAuthority>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let registry = &mut ctx.accounts.registry;
        let previous_authority = registry.authority;
        registry.authority = registry.pending_authority;
        registry.pending_authority = Pubkey::default();
        registry.updated_at = now.max(registry.updated_at);
        registry.invariant()?;
        caretrail_common::emit_event!(AuthorityAccepted {
            previous_authority,
            authority: registry.authority,
            timestamp: now,
        });
        Ok(())
    }
}
