//! caretrail **trials**: a clinical-trial registry whose record nobody can rewrite quietly.
//!
//! A sponsor registers a trial with the hashes of its protocol, of its pre-specified primary
//! and secondary outcomes and of its eligibility criteria before enrolment opens; every
//! amendment is a new numbered version with a reason code, kept for all to see (switching
//! outcomes after enrolment or after unblinding shows). Investigators and sites are registry
//! participants; a participant is enrolled through the patient's own consent grant for
//! research (purpose HRESCH) to an investigator of the trial, counted once per grant and
//! stored without any patient key. Data snapshots are anchored as Merkle roots at each lock
//! (interim, final) and results are registered against the outcomes in force. Matching
//! patients to eligibility stays off chain.
#![allow(unexpected_cfgs)]

// SBPF v3 builds with upstream LLVM (feature `sbpf-upstream`, scripts/build-sbf.sh) get the
// compiler libcalls from this crate; platform-tools builds (`anchor build`) do not use it.
#[cfg(all(target_os = "solana", feature = "sbpf-upstream"))]
extern crate solana_compiler_builtins;

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

pub use instructions::*;
pub use state::{LockKind, TrialHashes, TrialStatus};

declare_id!("H8tJWxrHkKqUuFhJCoiaUuAnoxVcovGJ6K4WcC8n7fWe");

caretrail_common::safe_math!(crate::error::TrialsError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail trials",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod trials {
    use super::*;

    /// A sponsor registers a trial: protocol, outcomes and eligibility hashes, planned size,
    /// lead investigator.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_trial(
        ctx: Context<RegisterTrial>,
        trial_id: u64,
        args: RegisterTrialArgs,
    ) -> Result<()> {
        RegisterTrial::handler(ctx, trial_id, args)
    }

    /// The sponsor adds a site (its investigator, a registry participant).
    #[access_control(ctx.accounts.validate())]
    pub fn add_site(ctx: Context<AddSite>) -> Result<()> {
        AddSite::handler(ctx)
    }

    /// The sponsor opens enrolment.
    #[access_control(ctx.accounts.validate())]
    pub fn open_enrolment(ctx: Context<SponsorAction>) -> Result<()> {
        SponsorAction::open_enrolment(ctx)
    }

    /// The sponsor amends the trial: a new version with a reason code.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn amend_trial(ctx: Context<AmendTrial>, args: AmendTrialArgs) -> Result<()> {
        AmendTrial::handler(ctx, args)
    }

    /// An investigator of the trial enrols a participant through the patient's research grant.
    #[access_control(ctx.accounts.validate())]
    pub fn enroll(ctx: Context<Enroll>) -> Result<()> {
        Enroll::handler(ctx)
    }

    /// The sponsor anchors a data snapshot's Merkle root (an interim or the final lock).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn lock_data(ctx: Context<LockData>, args: LockDataArgs) -> Result<()> {
        LockData::handler(ctx, args)
    }

    /// The sponsor registers the results against the outcomes in force, after the final lock.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn report_results(ctx: Context<ReportResults>, args: ResultsArgs) -> Result<()> {
        ReportResults::handler(ctx, args)
    }
}
