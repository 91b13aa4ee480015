use super::sponsor::require_sponsor;
use crate::constants::{ACCOUNT_VERSION, INVESTIGATOR_ROLES, SEED_SITE};
use crate::error::TrialsError;
use crate::events::SiteAdded;
use crate::math::SafeMath;
use crate::state::{Site, Trial, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The sponsor adds a site: its investigator, a researcher or provider in standing, may then
/// enrol participants.
#[derive(Accounts)]
pub struct AddSite<'info> {
    #[account(mut, has_one = sponsor @ TrialsError::Unauthorized)]
    pub trial: Account<'info, Trial>,
    /// CHECK: `["trial_site", trial, investigator]`, created by the handler.
    #[account(mut, seeds = [SEED_SITE, trial.key().as_ref(), investigator_participant.wallet.as_ref()], bump)]
    pub site: UncheckedAccount<'info>,
    #[account(mut)]
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
    pub investigator_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl AddSite<'_> {
    pub fn validate(&self) -> Result<()> {
        require_sponsor(&self.trial, &self.sponsor.key(), &self.sponsor_participant)?;
        require!(
            matches!(
                self.trial.status,
                TrialStatus::Registered | TrialStatus::Enrolling
            ),
            TrialsError::WrongStatus
        );
        let investigator = self.investigator_participant.wallet;
        self.investigator_participant.require_role::<TrialsError>(
            &investigator,
            INVESTIGATOR_ROLES,
            caretrail_common::now()?,
        )?;
        require!(
            investigator != self.trial.investigator && investigator != self.trial.sponsor,
            TrialsError::SiteExists
        );
        require_keys_neq!(*self.site.owner, crate::ID, TrialsError::SiteExists);
        Ok(())
    }

    pub fn handler(ctx: Context<AddSite>) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &mut *ctx.accounts;
        let trial_key = a.trial.key();
        let site = Site {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.site,
            trial: trial_key,
            investigator: a.investigator_participant.wallet,
            enrolled: 0,
            added_at: now,
        };
        caretrail_common::pda::init_account(
            &a.sponsor.to_account_info(),
            &a.site,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_SITE,
                trial_key.as_ref(),
                site.investigator.as_ref(),
                &[site.bump],
            ],
            &site,
        )?;
        a.trial.sites = a.trial.sites.safe_add(1)?;
        a.trial.invariant()?;
        caretrail_common::emit_event!(SiteAdded {
            trial: trial_key,
            site: a.site.key(),
            investigator: site.investigator,
            timestamp: now,
        });
        Ok(())
    }
}
