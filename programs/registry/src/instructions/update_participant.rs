use crate::constants::GLN_LEN;
use crate::error::RegistryError;
use crate::events::ParticipantUpdated;
use crate::instructions::manage::*;
use crate::state::{require_valid_gln, validate_roles, ParticipantStatus};
use anchor_lang::prelude::*;

/// Fields to change; `None` keeps the current value. At least one must be set.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct UpdateParticipantArgs {
    pub roles: Option<u16>,
    pub gln: Option<[u8; GLN_LEN]>,
    pub credential_commitment: Option<[u8; 32]>,
    pub valid_until: Option<i64>,
}

/// Changes roles, GLN, credential commitment or validity of a participant.
#[derive(Accounts)]
pub struct UpdateParticipant<'info> {
    pub manage: ManageParticipant<'info>,
}

impl UpdateParticipant<'_> {
    pub fn validate(&self, args: &UpdateParticipantArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let new_roles = args.roles.unwrap_or(self.manage.participant.roles);
        self.manage.authorize(new_roles, now)?;
        require!(
            self.manage.participant.status != ParticipantStatus::Revoked,
            RegistryError::ParticipantRevoked
        );
        require!(
            args.roles.is_some()
                || args.gln.is_some()
                || args.credential_commitment.is_some()
                || args.valid_until.is_some(),
            RegistryError::EmptyUpdate
        );
        if let Some(r) = args.roles {
            validate_roles(r)?;
        }
        if let Some(gln) = &args.gln {
            require_valid_gln(gln)?;
        }
        if let Some(c) = &args.credential_commitment {
            require!(*c != [0u8; 32], RegistryError::InvalidCommitment);
        }
        if let Some(v) = args.valid_until {
            require!(v > now, RegistryError::InvalidValidity);
        }
        Ok(())
    }

    pub fn handler(ctx: Context<UpdateParticipant>, args: UpdateParticipantArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let participant = &mut ctx.accounts.manage.participant;
        if let Some(r) = args.roles {
            participant.roles = r;
        }
        if let Some(gln) = args.gln {
            participant.gln = gln;
        }
        if let Some(c) = args.credential_commitment {
            participant.credential_commitment = c;
        }
        if let Some(v) = args.valid_until {
            participant.valid_until = v;
        }
        participant.updated_at = now.max(participant.updated_at);
        participant.invariant()?;
        caretrail_common::emit_event!(ParticipantUpdated {
            participant: participant.key(),
            wallet: participant.wallet,
            roles: participant.roles,
            gln: participant.gln,
            credential_commitment: participant.credential_commitment,
            valid_until: participant.valid_until,
            updated_by: ctx.accounts.manage.admin.key(),
            timestamp: now,
        });
        Ok(())
    }
}
