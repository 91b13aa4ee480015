pub mod anchor_batch;
pub mod supersede;

pub use anchor_batch::*;
pub use supersede::*;
