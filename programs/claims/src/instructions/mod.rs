pub mod decide;
pub mod enroll;
pub mod pay;
pub mod payer;
pub mod payer_admin;
pub mod submit;

pub use decide::*;
pub use enroll::*;
pub use pay::*;
pub use payer::*;
pub use payer_admin::*;
pub use submit::*;
