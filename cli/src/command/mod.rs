//! One module per command group; each exposes `execute()` and stays thin over the SDK.

pub mod barcode;
pub mod claims;
pub mod consent;
pub mod custody;
pub mod demo;
pub mod ledger;
pub mod registry;
pub mod tx;
pub mod wallet;
