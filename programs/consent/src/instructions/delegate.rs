use crate::constants::{ACCOUNT_VERSION, SEED_DELEGATE};
use crate::error::ConsentError;
use crate::events::{DelegateRemoved, DelegateSet};
use crate::state::{Delegate, Scope};
use crate::utils::now;
use anchor_lang::prelude::*;

/// The patient names (or re-scopes) a guardian with its own scope and expiry.
#[derive(Accounts)]
pub struct SetDelegate<'info> {
    #[account(
        init_if_needed,
        payer = patient,
        space = 8 + Delegate::INIT_SPACE,
        seeds = [SEED_DELEGATE, patient.key().as_ref(), guardian.key().as_ref()],
        bump
    )]
    pub delegate: Account<'info, Delegate>,
    #[account(mut)]
    pub patient: Signer<'info>,
    /// CHECK: only the guardian's key (a seed); it signs when it acts.
    pub guardian: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SetDelegate<'_> {
    pub fn validate(&self, scope: &Scope, expires_at: i64) -> Result<()> {
        require!(scope.is_valid(), ConsentError::InvalidScope);
        require!(expires_at > now()?, ConsentError::InvalidPeriod);
        require_keys_neq!(
            self.guardian.key(),
            self.patient.key(),
            ConsentError::SelfGrant
        );
        Ok(())
    }

    pub fn handler(ctx: Context<SetDelegate>, scope: Scope, expires_at: i64) -> Result<()> {
        let now = now()?;
        let created_at = if ctx.accounts.delegate.version == 0 {
            now
        } else {
            ctx.accounts.delegate.created_at
        };
        let delegate = &mut ctx.accounts.delegate;
        delegate.set_inner(Delegate {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.delegate,
            scope,
            patient: ctx.accounts.patient.key(),
            guardian: ctx.accounts.guardian.key(),
            expires_at,
            created_at,
        });
        delegate.invariant()?;
        registry::emit_event!(DelegateSet {
            delegate: delegate.key(),
            patient: delegate.patient,
            guardian: delegate.guardian,
            scope,
            expires_at,
            timestamp: now,
        });
        Ok(())
    }
}

/// The patient removes a guardian (and takes back the rent).
#[derive(Accounts)]
pub struct RemoveDelegate<'info> {
    #[account(mut, close = patient, has_one = patient @ ConsentError::Unauthorized)]
    pub delegate: Account<'info, Delegate>,
    #[account(mut)]
    pub patient: Signer<'info>,
}

impl RemoveDelegate<'_> {
    pub fn handler(ctx: Context<RemoveDelegate>) -> Result<()> {
        let d = &ctx.accounts.delegate;
        registry::emit_event!(DelegateRemoved {
            delegate: d.key(),
            patient: d.patient,
            guardian: d.guardian,
            timestamp: now()?
        });
        Ok(())
    }
}
