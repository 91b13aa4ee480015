//! Records: anchor versions of health records in batches (one Merkle root per batch, any number
//! of records per transaction), supersede a version by its corrected successor, and verify a
//! record someone holds against the chain with its proof. No record, record id or patient
//! reaches the chain: a record is named by a salted commitment, its content by its hash.
//!
//! Anchor and verify: a provider anchors a medication list; whoever is later handed the file
//! and its proof checks it:
//!
//! ```no_run
//! use caretrail_sdk::records::{self, RecordVersion, RecordsClient, RecordStatus};
//!
//! fn anchor_and_verify(
//!     ledger: &dyn caretrail_sdk::Ledger,
//!     provider: &caretrail_sdk::solana_sdk::signature::Keypair,
//! ) -> caretrail_sdk::Result<()> {
//!     let list = br#"{"resourceType":"MedicationStatement","id":"ms-1"}"#;
//!     let version = RecordVersion::first("MedicationStatement/ms-1", list);
//!     let anchored = RecordsClient::new(ledger, provider).anchor_records(provider, &[version])?;
//!     let verdict = records::verify_record(ledger, list, &anchored.proofs[0])?;
//!     assert!(matches!(verdict.status, RecordStatus::Current { .. }));
//!     Ok(())
//! }
//! ```

use crate::account::fetch_owned;
use crate::hash::sha256;
use crate::ledger::{send_instructions, Ledger, TxOutcome};
use crate::registry::participant_pda;
use crate::util::{hex, parse_hex};
use crate::{Error, Result};
use anchor_lang::{InstructionData, ToAccountMetas};
pub use caretrail_common::merkle;
use records::constants::{SEED_BATCH, SEED_SUPERSEDED};
pub use records::state::{RecordBatch, RecordLeaf, Superseded};
pub use records::{AnchorBatchArgs, SupersedeArgs};
use serde::{Deserialize, Serialize};
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

pub mod fhir;
mod verify;
pub use verify::*;

pub const PROGRAM_ID: Pubkey = records::ID;

/// Most supersede instructions per transaction (each carries two proofs).
pub const SUPERSEDES_PER_TX: usize = 2;

pub fn batch_pda(provider: &Pubkey, root: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_BATCH, provider.as_ref(), root], &PROGRAM_ID)
}

pub fn link_pda(batch: &Pubkey, leaf: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_SUPERSEDED, batch.as_ref(), leaf], &PROGRAM_ID)
}

/// The record's name on chain: `sha256("caretrail:record-id:v1" ‖ salt ‖ record id)`.
pub fn record_commitment(salt: &[u8; 32], record_id: &str) -> [u8; 32] {
    sha256(&[b"caretrail:record-id:v1", salt, record_id.as_bytes()])
}

/// One version of a record, as its provider knows it (the record id and salt stay off chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordVersion {
    pub record_id: String,
    pub salt: [u8; 32],
    pub version: u32,
    pub content_hash: [u8; 32],
    /// The previous version's leaf (zeros for version 1).
    pub previous: [u8; 32],
}

impl RecordVersion {
    /// Version 1 of a record, with a fresh salt.
    pub fn first(record_id: &str, content: &[u8]) -> RecordVersion {
        Self::first_salted(record_id, crate::hash::random_salt(), content)
    }

    pub fn first_salted(record_id: &str, salt: [u8; 32], content: &[u8]) -> RecordVersion {
        RecordVersion {
            record_id: record_id.to_string(),
            salt,
            version: 1,
            content_hash: sha256(&[content]),
            previous: [0; 32],
        }
    }

    /// The version after `proof`'s, with new content.
    pub fn successor(proof: &RecordProof, content: &[u8]) -> Result<RecordVersion> {
        let prior = proof.version()?;
        Ok(RecordVersion {
            record_id: prior.record_id.clone(),
            salt: prior.salt,
            version: prior
                .version
                .checked_add(1)
                .ok_or_else(|| Error::invalid("version overflow"))?,
            content_hash: sha256(&[content]),
            previous: prior.leaf().hash(),
        })
    }

    pub fn leaf(&self) -> RecordLeaf {
        RecordLeaf {
            record: record_commitment(&self.salt, &self.record_id),
            version: self.version,
            content_hash: self.content_hash,
            previous: self.previous,
        }
    }
}

