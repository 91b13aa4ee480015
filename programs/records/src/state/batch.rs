use crate::constants::{ACCOUNT_VERSION, MAX_LEAVES};
use crate::error::RecordsError;
use anchor_lang::prelude::*;

/// An anchored batch of record versions: PDA `["record_batch", provider, root]`. What is
/// anchored is the root; the leaves stay with the provider (and a proof with each record).
#[account]
#[derive(InitSpace, Debug)]
pub struct RecordBatch {
    pub version: u8,
    pub bump: u8,
    pub provider: Pubkey,
    pub root: [u8; 32],
    pub leaves: u32,
    pub anchored_at: i64,
    pub slot: u64,
}

impl RecordBatch {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            RecordsError::InvariantViolation
        );
        require!(
            self.root != [0; 32] && self.leaves >= 1 && self.leaves <= MAX_LEAVES,
            RecordsError::InvariantViolation
        );
        Ok(())
    }

    /// Is `leaf` under this batch's root?
    pub fn contains(&self, leaf: &[u8; 32], proof: &[[u8; 32]]) -> bool {
        caretrail_common::merkle::verify(leaf, proof, &self.root)
    }
}

/// One record version, as hashed into a leaf: the salted record commitment (`sha256(salt ‖
/// record id)`), its version from 1, the hash of its content and the previous version's leaf
/// (zeros for version 1).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct RecordLeaf {
    pub record: [u8; 32],
    pub version: u32,
    pub content_hash: [u8; 32],
    pub previous: [u8; 32],
}

impl RecordLeaf {
    pub fn hash(&self) -> [u8; 32] {
        caretrail_common::merkle::record_leaf(
            &self.record,
            self.version,
            &self.content_hash,
            &self.previous,
        )
    }
}
