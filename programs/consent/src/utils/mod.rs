//! Helpers shared by the consent instructions.

use crate::error::ConsentError;
use crate::state::{Delegate, Scope};
use anchor_lang::prelude::*;

pub use caretrail_common::now;

/// Only the patient, or a delegate of that patient acting within its scope and before its
/// expiry, changes a grant of `scope`. Returns the delegation a guardian acted under (`None`
/// when the patient signed).
pub fn authorize_patient_or_delegate<'a>(
    patient: &Pubkey,
    signer: &Pubkey,
    delegate: Option<&'a Delegate>,
    scope: &Scope,
    now: i64,
) -> Result<Option<&'a Delegate>> {
    if signer == patient {
        return Ok(None);
    }
    let d = delegate.ok_or(ConsentError::Unauthorized)?;
    d.check(patient, signer, scope, now)?;
    Ok(Some(d))
}

/// A grant a guardian makes or approves ends no later than the guardian's delegation.
pub fn clamp_to_delegation(expires_at: i64, delegation: Option<&Delegate>) -> i64 {
    delegation.map_or(expires_at, |d| expires_at.min(d.expires_at))
}
