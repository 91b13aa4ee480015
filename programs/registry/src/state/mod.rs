pub mod participant;
pub mod registry;

pub use participant::*;
pub use registry::*;
