pub mod company_prefix;
pub mod participant;
pub mod registry;

pub use company_prefix::*;
pub use participant::*;
pub use registry::*;
