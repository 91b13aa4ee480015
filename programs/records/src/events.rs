//! Records events. Only commitments and hashes: a record id, its content and its patient never
//! appear (the record commitment is salted by the provider).

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchAnchored {
    pub batch: Pubkey,
    pub provider: Pubkey,
    pub root: [u8; 32],
    pub leaves: u32,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionSuperseded {
    /// The link account `["superseded", old batch, old leaf]`.
    pub link: Pubkey,
    pub record: [u8; 32],
    pub old_batch: Pubkey,
    pub old_leaf: [u8; 32],
    pub old_version: u32,
    pub new_batch: Pubkey,
    pub new_leaf: [u8; 32],
    pub new_version: u32,
    pub provider: Pubkey,
    pub timestamp: i64,
}
