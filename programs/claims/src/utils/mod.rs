use crate::error::ClaimsError;
use anchor_lang::prelude::*;
use registry::state::Participant;

pub use caretrail_common::now;

/// The acting payer authority still holds an active, unexpired PAYER credential.
pub fn require_payer(participant: &Participant, authority: &Pubkey) -> Result<()> {
    participant.require_role::<ClaimsError>(authority, registry::constants::roles::PAYER, now()?)
}

/// The provider or dispenser still holds an active, unexpired billing credential.
pub fn require_biller(participant: &Participant, provider: &Pubkey) -> Result<()> {
    participant.require_role::<ClaimsError>(provider, crate::constants::BILLING_ROLES, now()?)
}