/// What a record's holder keeps beside it: the version, the batch it is anchored in and the
/// Merkle path to the batch's root. A JSON file (`*.proof.json`); it holds the record id and
/// its salt, so it is as private as the record itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordProof {
    pub format: String,
    pub record_id: String,
    pub salt: String,
    pub record: String,
    pub version: u32,
    pub content_hash: String,
    pub previous: String,
    pub leaf: String,
    pub batch: String,
    pub provider: String,
    pub root: String,
    pub path: Vec<String>,
    /// The anchoring transaction.
    pub signature: String,
}

pub const PROOF_FORMAT: &str = "caretrail-record-proof/1";

fn hex32(what: &str, s: &str) -> Result<[u8; 32]> {
    parse_hex(s)
        .and_then(|v| <[u8; 32]>::try_from(v).ok())
        .ok_or_else(|| Error::invalid(format!("proof: {what} is not 32 bytes of hex: {s:?}")))
}

fn pubkey(what: &str, s: &str) -> Result<Pubkey> {
    s.parse()
        .map_err(|_| Error::invalid(format!("proof: {what} is not a public key: {s:?}")))
}

impl RecordProof {
    pub fn from_json(text: &str) -> Result<RecordProof> {
        let p: RecordProof = serde_json::from_str(text).map_err(|e| {
            Error::invalid(format!(
                "not a caretrail record proof (line {}, column {}): {e}",
                e.line(),
                e.column()
            ))
        })?;
        if p.format != PROOF_FORMAT {
            return Err(Error::invalid(format!(
                "proof format {:?}, expected {PROOF_FORMAT:?}",
                p.format
            )));
        }
        Ok(p)
    }

    /// The version this proof is about (its fields checked against each other).
    pub fn version(&self) -> Result<RecordVersion> {
        let v = RecordVersion {
            record_id: self.record_id.clone(),
            salt: hex32("salt", &self.salt)?,
            version: self.version,
            content_hash: hex32("content_hash", &self.content_hash)?,
            previous: hex32("previous", &self.previous)?,
        };
        if hex(&v.leaf().record) != self.record {
            return Err(Error::invalid(
                "proof: the record commitment does not match its record id and salt",
            ));
        }
        Ok(v)
    }

    pub fn leaf_hash(&self) -> Result<[u8; 32]> {
        hex32("leaf", &self.leaf)
    }

    pub fn root_hash(&self) -> Result<[u8; 32]> {
        hex32("root", &self.root)
    }

    pub fn batch_address(&self) -> Result<Pubkey> {
        pubkey("batch", &self.batch)
    }

    pub fn provider_key(&self) -> Result<Pubkey> {
        pubkey("provider", &self.provider)
    }

    pub fn siblings(&self) -> Result<Vec<[u8; 32]>> {
        self.path.iter().map(|s| hex32("path", s)).collect()
    }
}

/// A batch the provider anchored: its account, root, one proof per version (in order) and the
/// transaction.
#[derive(Debug, Clone)]
pub struct AnchoredBatch {
    pub batch: Pubkey,
    pub root: [u8; 32],
    pub proofs: Vec<RecordProof>,
    /// The anchoring transaction; `None` when the batch was already anchored (a re-run).
    pub outcome: Option<TxOutcome>,
}

/// The Merkle root and proofs of `versions` (in order), for `provider`.
pub fn build_batch(
    provider: &Pubkey,
    versions: &[RecordVersion],
) -> Result<(Pubkey, [u8; 32], Vec<RecordProof>)> {
    if versions.is_empty() {
        return Err(Error::invalid("a batch needs at least one record version"));
    }
    if versions.len() > merkle::MAX_LEAVES as usize {
        return Err(Error::invalid(format!(
            "a batch has at most {} leaves",
            merkle::MAX_LEAVES
        )));
    }
    let records: Vec<RecordLeaf> = versions.iter().map(RecordVersion::leaf).collect();
    let leaves: Vec<[u8; 32]> = records.iter().map(RecordLeaf::hash).collect();
    let mut seen = std::collections::HashSet::new();
    for (i, l) in leaves.iter().enumerate() {
        if !seen.insert(*l) {
            return Err(Error::invalid(format!(
                "record version {} ({} v{}) is in the batch twice",
                i + 1,
                versions[i].record_id,
                versions[i].version
            )));
        }
    }
    let tree = merkle::levels(&leaves);
    let root = tree.last().expect("non-empty")[0];
    let batch = batch_pda(provider, &root).0;
    let (batch_text, provider_text, root_text) =
        (batch.to_string(), provider.to_string(), hex(&root));
    let proofs = versions
        .iter()
        .enumerate()
        .map(|(i, v)| RecordProof {
            format: PROOF_FORMAT.to_string(),
            record_id: v.record_id.clone(),
            salt: hex(&v.salt),
            record: hex(&records[i].record),
            version: v.version,
            content_hash: hex(&v.content_hash),
            previous: hex(&v.previous),
            leaf: hex(&leaves[i]),
            batch: batch_text.clone(),
            provider: provider_text.clone(),
            root: root_text.clone(),
            path: merkle::proof_in(&tree, i)
                .expect("index in range")
                .iter()
                .map(|h| hex(h))
                .collect(),
            signature: String::new(),
        })
        .collect();
    Ok((batch, root, proofs))
}

