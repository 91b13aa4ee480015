pub mod trial;

pub use trial::*;
