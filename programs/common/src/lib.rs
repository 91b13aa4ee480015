//! What the caretrail programs share, in one place (each program depends on this crate;
//! nothing here is an instruction or an account of its own):
//!
//! - [`math`]: trait-style checked arithmetic (`a.safe_add(b)?`, drift's `SafeMath`), each
//!   program instantiating it with its own `MathOverflow` error ([`safe_math!`]);
//! - [`now`]: unix time from the Clock sysvar;
//! - [`event`]: [`emit_event!`], Anchor's `emit!` on SBF and its native equivalent in the
//!   embedded bank;
//! - [`pda`]: the one way every caretrail program creates an account, which nobody can block
//!   by funding the address first;
//! - [`gs1`]: GS1 mod-10 check digits (GTIN, SSCC, GLN);
//! - [`merkle`]: Merkle roots and proofs (record versions, trial data snapshots).
#![allow(unexpected_cfgs)]

pub mod event;
pub mod gs1;
pub mod math;
pub mod merkle;
pub mod pda;

/// Unix time from the Clock sysvar (never the host's clock: programs run on chain).
pub fn now() -> anchor_lang::Result<i64> {
    use anchor_lang::prelude::*;
    Ok(Clock::get()?.unix_timestamp)
}