pub fn anchor_batch_ix(provider: &Pubkey, root: [u8; 32], leaves: u32) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: records::accounts::AnchorBatch {
            batch: batch_pda(provider, &root).0,
            provider: *provider,
            provider_participant: participant_pda(provider).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: records::instruction::AnchorBatch {
            args: AnchorBatchArgs { root, leaves },
        }
        .data(),
    }
}

/// Supersedes `old` (anchored in `old_batch`) by `new` (anchored in `new_batch`).
pub fn supersede_ix(
    provider: &Pubkey,
    old_batch: &Pubkey,
    new_batch: &Pubkey,
    args: SupersedeArgs,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: records::accounts::Supersede {
            old_batch: *old_batch,
            new_batch: *new_batch,
            link: link_pda(old_batch, &args.old.hash()).0,
            provider: *provider,
            provider_participant: participant_pda(provider).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: records::instruction::Supersede { args }.data(),
    }
}

/// The supersede arguments for `old` → `new` (both proofs).
pub fn supersede_args(old: &RecordProof, new: &RecordProof) -> Result<SupersedeArgs> {
    Ok(SupersedeArgs {
        old: old.version()?.leaf(),
        old_proof: old.siblings()?,
        new: new.version()?.leaf(),
        new_proof: new.siblings()?,
    })
}

