use crate::constants::GLN_LEN;
use crate::error::RegistryError;
use crate::events::ParticipantUpdated;
use crate::instructions::manage::ManageParticipant;
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

pub fn validate(accounts: &ManageParticipant, args: &UpdateParticipantArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let new_roles = args.roles.unwrap_or(accounts.participant.roles);
    accounts.authorize(new_roles, now)?;
    require!(
        accounts.participant.status != ParticipantStatus::Revoked,
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

pub fn handler(ctx: Context<ManageParticipant>, args: UpdateParticipantArgs) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let participant = &mut ctx.accounts.participant;
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
    crate::emit_event!(ParticipantUpdated {
        participant: participant.key(),
        wallet: participant.wallet,
        roles: participant.roles,
        gln: participant.gln,
        credential_commitment: participant.credential_commitment,
        valid_until: participant.valid_until,
        updated_by: ctx.accounts.admin.key(),
        timestamp: now,
    });
    Ok(())
}
