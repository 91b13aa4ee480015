//! records: anchoring batches, superseding versions, verifying held records, accesses naming
//! an anchored version; every rejection with its exact code.

mod anchor;
mod supersede;
mod verify;

use anchor_lang::prelude::Pubkey;
use caretrail_sdk::events::{CaretrailEvent, RecordsEvent};
use caretrail_sdk::records::{self as rec, RecordProof, RecordStatus, RecordVersion};
use caretrail_sdk::registry::roles;
use caretrail_tests::*;
use records::error::RecordsError;
use solana_sdk::signature::{Keypair, Signer};

const RECORDS: Pubkey = records::ID;

fn batch(h: &Harness, address: &Pubkey) -> rec::RecordBatch {
    rec::fetch_batch(&h.ledger, address)
        .unwrap()
        .expect("batch")
}

/// Supersedes `old` by a successor with `content`, anchored by `provider`.
fn correct(h: &Harness, provider: &Keypair, old: &RecordProof, content: &[u8]) -> RecordProof {
    let (anchored, links) = h
        .records()
        .supersede_records(provider, std::slice::from_ref(old), &[content])
        .expect("supersede");
    assert_eq!(links.len(), 1);
    anchored.proofs[0].clone()
}
