//! One integration-test binary; one module per flow.

mod bank;
mod consent;
mod custody;
mod ledger;
mod registry;
mod scan;
