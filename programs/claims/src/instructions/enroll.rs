use crate::constants::{ACCOUNT_VERSION, SEED_COVERAGE};
use crate::error::ClaimsError;
use crate::events::CoverageEnrolled;
use crate::state::{Coverage, Payer};
use crate::utils::{now, require_payer};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct EnrollArgs {
    /// sha256(salt ‖ member id): the member id stays off chain.
    pub member_commitment: [u8; 32],
    pub period_start: i64,
    pub period_end: i64,
    pub annual_max: u64,
    pub deductible: u64,
}

/// Enrolment needs both the patient's and the payer's signatures.
#[derive(Accounts)]
#[instruction(args: EnrollArgs)]
pub struct Enroll<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); an enrolled member fails with `AlreadyEnrolled`.
    #[account(mut, seeds = [SEED_COVERAGE, payer.key().as_ref(), args.member_commitment.as_ref()], bump)]
    pub coverage: UncheckedAccount<'info>,
    #[account(has_one = authority @ ClaimsError::Unauthorized)]
    pub payer: Box<Account<'info, Payer>>,
    #[account(mut)]
    pub authority: Signer<'info>,
    /// The payer authority's registry entry: it must still be an active payer.
    pub authority_participant: Account<'info, Participant>,
    pub patient: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl Enroll<'_> {
    pub fn validate(&self, args: &EnrollArgs) -> Result<()> {
        require_keys_neq!(
            *self.coverage.owner,
            crate::ID,
            ClaimsError::AlreadyEnrolled
        );
        require_payer(&self.authority_participant, &self.authority.key())?;
        require!(
            args.period_end > args.period_start && args.period_end > now()?,
            ClaimsError::InvalidCoverage
        );
        require!(
            args.annual_max > 0 && args.member_commitment != [0; 32],
            ClaimsError::InvalidCoverage
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Enroll>, args: EnrollArgs) -> Result<()> {
        let a = &ctx.accounts;
        let (payer, bump) = (a.payer.key(), ctx.bumps.coverage);
        let coverage = Coverage {
            version: ACCOUNT_VERSION,
            bump,
            payer,
            patient: a.patient.key(),
            member_commitment: args.member_commitment,
            period_start: args.period_start,
            period_end: args.period_end,
            annual_max: args.annual_max,
            deductible: args.deductible,
            used: 0,
            deductible_met: 0,
        };
        coverage.invariant()?;
        caretrail_common::pda::init_account(
            &a.authority.to_account_info(),
            &a.coverage,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_COVERAGE,
                payer.as_ref(),
                args.member_commitment.as_ref(),
                &[bump],
            ],
            &coverage,
        )?;
        caretrail_common::emit_event!(CoverageEnrolled {
            coverage: a.coverage.key(),
            payer: coverage.payer,
            patient: coverage.patient,
            period_start: args.period_start,
            period_end: args.period_end,
            annual_max: args.annual_max,
            deductible: args.deductible,
            timestamp: now()?,
        });
        Ok(())
    }
}
