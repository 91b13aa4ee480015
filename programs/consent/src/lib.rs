//! caretrail **consent**: patient-signed consent grants, delegates and audited access.
//!
//! A patient, signing with their own wallet, grants a registered provider, researcher, payer
//! or dispenser access to classes of their data, for purposes, for a period; a grantee may
//! request and the patient approves or rejects; the patient narrows, widens, revokes and
//! closes; a guardian acts within its own scope and expiry; an active provider may open
//! break-glass access for at most 24 hours, flagged and counted for the patient's review.
//! Every access is checked against the grant on chain and leaves an audit event.
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
pub mod utils;

pub use instructions::*;
pub use state::Scope;

declare_id!("2wgKVxMeM1hj5o6DY18JP5xcw7R3svPMt5nf1iU5o8p5");

caretrail_common::safe_math!(crate::error::ConsentError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail consent",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod consent {
    use super::*;

    /// The patient (or a delegate) grants access.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn grant(ctx: Context<Grant>, grant_id: u64, args: GrantArgs) -> Result<()> {
        Grant::handler(ctx, grant_id, args)
    }

    /// A grantee requests access (the grant is proposed).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn request(ctx: Context<Request>, grant_id: u64, args: GrantArgs) -> Result<()> {
        Request::handler(ctx, grant_id, args)
    }

    /// The patient (or a delegate) approves a request.
    #[access_control(ctx.accounts.validate_decision())]
    pub fn approve(ctx: Context<ChangeGrant>) -> Result<()> {
        ChangeGrant::approve(ctx)
    }

    /// The patient (or a delegate) rejects a request.
    #[access_control(ctx.accounts.validate_decision())]
    pub fn reject(ctx: Context<ChangeGrant>) -> Result<()> {
        ChangeGrant::reject(ctx)
    }

    /// Narrows (patient or delegate) or widens (patient only) a grant's scope or expiry.
    #[access_control(ctx.accounts.validate_amend(&args))]
    pub fn amend(ctx: Context<ChangeGrant>, args: AmendArgs) -> Result<()> {
        ChangeGrant::amend(ctx, args)
    }

    /// Revokes a grant (patient, or a delegate within its scope).
    #[access_control(ctx.accounts.validate_revoke())]
    pub fn revoke(ctx: Context<ChangeGrant>) -> Result<()> {
        ChangeGrant::revoke(ctx)
    }

    /// Closes a revoked, rejected or expired grant; the rent goes back to the patient.
    #[access_control(ctx.accounts.validate())]
    pub fn close_grant(ctx: Context<CloseGrant>) -> Result<()> {
        CloseGrant::handler(ctx)
    }

    /// Names or re-scopes a guardian.
    #[access_control(ctx.accounts.validate(&scope, expires_at))]
    pub fn set_delegate(ctx: Context<SetDelegate>, scope: Scope, expires_at: i64) -> Result<()> {
        SetDelegate::handler(ctx, scope, expires_at)
    }

    /// Removes a guardian.
    pub fn remove_delegate(ctx: Context<RemoveDelegate>) -> Result<()> {
        RemoveDelegate::handler(ctx)
    }

    /// Break-glass emergency access by an active provider (at most 24 h).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn emergency_access(
        ctx: Context<EmergencyAccess>,
        grant_id: u64,
        args: EmergencyArgs,
    ) -> Result<()> {
        EmergencyAccess::handler(ctx, grant_id, args)
    }

    /// The patient reviews a break-glass access.
    #[access_control(ctx.accounts.validate())]
    pub fn review_emergency(ctx: Context<ReviewEmergency>) -> Result<()> {
        ReviewEmergency::handler(ctx)
    }

    /// The grantee records one access; fails unless the grant permits it now.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn record_access(ctx: Context<RecordAccess>, args: AccessArgs) -> Result<()> {
        RecordAccess::handler(ctx, args)
    }

    /// The grantee records one access to an anchored record version (`records` program):
    /// `args.resource_hash` is the version's leaf, `proof` its path to the batch's root.
    #[access_control(ctx.accounts.validate(&args, &proof))]
    pub fn record_anchored_access(
        ctx: Context<RecordAnchoredAccess>,
        args: AccessArgs,
        proof: Vec<[u8; 32]>,
    ) -> Result<()> {
        RecordAnchoredAccess::handler(ctx, args, proof)
    }
}
