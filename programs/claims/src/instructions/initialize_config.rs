use crate::constants::{ACCOUNT_VERSION, SEED_CONFIG};
use crate::events::ClaimsConfigInitialized;
use crate::state::ClaimsConfig;
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct InitializeConfig<'info> {
    #[account(init, payer = authority, space = 8 + ClaimsConfig::INIT_SPACE, seeds = [SEED_CONFIG], bump)]
    pub config: Account<'info, ClaimsConfig>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl InitializeConfig<'_> {
    pub fn handler(ctx: Context<InitializeConfig>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let config = &mut ctx.accounts.config;
        config.set_inner(ClaimsConfig {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.config,
            authority: ctx.accounts.authority.key(),
            created_at: now,
        });
        config.invariant()?;
        registry::emit_event!(ClaimsConfigInitialized {
            config: config.key(),
            authority: config.authority,
            timestamp: now,
        });
        Ok(())
    }
}
