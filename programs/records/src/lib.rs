//! caretrail **records**: the integrity of health records, with no record on chain.
//!
//! A registered provider anchors versions of its records in batches: one account holds the
//! Merkle root over many leaves `(record commitment, version, content hash, previous version's
//! leaf)` (see `caretrail_common::merkle`), so a transaction anchors any number of records. A
//! correction supersedes a version by a successor anchored by the same provider: the program
//! checks both proofs, that the successor is the next version of the same record and names the
//! superseded leaf, and records the link once (a version is superseded at most once). Whoever
//! holds a record and its proof can later show it is intact and current, intact but
//! superseded (by which version, when, by whom), or altered.
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
pub use state::RecordLeaf;

declare_id!("DSHNACamiv1H6HbPTqm8y5QonRPDMk1HuC43xv65Zgwk");

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail records",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod records {
    use super::*;

    /// A provider anchors a batch of record versions (their Merkle root).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn anchor_batch(ctx: Context<AnchorBatch>, args: AnchorBatchArgs) -> Result<()> {
        AnchorBatch::handler(ctx, args)
    }

    /// The provider supersedes an anchored version by its anchored successor.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn supersede(ctx: Context<Supersede>, args: SupersedeArgs) -> Result<()> {
        Supersede::handler(ctx, args)
    }
}
