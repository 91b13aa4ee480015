//! One integration-test binary; one module per flow.

mod bank;
mod custody;
mod ledger;
mod registry;
mod scan;
