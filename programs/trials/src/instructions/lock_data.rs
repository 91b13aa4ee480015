use super::sponsor::require_sponsor;
use crate::constants::{ACCOUNT_VERSION, SEED_LOCK};
use crate::error::TrialsError;
use crate::events::DataLocked;
use crate::math::SafeMath;
use crate::state::{DataLock, LockKind, Trial, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct LockDataArgs {
    pub kind: LockKind,
    /// Merkle root over the snapshot's items (`caretrail_common::merkle::data_leaf`).
    pub root: [u8; 32],
    pub records: u32,
}

/// The sponsor locks the data of an enrolling trial: interim locks any number of times, the
/// final lock once (it closes enrolment).
#[derive(Accounts)]
pub struct LockData<'info> {
    #[account(mut, has_one = sponsor @ TrialsError::Unauthorized)]
    pub trial: Account<'info, Trial>,
    /// CHECK: `["trial_lock", trial, locks]`, created by the handler.
    #[account(mut, seeds = [SEED_LOCK, trial.key().as_ref(), &trial.locks.to_le_bytes()], bump)]
    pub lock: UncheckedAccount<'info>,
    #[account(mut)]
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl LockData<'_> {
    pub fn validate(&self, args: &LockDataArgs) -> Result<()> {
        require_sponsor(&self.trial, &self.sponsor.key(), &self.sponsor_participant)?;
        require!(
            self.trial.status == TrialStatus::Enrolling,
            TrialsError::WrongStatus
        );
        require!(
            args.root != [0; 32] && args.records > 0,
            TrialsError::InvalidLock
        );
        Ok(())
    }

    pub fn handler(ctx: Context<LockData>, args: LockDataArgs) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &mut *ctx.accounts;
        let trial_key = a.trial.key();
        let index = a.trial.locks;
        let lock = DataLock {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.lock,
            trial: trial_key,
            index,
            kind: args.kind,
            root: args.root,
            records: args.records,
            enrolled: a.trial.enrolled,
            locked_at: now,
            by: a.sponsor.key(),
        };
        caretrail_common::pda::init_account(
            &a.sponsor.to_account_info(),
            &a.lock,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_LOCK,
                trial_key.as_ref(),
                &index.to_le_bytes(),
                &[lock.bump],
            ],
            &lock,
        )?;
        let trial = &mut a.trial;
        trial.locks = index.safe_add(1)?;
        if args.kind == LockKind::Final {
            trial.status = TrialStatus::Locked;
            trial.final_locked_at = now;
        }
        trial.invariant()?;
        caretrail_common::emit_event!(DataLocked {
            trial: trial_key,
            lock: a.lock.key(),
            index,
            kind: args.kind,
            root: args.root,
            records: args.records,
            timestamp: now,
        });
        Ok(())
    }
}
