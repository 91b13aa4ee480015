//! Helpers shared by every caretrail program (they all depend on the registry crate):
//! checked math, GS1 check digits, event emission, account creation that nobody can block.

pub mod event;
pub mod gs1;
pub mod math;
pub mod pda;
