use crate::error::ClaimsError;
use anchor_lang::prelude::*;
use registry::state::Participant;

pub fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

/// The registry role check, reported under claims' error codes.
pub fn require_partner(
    participant: &Participant,
    wallet: &Pubkey,
    roles: u16,
    now: i64,
) -> Result<()> {
    participant
        .check_role(wallet, roles, now)
        .map_err(|e| ClaimsError::from(e).into())
}

/// The acting payer authority still holds an active, unexpired PAYER credential.
pub fn require_payer(participant: &Participant, authority: &Pubkey) -> Result<()> {
    require_partner(
        participant,
        authority,
        registry::constants::roles::PAYER,
        now()?,
    )
}

/// The provider or dispenser still holds an active, unexpired billing credential.
pub fn require_biller(participant: &Participant, provider: &Pubkey) -> Result<()> {
    require_partner(
        participant,
        provider,
        crate::constants::BILLING_ROLES,
        now()?,
    )
}
