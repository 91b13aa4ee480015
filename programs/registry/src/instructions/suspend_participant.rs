use crate::error::RegistryError;
use crate::events::ParticipantSuspended;
use crate::instructions::manage::*;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

/// Suspends an active participant (reversible).
#[derive(Accounts)]
pub struct SuspendParticipant<'info> {
    pub manage: ManageParticipant<'info>,
}

impl SuspendParticipant<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        self.manage.authorize(self.manage.participant.roles, now)?;
        match self.manage.participant.status {
            ParticipantStatus::Active => Ok(()),
            ParticipantStatus::Suspended => err!(RegistryError::ParticipantSuspended),
            ParticipantStatus::Revoked => err!(RegistryError::ParticipantRevoked),
        }
    }

    pub fn handler(ctx: Context<SuspendParticipant>, reason_code: u16) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let participant = &mut ctx.accounts.manage.participant;
        participant.status = ParticipantStatus::Suspended;
        participant.status_reason = reason_code;
        participant.updated_at = now.max(participant.updated_at);
        participant.invariant()?;
        caretrail_common::emit_event!(ParticipantSuspended {
            participant: participant.key(),
            wallet: participant.wallet,
            reason_code,
            by: ctx.accounts.manage.admin.key(),
            timestamp: now,
        });
        Ok(())
    }
}
