pub mod amend_trial;
pub mod enroll;
pub mod lock_data;
pub mod register_trial;
pub mod report_results;
pub mod sites;
pub mod sponsor;

pub use amend_trial::*;
pub use enroll::*;
pub use lock_data::*;
pub use register_trial::*;
pub use report_results::*;
pub use sites::*;
pub use sponsor::*;
