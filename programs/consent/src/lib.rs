//! caretrail **consent**: patient-signed consent grants, delegates and audited access.
//!
//! Skeleton: program id and config account; the consent issue fills in the rest.
#![allow(unexpected_cfgs)]

use anchor_lang::prelude::*;

pub mod constants;
pub mod error;
pub mod events;
pub mod instructions;
pub mod state;

pub use instructions::*;

declare_id!("2wgKVxMeM1hj5o6DY18JP5xcw7R3svPMt5nf1iU5o8p5");

registry::define_checked_math!(crate::error::ConsentError::MathOverflow);

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

    /// Creates the program config; the signer becomes its authority.
    pub fn initialize_config(ctx: Context<InitializeConfig>) -> Result<()> {
        InitializeConfig::handler(ctx)
    }
}
