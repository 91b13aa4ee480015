//! Events of the claims program (codes, hashes, pubkeys and timestamps only; no PHI).

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimsConfigInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub timestamp: i64,
}
