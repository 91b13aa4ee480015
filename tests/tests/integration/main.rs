//! One integration-test binary; one module per flow.

mod bank;
mod ledger;
mod registry;
