pub mod initialize_config;

pub use initialize_config::*;
