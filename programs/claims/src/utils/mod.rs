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
