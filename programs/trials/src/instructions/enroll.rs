use crate::constants::{ACCOUNT_VERSION, ENROLMENT_PURPOSE, INVESTIGATOR_ROLES, SEED_ENROLMENT};
use crate::error::TrialsError;
use crate::events::ParticipantEnrolled;
use crate::math::SafeMath;
use crate::state::{Enrolment, Site, Trial, TrialStatus};
use anchor_lang::prelude::*;
use consent::state::ConsentGrant;
use registry::state::Participant;

/// An investigator of the trial (the lead, or a site's) enrols a participant through the
/// patient's consent grant to that investigator: active now and covering research (HRESCH).
/// The enrolment account is seeded by the grant, so a grant enrols once; it stores no patient.
#[derive(Accounts)]
pub struct Enroll<'info> {
    #[account(mut)]
    pub trial: Account<'info, Trial>,
    pub grant: Account<'info, ConsentGrant>,
    /// CHECK: `["trial_enrolment", trial, grant]`, created by the handler.
    #[account(mut, seeds = [SEED_ENROLMENT, trial.key().as_ref(), grant.key().as_ref()], bump)]
    pub enrolment: UncheckedAccount<'info>,
    /// The site of a site investigator (absent for the lead investigator).
    #[account(mut, has_one = trial @ TrialsError::NotInvestigator, has_one = investigator @ TrialsError::NotInvestigator)]
    pub site: Option<Account<'info, Site>>,
    #[account(mut)]
    pub investigator: Signer<'info>,
    pub investigator_participant: Account<'info, Participant>,
    /// CHECK: the consent delegation a guardian-made grant lives under (checked by
    /// `consent::require_delegation_current`).
    pub delegate: Option<UncheckedAccount<'info>>,
    pub system_program: Program<'info, System>,
}

impl Enroll<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = caretrail_common::now()?;
        let investigator = self.investigator.key();
        self.investigator_participant.require_role::<TrialsError>(
            &investigator,
            INVESTIGATOR_ROLES,
            now,
        )?;
        require!(
            self.trial.status == TrialStatus::Enrolling,
            TrialsError::WrongStatus
        );
        require!(
            self.site.is_some() || investigator == self.trial.investigator,
            TrialsError::NotInvestigator
        );
        require_keys_eq!(
            self.grant.grantee,
            investigator,
            TrialsError::GrantNotToInvestigator
        );
        self.grant
            .check_active(now)
            .map_err(|_| error!(TrialsError::GrantNotActive))?;
        require!(!self.grant.emergency, TrialsError::GrantNotForResearch);
        require!(
            self.grant.scope.purposes & ENROLMENT_PURPOSE != 0,
            TrialsError::GrantNotForResearch
        );
        consent::require_delegation_current(&self.grant, self.delegate.as_deref(), now)
            .map_err(|_| error!(TrialsError::DelegationEnded))?;
        require_keys_neq!(
            *self.enrolment.owner,
            crate::ID,
            TrialsError::AlreadyEnrolled
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Enroll>) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &mut *ctx.accounts;
        let trial_key = a.trial.key();
        let grant_key = a.grant.key();
        let number = a.trial.enrolled.safe_add(1)?;
        let enrolment = Enrolment {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.enrolment,
            trial: trial_key,
            investigator: a.investigator.key(),
            number,
            enrolled_at: now,
        };
        caretrail_common::pda::init_account(
            &a.investigator.to_account_info(),
            &a.enrolment,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_ENROLMENT,
                trial_key.as_ref(),
                grant_key.as_ref(),
                &[enrolment.bump],
            ],
            &enrolment,
        )?;
        if let Some(site) = a.site.as_mut() {
            site.enrolled = site.enrolled.safe_add(1)?;
        }
        a.trial.enrolled = number;
        a.trial.invariant()?;
        caretrail_common::emit_event!(ParticipantEnrolled {
            trial: trial_key,
            enrolment: a.enrolment.key(),
            investigator: enrolment.investigator,
            enrolled: number,
            timestamp: now,
        });
        Ok(())
    }
}
