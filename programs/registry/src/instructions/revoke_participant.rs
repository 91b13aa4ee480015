use crate::error::RegistryError;
use crate::events::ParticipantRevoked;
use crate::instructions::manage::*;
use crate::math::SafeMath;
use crate::state::ParticipantStatus;
use anchor_lang::prelude::*;

/// Revokes a participant for good. Revocation is terminal: the wallet can never act in any
/// caretrail program again (a new identity needs a new wallet), and the PDA stays as the public
/// record of the revocation.
#[derive(Accounts)]
pub struct RevokeParticipant<'info> {
    pub manage: ManageParticipant<'info>,
}

impl RevokeParticipant<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        self.manage.authorize(self.manage.participant.roles, now)?;
        require!(
            self.manage.participant.status != ParticipantStatus::Revoked,
            RegistryError::ParticipantRevoked
        );
        Ok(())
    }

    pub fn handler(ctx: Context<RevokeParticipant>, reason_code: u16) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let participant = &mut ctx.accounts.manage.participant;
        participant.status = ParticipantStatus::Revoked;
        participant.status_reason = reason_code;
        participant.updated_at = now.max(participant.updated_at);
        participant.invariant()?;

        let registry = &mut ctx.accounts.manage.registry;
        registry.revoked_count = registry.revoked_count.safe_add(1)?;
        registry.updated_at = now.max(registry.updated_at);
        registry.invariant()?;

        caretrail_common::emit_event!(ParticipantRevoked {
            participant: participant.key(),
            wallet: participant.wallet,
            reason_code,
            by: ctx.accounts.manage.admin.key(),
            timestamp: now,
        });
        Ok(())
    }
}
