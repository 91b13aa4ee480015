//! Consent events: the audit trail. Codes, hashes, pubkeys and timestamps only (no PHI).

use crate::state::Scope;
use anchor_lang::prelude::*;

/// A grant came into being: granted (Active), requested (Proposed) or break-glass (emergency).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantCreated {
    pub grant: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    /// The patient, a delegate, or the grantee (a request or break-glass).
    pub by: Pubkey,
    pub grant_id: u64,
    pub scope: Scope,
    pub not_before: i64,
    pub expires_at: i64,
    pub policy_hash: [u8; 32],
    pub active: bool,
    pub emergency: bool,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantApproved {
    pub grant: Pubkey,
    pub by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRejected {
    pub grant: Pubkey,
    pub by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantAmended {
    pub grant: Pubkey,
    pub by: Pubkey,
    pub scope: Scope,
    pub expires_at: i64,
    pub widened: bool,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRevoked {
    pub grant: Pubkey,
    pub by: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantClosed {
    pub grant: Pubkey,
    pub patient: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateSet {
    pub delegate: Pubkey,
    pub patient: Pubkey,
    pub guardian: Pubkey,
    pub scope: Scope,
    pub expires_at: i64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DelegateRemoved {
    pub delegate: Pubkey,
    pub patient: Pubkey,
    pub guardian: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergencyReviewed {
    pub grant: Pubkey,
    pub patient: Pubkey,
    pub timestamp: i64,
}

/// One access under a grant: the audit record.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRecorded {
    pub grant: Pubkey,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub class: u16,
    pub action: u8,
    pub purpose: u8,
    /// sha256 of the accessed resource (document, FHIR bundle…), kept off chain.
    pub resource_hash: [u8; 32],
    pub emergency: bool,
    pub access_count: u32,
    pub timestamp: i64,
}

/// The access recorded beside it read an anchored record version (`records`): the version's
/// leaf and the batch it is proven under (no record id, no content).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnchoredVersionRead {
    pub grant: Pubkey,
    pub batch: Pubkey,
    pub leaf: [u8; 32],
    pub timestamp: i64,
}
