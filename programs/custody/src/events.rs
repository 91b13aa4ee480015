//! Events of the custody program (codes, hashes, pubkeys and timestamps only; no PHI).

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustodyConfigInitialized {
    pub config: Pubkey,
    pub authority: Pubkey,
    pub timestamp: i64,
}
