pub mod hop;
pub mod lot;
pub mod quarantine;
pub mod storage;
pub mod unit;

pub use hop::*;
pub use lot::*;
pub use quarantine::*;
pub use storage::*;
pub use unit::*;
