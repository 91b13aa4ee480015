use crate::constants::{ACCOUNT_VERSION, SEED_DELEGATE};
use crate::error::ConsentError;
use crate::events::{DelegateRemoved, DelegateSet};
use crate::state::{Delegate, Scope};
use crate::utils::now;
use anchor_lang::prelude::*;
use caretrail_common::pda::{init_account, load_if_exists, write_account};

/// The patient names (or re-scopes) a guardian with its own scope and expiry.
#[derive(Accounts)]
pub struct SetDelegate<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first), or read and re-scoped when it exists.
    #[account(mut, seeds = [SEED_DELEGATE, patient.key().as_ref(), guardian.key().as_ref()], bump)]
    pub delegate: UncheckedAccount<'info>,
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
        let a = &ctx.accounts;
        let existing = load_if_exists::<Delegate>(&a.delegate, &crate::ID)?;
        let (patient, guardian, bump) = (a.patient.key(), a.guardian.key(), ctx.bumps.delegate);
        let delegate = Delegate {
            version: ACCOUNT_VERSION,
            bump,
            scope,
            patient,
            guardian,
            expires_at,
            created_at: existing.as_ref().map_or(now, |d| d.created_at),
        };
        delegate.invariant()?;
        if existing.is_some() {
            write_account(&a.delegate, &delegate)?;
        } else {
            init_account(
                &a.patient.to_account_info(),
                &a.delegate,
                &a.system_program.to_account_info(),
                &crate::ID,
                &[SEED_DELEGATE, patient.as_ref(), guardian.as_ref(), &[bump]],
                &delegate,
            )?;
        }
        caretrail_common::emit_event!(DelegateSet {
            delegate: a.delegate.key(),
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
        caretrail_common::emit_event!(DelegateRemoved {
            delegate: d.key(),
            patient: d.patient,
            guardian: d.guardian,
            timestamp: now()?
        });
        Ok(())
    }
}
