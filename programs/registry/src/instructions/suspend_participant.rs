use crate::error::RegistryError;
use crate::events::ParticipantSuspended;
use crate::instructions::manage::ManageParticipant;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

pub fn validate(accounts: &ManageParticipant) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    accounts.authorize(accounts.participant.roles, now)?;
    match accounts.participant.status {
        ParticipantStatus::Active => Ok(()),
        ParticipantStatus::Suspended => err!(RegistryError::ParticipantSuspended),
        ParticipantStatus::Revoked => err!(RegistryError::ParticipantRevoked),
    }
}

pub fn handler(ctx: Context<ManageParticipant>, reason_code: u16) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let participant = &mut ctx.accounts.participant;
    participant.status = ParticipantStatus::Suspended;
    participant.status_reason = reason_code;
    participant.updated_at = now.max(participant.updated_at);
    participant.invariant()?;
    crate::emit_event!(ParticipantSuspended {
        participant: participant.key(),
        wallet: participant.wallet,
        reason_code,
        by: ctx.accounts.admin.key(),
        timestamp: now,
    });
    Ok(())
}
