pub mod breakglass;
pub mod delegate;
pub mod grant;
pub mod patient;
pub mod scope;

pub use breakglass::*;
pub use delegate::*;
pub use grant::*;
pub use patient::*;
pub use scope::*;
