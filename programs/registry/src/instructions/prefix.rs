//! GS1 Company Prefixes: the registry authority licenses a prefix to a registered participant
//! and takes it back.

use crate::constants::{ACCOUNT_VERSION, PREFIX_LEN, SEED_PREFIX, SEED_REGISTRY};
use crate::error::RegistryError;
use crate::events::{PrefixAssigned, PrefixRevoked};
use crate::state::{prefix_digits, CompanyPrefix, Participant, RegistryConfig};
use anchor_lang::prelude::*;

#[derive(Accounts)]
#[instruction(prefix: [u8; PREFIX_LEN])]
pub struct AssignPrefix<'info> {
    #[account(seeds = [SEED_REGISTRY], bump = registry.bump, has_one = authority @ RegistryError::Unauthorized)]
    pub registry: Account<'info, RegistryConfig>,
    /// CHECK: created by the handler with `utils::pda` (works when somebody funded the address
    /// first); a prefix already licensed fails with `PrefixTaken`.
    #[account(mut, seeds = [SEED_PREFIX, prefix.as_ref()], bump)]
    pub company_prefix: UncheckedAccount<'info>,
    /// The holder's registry entry (it must be registered).
    pub holder_participant: Account<'info, Participant>,
    pub authority: Signer<'info>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl AssignPrefix<'_> {
    pub fn validate(&self, prefix: &[u8; PREFIX_LEN]) -> Result<()> {
        require_keys_neq!(
            *self.company_prefix.owner,
            crate::ID,
            RegistryError::PrefixTaken
        );
        prefix_digits(prefix)?;
        Ok(())
    }

    pub fn handler(ctx: Context<AssignPrefix>, prefix: [u8; PREFIX_LEN]) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let a = &ctx.accounts;
        let record = CompanyPrefix {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.company_prefix,
            len: prefix_digits(&prefix)? as u8,
            prefix,
            holder: a.holder_participant.wallet,
            assigned_by: a.authority.key(),
            assigned_at: now,
        };
        record.invariant()?;
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.company_prefix,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_PREFIX, prefix.as_ref(), &[record.bump]],
            &record,
        )?;
        caretrail_common::emit_event!(PrefixAssigned {
            company_prefix: a.company_prefix.key(),
            prefix,
            holder: record.holder,
            timestamp: now,
        });
        Ok(())
    }
}

/// The registry authority takes a prefix back (the record is closed, its rent to the
/// authority); units already on chain under it stay as they are.
#[derive(Accounts)]
pub struct RevokePrefix<'info> {
    #[account(seeds = [SEED_REGISTRY], bump = registry.bump, has_one = authority @ RegistryError::Unauthorized)]
    pub registry: Account<'info, RegistryConfig>,
    #[account(mut, close = authority)]
    pub company_prefix: Account<'info, CompanyPrefix>,
    #[account(mut)]
    pub authority: Signer<'info>,
}

impl RevokePrefix<'_> {
    pub fn handler(ctx: Context<RevokePrefix>) -> Result<()> {
        let p = &ctx.accounts.company_prefix;
        caretrail_common::emit_event!(PrefixRevoked {
            company_prefix: p.key(),
            prefix: p.prefix,
            holder: p.holder,
            timestamp: Clock::get()?.unix_timestamp,
        });
        Ok(())
    }
}
