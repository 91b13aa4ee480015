//! **caretrail-sdk**: everything off-chain callers of caretrail need.
//!
//! - [`ledger`]: the [`ledger::Ledger`] abstraction with the embedded bank and RPC backends.
//! - [`registry`] (and later `consent`, `custody`, `claims`): PDAs, typed instruction builders
//!   made from the program crates' own types, account fetch/decode and filtered listing, and a
//!   client that sends them.
//! - [`events`]: caretrail events decoded from transaction logs.
//! - [`error`]: the one [`Error`] type, and names of program, Anchor and runtime errors.
//! - [`hash`]: salted commitments (nothing sensitive ever goes on chain in clear).

pub mod account;
pub mod anchor_errors;
pub mod claims;
pub mod compute;
pub mod consent;
pub mod custody;
pub mod error;
pub mod events;
pub mod gs1;
pub mod hash;
pub mod idl;
pub mod ledger;
pub mod offline;
pub mod programs;
pub mod records;
pub mod registry;
pub mod relationship;
pub mod tokens;
pub mod trials;
pub mod util;
pub mod x12;

pub use consent::fhir;
pub use custody::{epcis, scan};
pub use error::{Error, Result};
pub use ledger::{AsyncRpcLedger, Ledger, RpcLedger, TxOutcome};
#[cfg(feature = "embedded")]
pub use ledger::{ClockMode, EmbeddedLedger};
pub use solana_sdk;

/// The README's Rust examples, compiled as doctests of the SDK.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// Opens a ledger from a CLI-style URL: `embedded` (the persisted embedded ledger in
/// `ledger_dir`), `localhost`, `devnet`, `testnet`, `mainnet-beta`, or an `http(s)://` URL.
pub fn open_ledger(url: &str, ledger_dir: &std::path::Path) -> Result<Box<dyn Ledger>> {
    Ok(match url {
        #[cfg(feature = "embedded")]
        "embedded" => Box::new(EmbeddedLedger::open(ledger_dir)?),
        #[cfg(not(feature = "embedded"))]
        "embedded" => {
            let _ = ledger_dir;
            return Err(Error::Unsupported(
                "this build of caretrail-sdk has no embedded ledger (enable the `embedded` feature) \
                 or name a cluster"
                    .into(),
            ));
        }
        other => Box::new(RpcLedger::new(&resolve_cluster_url(other))),
    })
}

/// Solana CLI monikers to URLs.
pub fn resolve_cluster_url(url: &str) -> String {
    match url {
        "localhost" | "l" => "http://127.0.0.1:8899".into(),
        "devnet" | "d" => "https://api.devnet.solana.com".into(),
        "testnet" | "t" => "https://api.testnet.solana.com".into(),
        "mainnet-beta" | "m" => "https://api.mainnet-beta.solana.com".into(),
        other => other.into(),
    }
}
