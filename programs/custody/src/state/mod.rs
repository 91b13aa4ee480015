pub mod hop;
pub mod lot;
pub mod package_tree;
pub mod quarantine;
pub mod storage;
pub mod unit;

pub use hop::*;
pub use lot::*;
pub use package_tree::{PackageLeaf, PackageTree};
pub use quarantine::*;
pub use storage::*;
pub use unit::*;
