use super::sponsor::require_sponsor;
use crate::constants::{ACCOUNT_VERSION, SEED_AMENDMENT};
use crate::error::TrialsError;
use crate::events::TrialAmended;
use crate::math::SafeMath;
use crate::state::{Amendment, Stage, Trial, TrialHashes, TrialStatus};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AmendTrialArgs {
    /// The sponsor's reason code (non-zero).
    pub reason: u16,
    /// The trial's documents as amended (unchanged ones repeated).
    pub hashes: TrialHashes,
    pub planned_enrolment: u32,
}

/// The sponsor amends a trial that has not reported: a new numbered version, kept as its own
/// account with the stage the trial was at, so what changed and when is public. The program
/// does not forbid changing outcomes late (protocols are amended for good reasons); it makes
/// it impossible to hide.
#[derive(Accounts)]
pub struct AmendTrial<'info> {
    #[account(mut, has_one = sponsor @ TrialsError::Unauthorized)]
    pub trial: Account<'info, Trial>,
    /// CHECK: `["trial_amendment", trial, amendments + 1]` (address checked in `validate`),
    /// created by the handler.
    #[account(mut)]
    pub amendment: UncheckedAccount<'info>,
    #[account(mut)]
    pub sponsor: Signer<'info>,
    pub sponsor_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl AmendTrial<'_> {
    fn address(&self, number: u16) -> (Pubkey, u8) {
        Pubkey::find_program_address(
            &[
                SEED_AMENDMENT,
                self.trial.key().as_ref(),
                &number.to_le_bytes(),
            ],
            &crate::ID,
        )
    }

    pub fn validate(&self, args: &AmendTrialArgs) -> Result<()> {
        require_sponsor(&self.trial, &self.sponsor.key(), &self.sponsor_participant)?;
        require!(
            self.trial.status != TrialStatus::Reported,
            TrialsError::WrongStatus
        );
        require!(
            args.reason != 0
                && args.hashes.is_complete()
                && args.planned_enrolment > 0
                && (args.hashes != self.trial.current
                    || args.planned_enrolment != self.trial.planned_enrolment),
            TrialsError::InvalidAmendment
        );
        let number = self.trial.amendments.safe_add(1)?;
        require_keys_eq!(
            self.amendment.key(),
            self.address(number).0,
            TrialsError::InvariantViolation
        );
        Ok(())
    }

    pub fn handler(ctx: Context<AmendTrial>, args: AmendTrialArgs) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &mut *ctx.accounts;
        let number = a.trial.amendments.safe_add(1)?;
        let (_, bump) = a.address(number);
        let trial_key = a.trial.key();
        let stage = if a.trial.locks > 0 {
            Stage::AfterLock
        } else if a.trial.status == TrialStatus::Registered {
            Stage::BeforeEnrolment
        } else {
            Stage::Enrolling
        };
        let outcomes_changed = args.hashes.outcomes_differ(&a.trial.current);
        let amendment = Amendment {
            version: ACCOUNT_VERSION,
            bump,
            trial: trial_key,
            number,
            reason: args.reason,
            hashes: args.hashes,
            planned_enrolment: args.planned_enrolment,
            stage,
            locks_before: a.trial.locks,
            enrolled_before: a.trial.enrolled,
            amended_at: now,
            by: a.sponsor.key(),
        };
        caretrail_common::pda::init_account(
            &a.sponsor.to_account_info(),
            &a.amendment,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_AMENDMENT,
                trial_key.as_ref(),
                &number.to_le_bytes(),
                &[bump],
            ],
            &amendment,
        )?;
        let trial = &mut a.trial;
        trial.amendments = number;
        trial.current = args.hashes;
        trial.planned_enrolment = args.planned_enrolment;
        trial.invariant()?;
        caretrail_common::emit_event!(TrialAmended {
            trial: trial_key,
            amendment: a.amendment.key(),
            number,
            reason: args.reason,
            hashes: args.hashes,
            planned_enrolment: args.planned_enrolment,
            stage,
            outcomes_changed,
            timestamp: now,
        });
        Ok(())
    }
}
