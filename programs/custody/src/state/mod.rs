pub mod config;
pub mod hop;
pub mod lot;
pub mod unit;

pub use config::*;
pub use hop::*;
pub use lot::*;
pub use unit::*;
