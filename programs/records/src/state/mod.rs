pub mod batch;
pub mod superseded;

pub use batch::*;
pub use superseded::*;
