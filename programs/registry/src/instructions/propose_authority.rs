use crate::constants::SEED_REGISTRY;
use crate::error::RegistryError;
use crate::events::AuthorityProposed;
use crate::state::RegistryConfig;
use anchor_lang::prelude::*;

/// First step of the authority handover. Proposing `Pubkey::default()` cancels a pending one.
#[derive(Accounts)]
pub struct ProposeAuthority<'info> {
    #[account(mut, seeds = [SEED_REGISTRY], bump = registry.bump, has_one = authority @ RegistryError::Unauthorized)]
    pub registry: Account<'info, RegistryConfig>,
    pub authority: Signer<'info>,
}

impl ProposeAuthority<'_> {
    pub fn validate(&self, new_authority: &Pubkey) -> Result<()> {
        require_keys_neq!(
            *new_authority,
            self.registry.authority,
            RegistryError::AuthorityUnchanged
        );
        Ok(())
    }

    pub fn handler(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let registry = &mut ctx.accounts.registry;
        registry.pending_authority = new_authority;
        registry.updated_at = now.max(registry.updated_at);
        registry.invariant()?;
        caretrail_common::emit_event!(AuthorityProposed {
            authority: registry.authority,
            pending_authority: new_authority,
            timestamp: now,
        });
        Ok(())
    }
}
