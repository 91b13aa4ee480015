//! One integration-test binary; one module per flow.

mod bank;
mod claims;
mod consent;
mod custody;
mod fuzz;
mod ledger;
mod privacy;
mod properties;
mod reconcile;
mod records;
mod registry;
mod scan;
mod security;
mod serve;
mod trials;
