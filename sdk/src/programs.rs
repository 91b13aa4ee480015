//! The six caretrail programs: their ids and names. With the `embedded` feature this module
//! also re-exports the native processors and the program-test bank builder
//! ([`crate::ledger::bank`]).

use solana_sdk::pubkey::Pubkey;

#[cfg(feature = "embedded")]
pub use crate::ledger::bank::{
    program_test, program_test_from, quiet_bank_logs, reserve_stdout, reserve_stdout_capturing,
    ProgramLines,
};

/// Program ids of the six caretrail programs, in layering order.
pub const PROGRAM_IDS: [Pubkey; 6] = [
    registry::ID,
    records::ID,
    consent::ID,
    custody::ID,
    claims::ID,
    trials::ID,
];

/// Human name of a caretrail program id.
pub fn program_name(id: &Pubkey) -> Option<&'static str> {
    match *id {
        x if x == registry::ID => Some("registry"),
        x if x == consent::ID => Some("consent"),
        x if x == custody::ID => Some("custody"),
        x if x == claims::ID => Some("claims"),
        x if x == records::ID => Some("records"),
        x if x == trials::ID => Some("trials"),
        _ => None,
    }
}
