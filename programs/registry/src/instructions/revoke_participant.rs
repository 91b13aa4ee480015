use crate::error::RegistryError;
use crate::events::ParticipantRevoked;
use crate::instructions::manage::ManageParticipant;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

/// Revocation is terminal: the wallet can never act in any caretrail program again (a new
/// identity needs a new wallet), and the PDA stays as the public record of the revocation.
pub fn validate(accounts: &ManageParticipant) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    accounts.authorize(accounts.participant.roles, now)?;
    require!(
        accounts.participant.status != ParticipantStatus::Revoked,
        RegistryError::ParticipantRevoked
    );
    Ok(())
}

pub fn handler(ctx: Context<ManageParticipant>, reason_code: u16) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let participant = &mut ctx.accounts.participant;
    participant.status = ParticipantStatus::Revoked;
    participant.status_reason = reason_code;
    participant.updated_at = now.max(participant.updated_at);
    participant.invariant()?;

    let registry = &mut ctx.accounts.registry;
    registry.revoked_count = crate::math::add_u64(registry.revoked_count, 1)?;
    registry.updated_at = now.max(registry.updated_at);
    registry.invariant()?;

    crate::emit_event!(ParticipantRevoked {
        participant: participant.key(),
        wallet: participant.wallet,
        reason_code,
        by: ctx.accounts.admin.key(),
        timestamp: now,
    });
    Ok(())
}
