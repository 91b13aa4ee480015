//! ANSI X12 5010 codes of claims (835 CLP02 claim status).

use super::*;

/// X12 835 CLP02 claim status code of a status (None: not yet in an 835).
pub fn x12_clp02(s: ClaimStatus) -> Option<&'static str> {
    match s {
        ClaimStatus::Approved | ClaimStatus::PartiallyApproved | ClaimStatus::Paid => Some("1"),
        ClaimStatus::Denied => Some("4"),
        ClaimStatus::Reversed => Some("22"),
        ClaimStatus::Submitted
        | ClaimStatus::InReview
        | ClaimStatus::Appealed
        | ClaimStatus::Voided => None,
    }
}
