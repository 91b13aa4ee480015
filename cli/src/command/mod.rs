//! One module per command group. Every command is a typed clap value (arguments parsed and
//! checked by clap) with one `execute`: one SDK call (or a few reads around it) and its output.

use crate::context::Context;
use crate::output::Output;

pub mod barcode;
pub mod claims;
pub mod consent;
pub mod custody;
pub mod demo;
pub mod epcis;
pub mod ledger;
pub mod package;
pub mod records;
pub mod registry;
pub mod serve;
pub mod token;
pub mod trials;
pub mod tx;
pub mod wallet;

/// A command: runs against the context and says what it did.
pub trait Execute {
    fn execute(self, ctx: &Context) -> anyhow::Result<Output>;
}
