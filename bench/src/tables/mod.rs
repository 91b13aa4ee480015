//! One module per table of the benchmarks document.

pub(crate) mod accounts;
pub(crate) mod actions;
pub(crate) mod cli_scan;
pub(crate) mod compressed;
pub(crate) mod compute;
pub(crate) mod hot_paths;
pub(crate) mod open;
pub(crate) mod packing;
pub(crate) mod receiving;
pub(crate) mod scale;
pub(crate) mod serve;
pub(crate) mod throughput;
pub(crate) mod validator;
