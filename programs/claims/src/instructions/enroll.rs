use crate::constants::{ACCOUNT_VERSION, SEED_COVERAGE};
use crate::error::ClaimsError;
use crate::events::CoverageEnrolled;
use crate::state::{Coverage, Payer};
use crate::utils::now;
use anchor_lang::prelude::*;

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
    #[account(
        init_if_needed,
        payer = authority,
        space = 8 + Coverage::INIT_SPACE,
        seeds = [SEED_COVERAGE, payer.key().as_ref(), args.member_commitment.as_ref()],
        bump
    )]
    pub coverage: Account<'info, Coverage>,
    #[account(has_one = authority @ ClaimsError::Unauthorized)]
    pub payer: Account<'info, Payer>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub patient: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl Enroll<'_> {
    pub fn validate(&self, args: &EnrollArgs) -> Result<()> {
        require_eq!(self.coverage.version, 0, ClaimsError::AlreadyEnrolled);
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
        let coverage = &mut ctx.accounts.coverage;
        coverage.set_inner(Coverage {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.coverage,
            payer: ctx.accounts.payer.key(),
            patient: ctx.accounts.patient.key(),
            member_commitment: args.member_commitment,
            period_start: args.period_start,
            period_end: args.period_end,
            annual_max: args.annual_max,
            deductible: args.deductible,
            used: 0,
            deductible_met: 0,
        });
        coverage.invariant()?;
        registry::emit_event!(CoverageEnrolled {
            coverage: coverage.key(),
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
