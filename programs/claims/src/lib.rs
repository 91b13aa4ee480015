//! caretrail **claims**: insurance claims, coverage and SPL-token payouts.
//!
//! Skeleton: program id and config account; the claims issue fills in the rest.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

pub use instructions::*;

declare_id!("5FukW7QjuLwXnTtPMb5umnwKq1i9tvn9Ycn76Lz6Ap7v");

registry::define_checked_math!(crate::error::ClaimsError::MathOverflow);

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

    /// Creates the program config; the signer becomes its authority.
    pub fn initialize_config(ctx: Context<InitializeConfig>) -> Result<()> {
        InitializeConfig::handler(ctx)
    }
}
