//! caretrail **custody**: DSCSA-grade serialized drug custody: lots, units, aggregation and custody hops.
//!
//! Skeleton: program id and config account; the custody issue fills in the rest.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

pub use instructions::*;

declare_id!("43vfUs8aHqd4UTat9WemT6PKLNBeiM2pXi77DVw74ZQd");

registry::define_checked_math!(crate::error::CustodyError::MathOverflow);

#[cfg(not(feature = "no-entrypoint"))]
solana_security_txt::security_txt! {
    name: "caretrail custody",
    project_url: "https://github.com/caretrail/caretrail",
    contacts: "email:security@caretrail.dev",
    policy: "https://github.com/caretrail/caretrail/blob/main/SECURITY.md",
    source_code: "https://github.com/caretrail/caretrail",
    auditors: "none yet"
}

#[program]
pub mod custody {
    use super::*;

    /// Creates the program config; the signer becomes its authority.
    pub fn initialize_config(ctx: Context<InitializeConfig>) -> Result<()> {
        InitializeConfig::handler(ctx)
    }
}
