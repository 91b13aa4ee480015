use crate::constants::SPONSOR_ROLES;
use crate::error::TrialsError;
use crate::events::EnrolmentOpened;
use crate::state::{Trial, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The trial's sponsor, in standing, is the signer: the check every sponsor instruction makes.
pub fn require_sponsor(trial: &Trial, sponsor: &Pubkey, participant: &Participant) -> Result<()> {
    require_keys_eq!(trial.sponsor, *sponsor, TrialsError::Unauthorized);
    participant.require_role::<TrialsError>(sponsor, SPONSOR_ROLES, caretrail_common::now()?)
}

/// A sponsor instruction on the trial alone (opening enrolment).
#[derive(Accounts)]
pub struct SponsorAction<'info> {
    #[account(mut, has_one = sponsor @ TrialsError::Unauthorized)]
    pub trial: Account<'info, Trial>,
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
}

impl SponsorAction<'_> {
    pub fn validate(&self) -> Result<()> {
        require_sponsor(&self.trial, &self.sponsor.key(), &self.sponsor_participant)?;
        require!(
            self.trial.status == TrialStatus::Registered,
            TrialsError::WrongStatus
        );
        Ok(())
    }

    pub fn open_enrolment(ctx: Context<SponsorAction>) -> Result<()> {
        let now = caretrail_common::now()?;
        let trial = &mut ctx.accounts.trial;
        trial.status = TrialStatus::Enrolling;
        trial.enrolment_opened_at = now;
        trial.invariant()?;
        caretrail_common::emit_event!(EnrolmentOpened {
            trial: trial.key(),
            timestamp: now,
        });
        Ok(())
    }
}
