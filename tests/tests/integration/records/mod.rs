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

/// `provider` sends one `supersede` of `args` from `old_batch` to `new_batch`, as built (an
/// attack test edits `args` first).
pub(crate) fn send_link(
    h: &Harness,
    provider: &Keypair,
    old_batch: &Pubkey,
    new_batch: &Pubkey,
    args: rec::SupersedeArgs,
) -> caretrail_sdk::Result<caretrail_sdk::TxOutcome> {
    h.send(
        &[provider],
        &[rec::supersede_ix(
            &provider.pubkey(),
            old_batch,
            new_batch,
            args,
        )],
    )
}

/// A version anchored by `provider`, its successor anchored, and the unsent `supersede` that
/// links them (an attack test edits it first).
pub(crate) fn pending_correction(
    h: &Harness,
    provider: &Keypair,
) -> (
    rec::AnchoredBatch,
    rec::AnchoredBatch,
    solana_sdk::instruction::Instruction,
) {
    let a = h.anchor(provider, &[("r", b"v1")]);
    let next = RecordVersion::successor(&a.proofs[0], b"v2").unwrap();
    let b = h.records().anchor_records(provider, &[next]).unwrap();
    let args = rec::supersede_args(&a.proofs[0], &b.proofs[0]).unwrap();
    let ix = rec::supersede_ix(&provider.pubkey(), &a.batch, &b.batch, args);
    (a, b, ix)
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
