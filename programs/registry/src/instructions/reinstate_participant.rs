use crate::error::RegistryError;
use crate::events::ParticipantReinstated;
use crate::instructions::manage::ManageParticipant;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

pub fn validate(accounts: &ManageParticipant) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    accounts.authorize(accounts.participant.roles, now)?;
    match accounts.participant.status {
        ParticipantStatus::Suspended => Ok(()),
        ParticipantStatus::Active => err!(RegistryError::NotSuspended),
        ParticipantStatus::Revoked => err!(RegistryError::ParticipantRevoked),
    }
}

pub fn handler(ctx: Context<ManageParticipant>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let participant = &mut ctx.accounts.participant;
    participant.status = ParticipantStatus::Active;
    participant.status_reason = 0;
    participant.updated_at = now.max(participant.updated_at);
    participant.invariant()?;
    crate::emit_event!(ParticipantReinstated {
        participant: participant.key(),
        wallet: participant.wallet,
        by: ctx.accounts.admin.key(),
        timestamp: now,
    });
    Ok(())
}
