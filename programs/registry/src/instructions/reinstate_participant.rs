use crate::error::RegistryError;
use crate::events::ParticipantReinstated;
use crate::instructions::manage::*;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

/// Reinstates a suspended participant.
#[derive(Accounts)]
pub struct ReinstateParticipant<'info> {
    pub manage: ManageParticipant<'info>,
}

impl ReinstateParticipant<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        self.manage.authorize(self.manage.participant.roles, now)?;
        match self.manage.participant.status {
            ParticipantStatus::Suspended => Ok(()),
            ParticipantStatus::Active => err!(RegistryError::NotSuspended),
            ParticipantStatus::Revoked => err!(RegistryError::ParticipantRevoked),
        }
    }

    pub fn handler(ctx: Context<ReinstateParticipant>) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let participant = &mut ctx.accounts.manage.participant;
        participant.status = ParticipantStatus::Active;
        participant.status_reason = 0;
        participant.updated_at = now.max(participant.updated_at);
        participant.invariant()?;
        caretrail_common::emit_event!(ParticipantReinstated {
            participant: participant.key(),
            wallet: participant.wallet,
            by: ctx.accounts.manage.admin.key(),
            timestamp: now,
        });
        Ok(())
    }
}
