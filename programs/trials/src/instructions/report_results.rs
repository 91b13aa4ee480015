use super::sponsor::require_sponsor;
use crate::error::TrialsError;
use crate::events::ResultsReported;
use crate::state::{Trial, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResultsArgs {
    /// sha256 of the results document.
    pub results_hash: [u8; 32],
    /// The primary outcomes the results are reported against: must be those in force.
    pub outcomes: [u8; 32],
}

/// The sponsor registers the results of a locked trial against the primary outcomes in force
/// (whether those were pre-specified is what `audit_trial` reports). Nothing changes after.
#[derive(Accounts)]
pub struct ReportResults<'info> {
    #[account(mut, has_one = sponsor @ TrialsError::Unauthorized)]
    pub trial: Account<'info, Trial>,
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
}

impl ReportResults<'_> {
    pub fn validate(&self, args: &ResultsArgs) -> Result<()> {
        require_sponsor(&self.trial, &self.sponsor.key(), &self.sponsor_participant)?;
        require!(
            self.trial.status == TrialStatus::Locked,
            TrialsError::WrongStatus
        );
        require!(
            args.results_hash != [0; 32] && args.outcomes == self.trial.current.primary_outcomes,
            TrialsError::ResultsOutcomeMismatch
        );
        Ok(())
    }

    pub fn handler(ctx: Context<ReportResults>, args: ResultsArgs) -> Result<()> {
        let now = caretrail_common::now()?;
        let trial = &mut ctx.accounts.trial;
        trial.results_hash = args.results_hash;
        trial.results_outcomes = args.outcomes;
        trial.reported_at = now;
        trial.status = TrialStatus::Reported;
        trial.invariant()?;
        caretrail_common::emit_event!(ResultsReported {
            trial: trial.key(),
            results_hash: args.results_hash,
            outcomes: args.outcomes,
            timestamp: now,
        });
        Ok(())
    }
}
