//! Events: one per state change. Only pubkeys, codes, hashes and timestamps (no PHI).

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistryInitialized {
    pub registry: Pubkey,
    pub authority: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityProposed {
    pub authority: Pubkey,
    /// `Pubkey::default()` cancels a pending handover.
    pub pending_authority: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorityAccepted {
    pub previous_authority: Pubkey,
    pub authority: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRegistered {
    pub participant: Pubkey,
    pub wallet: Pubkey,
    pub roles: u16,
    pub gln: [u8; 13],
    pub credential_commitment: [u8; 32],
    pub valid_until: i64,
    pub registered_by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantUpdated {
    pub participant: Pubkey,
    pub wallet: Pubkey,
    pub roles: u16,
    pub gln: [u8; 13],
    pub credential_commitment: [u8; 32],
    pub valid_until: i64,
    pub updated_by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantSuspended {
    pub participant: Pubkey,
    pub wallet: Pubkey,
    pub reason_code: u16,
    pub by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantReinstated {
    pub participant: Pubkey,
    pub wallet: Pubkey,
    pub by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantRevoked {
    pub participant: Pubkey,
    pub wallet: Pubkey,
    pub reason_code: u16,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// A GS1 Company Prefix was licensed to a participant.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixAssigned {
    pub company_prefix: Pubkey,
    pub prefix: [u8; 12],
    pub holder: Pubkey,
    pub timestamp: i64,
}

/// A GS1 Company Prefix was taken back.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixRevoked {
    pub company_prefix: Pubkey,
    pub prefix: [u8; 12],
    pub holder: Pubkey,
    pub timestamp: i64,
}