pub fn fetch_batch(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<RecordBatch>> {
    fetch_owned(ledger, address, &PROGRAM_ID)
}

pub fn fetch_link(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Superseded>> {
    fetch_owned(ledger, address, &PROGRAM_ID)
}

/// Sends records instructions; `fee_payer` pays fees (the provider pays rent).
pub struct RecordsClient<'a> {
    pub ledger: &'a dyn Ledger,
    pub fee_payer: &'a Keypair,
}

impl<'a> RecordsClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        RecordsClient { ledger, fee_payer }
    }

    /// Anchors `versions` as one batch (one transaction, whatever their number) and returns a
    /// proof per version. Re-running with the same versions finds the batch already anchored
    /// and returns the same proofs with the original transaction unknown (`signature` empty).
    pub fn anchor_records(
        &self,
        provider: &Keypair,
        versions: &[RecordVersion],
    ) -> Result<AnchoredBatch> {
        let (batch, root, mut proofs) = build_batch(&provider.pubkey(), versions)?;
        let outcome = match fetch_batch(self.ledger, &batch)? {
            Some(b) if b.root == root => None,
            _ => Some(send_instructions(
                self.ledger,
                self.fee_payer,
                &[provider],
                &[anchor_batch_ix(
                    &provider.pubkey(),
                    root,
                    versions.len() as u32,
                )],
            )?),
        };
        if let Some(o) = &outcome {
            for p in &mut proofs {
                p.signature = o.signature.to_string();
            }
        }
        Ok(AnchoredBatch {
            batch,
            root,
            proofs,
            outcome,
        })
    }

    /// Anchors the successors of `olds` (new content for each, in order) in one batch, then
    /// links each old version to its successor ([`SUPERSEDES_PER_TX`] per transaction; a link
    /// that exists already is skipped, so a failed run can be re-run). Returns the new batch
    /// and the link transactions.
    pub fn supersede_records(
        &self,
        provider: &Keypair,
        olds: &[RecordProof],
        contents: &[&[u8]],
    ) -> Result<(AnchoredBatch, Vec<TxOutcome>)> {
        if olds.len() != contents.len() {
            return Err(Error::invalid(format!(
                "{} superseded versions but {} new contents",
                olds.len(),
                contents.len()
            )));
        }
        for old in olds {
            if old.provider_key()? != provider.pubkey() {
                return Err(Error::Forbidden(format!(
                    "{} v{} was anchored by {}; only that provider supersedes it",
                    old.record_id, old.version, old.provider
                )));
            }
        }
        let versions = olds
            .iter()
            .zip(contents)
            .map(|(old, content)| RecordVersion::successor(old, content))
            .collect::<Result<Vec<_>>>()?;
        let anchored = self.anchor_records(provider, &versions)?;
        let mut links = Vec::new();
        let pairs: Vec<(&RecordProof, &RecordProof)> = olds.iter().zip(&anchored.proofs).collect();
        let mut pending = Vec::new();
        for (old, new) in pairs {
            let link = link_pda(&old.batch_address()?, &old.leaf_hash()?).0;
            match fetch_link(self.ledger, &link)? {
                None => pending.push((old, new)),
                Some(l) if l.new_leaf == new.leaf_hash()? => {}
                Some(l) => {
                    return Err(Error::Conflict(format!(
                        "{} v{} is already superseded by v{} (leaf {})",
                        old.record_id,
                        old.version,
                        l.new_version,
                        hex(&l.new_leaf)
                    )))
                }
            }
        }
        for chunk in pending.chunks(SUPERSEDES_PER_TX) {
            let ixs = chunk
                .iter()
                .map(|(old, new)| {
                    Ok(supersede_ix(
                        &provider.pubkey(),
                        &old.batch_address()?,
                        &anchored.batch,
                        supersede_args(old, new)?,
                    ))
                })
                .collect::<Result<Vec<_>>>()?;
            links.push(send_instructions(
                self.ledger,
                self.fee_payer,
                &[provider],
                &ixs,
            )?);
        }
        Ok((anchored, links))
    }
}

/// The record id a file is anchored under: `Type/id` of a FHIR resource (JSON with
/// `resourceType` and `id`), else the file's name.
pub fn record_id_for(file_name: &str, bytes: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(bytes)
        .ok()
        .and_then(|v| {
            let t = v.get("resourceType")?.as_str()?.to_string();
            let id = v.get("id")?.as_str()?.to_string();
            Some(format!("{t}/{id}"))
        })
        .unwrap_or_else(|| file_name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_proves_each_version_and_a_successor_links_to_it() {
        let provider = Pubkey::new_unique();
        let a = RecordVersion::first_salted("MedicationStatement/1", [1; 32], b"v1");
        let b = RecordVersion::first_salted("Observation/2", [2; 32], b"x");
        let (batch, root, proofs) = build_batch(&provider, &[a.clone(), b]).unwrap();
        assert_eq!(batch, batch_pda(&provider, &root).0);
        for p in &proofs {
            let leaf = p.version().unwrap().leaf().hash();
            assert!(merkle::verify(&leaf, &p.siblings().unwrap(), &root));
            let back = RecordProof::from_json(&serde_json::to_string(p).unwrap()).unwrap();
            assert_eq!(&back, p);
        }
        let next = RecordVersion::successor(&proofs[0], b"v2").unwrap();
        assert_eq!((next.version, next.salt), (2, a.salt));
        assert_eq!(next.previous, a.leaf().hash());
        assert_eq!(
            next.leaf().record,
            a.leaf().record,
            "same record commitment"
        );
        let err = build_batch(&provider, &[a.clone(), a]).unwrap_err();
        assert!(err.to_string().contains("twice"), "{err}");
        let mut forged = proofs[0].clone();
        forged.record_id = "MedicationStatement/9".into();
        assert!(forged.version().is_err(), "commitment bound to id and salt");
    }

    #[test]
    fn record_ids_come_from_fhir_or_the_file_name() {
        let fhir = br#"{"resourceType":"MedicationStatement","id":"ms-1"}"#;
        assert_eq!(record_id_for("a.json", fhir), "MedicationStatement/ms-1");
        assert_eq!(record_id_for("note.txt", b"free text"), "note.txt");
    }
}
