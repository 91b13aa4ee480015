use crate::constants::{ACCOUNT_VERSION, INVESTIGATOR_ROLES, SEED_TRIAL, SPONSOR_ROLES};
use crate::error::TrialsError;
use crate::events::TrialRegistered;
use crate::state::{Trial, TrialHashes, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegisterTrialArgs {
    pub hashes: TrialHashes,
    pub planned_enrolment: u32,
}

/// A sponsor registers a trial, before any enrolment, naming its lead investigator (a
/// researcher or provider in standing).
#[derive(Accounts)]
#[instruction(trial_id: u64)]
pub struct RegisterTrial<'info> {
    /// CHECK: `["trial", sponsor, trial_id]`, created by the handler with
    /// `caretrail_common::pda` (works when somebody funded the address first).
    #[account(mut, seeds = [SEED_TRIAL, sponsor.key().as_ref(), &trial_id.to_le_bytes()], bump)]
    pub trial: UncheckedAccount<'info>,
    #[account(mut)]
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
    pub investigator_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl RegisterTrial<'_> {
    pub fn validate(&self, args: &RegisterTrialArgs) -> Result<()> {
        let now = caretrail_common::now()?;
        self.sponsor_participant.require_role::<TrialsError>(
            &self.sponsor.key(),
            SPONSOR_ROLES,
            now,
        )?;
        let investigator = self.investigator_participant.wallet;
        self.investigator_participant.require_role::<TrialsError>(
            &investigator,
            INVESTIGATOR_ROLES,
            now,
        )?;
        require_keys_neq!(investigator, self.sponsor.key(), TrialsError::InvalidTrial);
        require!(
            args.hashes.is_complete() && args.planned_enrolment > 0,
            TrialsError::InvalidTrial
        );
        require_keys_neq!(*self.trial.owner, crate::ID, TrialsError::TrialExists);
        Ok(())
    }

    pub fn handler(
        ctx: Context<RegisterTrial>,
        trial_id: u64,
        args: RegisterTrialArgs,
    ) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &ctx.accounts;
        let trial = Trial {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.trial,
            status: TrialStatus::Registered,
            trial_id,
            sponsor: a.sponsor.key(),
            investigator: a.investigator_participant.wallet,
            registered: args.hashes,
            current: args.hashes,
            registered_planned: args.planned_enrolment,
            planned_enrolment: args.planned_enrolment,
            amendments: 0,
            sites: 0,
            enrolled: 0,
            locks: 0,
            created_at: now,
            enrolment_opened_at: 0,
            final_locked_at: 0,
            results_hash: [0; 32],
            results_outcomes: [0; 32],
            reported_at: 0,
        };
        trial.invariant()?;
        caretrail_common::pda::init_account(
            &a.sponsor.to_account_info(),
            &a.trial,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_TRIAL,
                trial.sponsor.as_ref(),
                &trial_id.to_le_bytes(),
                &[trial.bump],
            ],
            &trial,
        )?;
        caretrail_common::emit_event!(TrialRegistered {
            trial: a.trial.key(),
            sponsor: trial.sponsor,
            investigator: trial.investigator,
            trial_id,
            hashes: args.hashes,
            planned_enrolment: args.planned_enrolment,
            timestamp: now,
        });
        Ok(())
    }
}
