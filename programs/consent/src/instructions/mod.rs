pub mod change;
pub mod close_grant;
pub mod delegate;
pub mod emergency;
pub mod grant;
pub mod record_access;
pub mod request;

pub use change::*;
pub use close_grant::*;
pub use delegate::*;
pub use emergency::*;
pub use grant::*;
pub use record_access::*;
pub use request::*;
