use crate::constants::{ACCOUNT_VERSION, SEED_REGISTRY};
use crate::error::RegistryError;
use crate::events::RegistryInitialized;
use crate::state::RegistryConfig;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct Initialize<'info> {
    /// CHECK: created by the handler with `utils::pda` (works when somebody funded the address
    /// first); a second initialization fails with `AlreadyInitialized`.
    #[account(mut, seeds = [SEED_REGISTRY], bump)]
    pub registry: UncheckedAccount<'info>,
    /// The first authority; pays for the config account. Must be the program's upgrade
    /// authority when the program is deployed with the upgradeable loader, so nobody can
    /// front-run the initialization of a fresh deployment.
    #[account(mut)]
    pub authority: Signer<'info>,
    pub program: Program<'info, crate::program::Registry>,
    /// The program's ProgramData account (upgradeable loader only).
    pub program_data: Option<Account<'info, ProgramData>>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    pub fn validate(&self) -> Result<()> {
        require_keys_neq!(
            *self.registry.owner,
            crate::ID,
            RegistryError::AlreadyInitialized
        );
        // Deployed with the upgradeable loader: only its upgrade authority may initialize, so
        // nobody can front-run the initialization of a fresh deployment. Otherwise (a native
        // processor in a test bank, or an immutable loader-v2 deployment on a local validator)
        // the first caller wins, so such deployments must initialize as they deploy.
        if let Some(expected) = self.program.programdata_address()? {
            let program_data = self
                .program_data
                .as_ref()
                .ok_or(RegistryError::InitNotAllowed)?;
            require_keys_eq!(program_data.key(), expected, RegistryError::InitNotAllowed);
            require!(
                program_data.upgrade_authority_address == Some(self.authority.key()),
                RegistryError::InitNotAllowed
            );
        }
        Ok(())
    }

    pub fn handler(ctx: Context<Initialize>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bump = ctx.bumps.registry;
        let registry = RegistryConfig {
            version: ACCOUNT_VERSION,
            bump,
            authority: ctx.accounts.authority.key(),
            pending_authority: Pubkey::default(),
            participant_count: 0,
            revoked_count: 0,
            created_at: now,
            updated_at: now,
        };
        registry.invariant()?;
        let a = &ctx.accounts;
        caretrail_common::pda::init_account(
            &a.authority.to_account_info(),
            &a.registry.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_REGISTRY, &[bump]],
            &registry,
        )?;
        caretrail_common::emit_event!(RegistryInitialized {
            registry: a.registry.key(),
            authority: registry.authority,
            timestamp: now,
        });
        Ok(())
    }
}
