pub mod claim;
pub mod coverage;
pub mod evidence;
pub mod payer;

pub use claim::*;
pub use coverage::*;
pub use evidence::*;
pub use payer::*;
