//! One integration-test binary; one module per flow.

mod ledger;
mod registry;
