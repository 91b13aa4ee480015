//! One module per command group; each exposes `execute()` and stays thin over the SDK.

pub mod demo;
pub mod ledger;
pub mod registry;
pub mod wallet;
