//! caretrail **registry**: authorized trading partners, providers, researchers, payers and
//! regulators, with roles, GS1 GLNs and credential commitments. The other caretrail programs
//! check roles against its [`state::Participant`] accounts (see
//! [`state::Participant::require_role`]).
//!
//! Layout (shared by the six programs): `constants` (seeds, limits), `error`, `events`,
//! `state/<account>.rs`, `instructions/<ix>.rs` (Accounts + `validate()` + handler); every
//! mutated account's `invariant()` runs before an instruction returns.
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

declare_id!("Gvk8cWwXd1FujWpG5LGQ5HbUEquDJ3851cNSpkDb8Hg2");

caretrail_common::safe_math!(crate::error::RegistryError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail registry",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod registry {
    use super::*;

    /// Creates the registry config; the signer becomes the authority.
    #[access_control(ctx.accounts.validate())]
    pub fn initialize(ctx: Context<Initialize>) -> Result<()> {
        Initialize::handler(ctx)
    }

    /// Step 1 of the authority handover (current authority signs).
    #[access_control(ctx.accounts.validate(&new_authority))]
    pub fn propose_authority(ctx: Context<ProposeAuthority>, new_authority: Pubkey) -> Result<()> {
        ProposeAuthority::handler(ctx, new_authority)
    }

    /// Step 2 of the authority handover (the pending authority signs).
    #[access_control(ctx.accounts.validate())]
    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        AcceptAuthority::handler(ctx)
    }

    /// Registers a wallet as a participant with roles, GLN and credential commitment.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_participant(
        ctx: Context<RegisterParticipant>,
        args: RegisterParticipantArgs,
    ) -> Result<()> {
        RegisterParticipant::handler(ctx, args)
    }

    /// Changes roles, GLN, credential commitment or validity of a participant.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_participant(
        ctx: Context<UpdateParticipant>,
        args: UpdateParticipantArgs,
    ) -> Result<()> {
        UpdateParticipant::handler(ctx, args)
    }

    /// Suspends an active participant (reversible).
    #[access_control(ctx.accounts.validate())]
    pub fn suspend_participant(ctx: Context<SuspendParticipant>, reason_code: u16) -> Result<()> {
        SuspendParticipant::handler(ctx, reason_code)
    }

    /// Reinstates a suspended participant.
    #[access_control(ctx.accounts.validate())]
    pub fn reinstate_participant(ctx: Context<ReinstateParticipant>) -> Result<()> {
        ReinstateParticipant::handler(ctx)
    }

    /// Licenses a GS1 Company Prefix to a registered participant (registry authority).
    #[access_control(ctx.accounts.validate(&prefix))]
    pub fn assign_prefix(ctx: Context<AssignPrefix>, prefix: [u8; 12]) -> Result<()> {
        AssignPrefix::handler(ctx, prefix)
    }

    /// Takes a GS1 Company Prefix back (registry authority).
    pub fn revoke_prefix(ctx: Context<RevokePrefix>) -> Result<()> {
        RevokePrefix::handler(ctx)
    }

    /// Revokes a participant for good.
    #[access_control(ctx.accounts.validate())]
    pub fn revoke_participant(ctx: Context<RevokeParticipant>, reason_code: u16) -> Result<()> {
        RevokeParticipant::handler(ctx, reason_code)
    }
}
