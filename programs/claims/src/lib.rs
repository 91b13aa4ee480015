//! caretrail **claims**: insurance claims, coverage and SPL-token payouts.
//!
//! A `Payer` holds an SPL Token or Token-2022 vault; `Coverage` enrols a patient (both sign);
//! a `Claim` (PDA of the claim id's hash, so an id reaches a payer once) moves through
//! submitted → in review → approved / partially approved / denied → paid, with appeal,
//! void / replace and reversal. Paid ≤ approved ≤ billed; deductible and benefit maximum are
//! applied; approvals above the auto-approve limit need an adjudicator; the daily payout limit
//! is enforced; a named consent grant must permit payment, a named unit must have been
//! dispensed by the provider.
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

declare_id!("5FukW7QjuLwXnTtPMb5umnwKq1i9tvn9Ycn76Lz6Ap7v");

caretrail_common::safe_math!(crate::error::ClaimsError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail claims",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod claims {
    use super::*;

    /// Creates a payer and its vault.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn init_payer(ctx: Context<InitPayer>, args: PayerArgs) -> Result<()> {
        InitPayer::handler(ctx, args)
    }

    /// Moves tokens into a payer's vault.
    pub fn fund_vault(ctx: Context<FundVault>, amount: u64) -> Result<()> {
        FundVault::handler(ctx, amount)
    }

    /// The payer authority changes its settings (limits, adjudicators, requirements, pause).
    #[access_control(ctx.accounts.validate_update(&settings))]
    pub fn update_payer(ctx: Context<AdministerPayer>, settings: PayerSettings) -> Result<()> {
        AdministerPayer::update(ctx, settings)
    }

    /// Step 1 of a payer authority handover (the current authority signs).
    #[access_control(ctx.accounts.validate_propose(&new_authority))]
    pub fn propose_payer_authority(
        ctx: Context<AdministerPayer>,
        new_authority: Pubkey,
    ) -> Result<()> {
        AdministerPayer::propose(ctx, new_authority)
    }

    /// Step 2 of a payer authority handover (the pending authority signs).
    #[access_control(ctx.accounts.validate())]
    pub fn accept_payer_authority(ctx: Context<AcceptPayerAuthority>) -> Result<()> {
        AcceptPayerAuthority::handler(ctx)
    }

    /// The authority withdraws vault funds that no approved, unpaid claim needs.
    #[access_control(ctx.accounts.validate(amount))]
    pub fn withdraw_vault(ctx: Context<WithdrawVault>, amount: u64) -> Result<()> {
        WithdrawVault::handler(ctx, amount)
    }

    /// Enrols a patient (patient and payer sign).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn enroll(ctx: Context<Enroll>, args: EnrollArgs) -> Result<()> {
        Enroll::handler(ctx, args)
    }

    /// A provider submits a claim (or a replacement).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn submit_claim(ctx: Context<SubmitClaim>, args: SubmitArgs) -> Result<()> {
        SubmitClaim::handler(ctx, args)
    }

    /// The payer starts reviewing a submitted or appealed claim.
    #[access_control(ctx.accounts.validate_review())]
    pub fn start_review(ctx: Context<Decide>) -> Result<()> {
        Decide::review(ctx)
    }

    /// The payer adjudicates: `allowed` of the billed amount, with a CARC reason when less.
    #[access_control(ctx.accounts.validate_adjudicate(allowed, reason))]
    pub fn adjudicate(ctx: Context<Decide>, allowed: u64, reason: u16) -> Result<()> {
        Decide::adjudicate(ctx, allowed, reason)
    }

    /// The provider appeals within the payer's window.
    #[access_control(ctx.accounts.validate())]
    pub fn appeal(ctx: Context<Appeal>) -> Result<()> {
        Appeal::handler(ctx)
    }

    /// The provider voids a claim before payment.
    #[access_control(ctx.accounts.validate())]
    pub fn void(ctx: Context<Void>) -> Result<()> {
        Void::handler(ctx)
    }

    /// The payer pays an approved claim from its vault (once).
    #[access_control(ctx.accounts.validate())]
    pub fn pay(ctx: Context<Pay>) -> Result<()> {
        Pay::handler(ctx)
    }

    /// The payer and provider reverse a payment (funds back to the vault).
    #[access_control(ctx.accounts.validate())]
    pub fn reverse(ctx: Context<Reverse>, reason: u16) -> Result<()> {
        Reverse::handler(ctx, reason)
    }
}
