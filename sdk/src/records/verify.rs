//! Verifying a record someone holds, with its proof, against the chain.

use super::*;

/// What the chain says of a record and its proof.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum RecordStatus {
    /// The bytes are the anchored version, and no successor is anchored.
    Current {
        version: u32,
        anchored_at: i64,
        #[serde(serialize_with = "crate::util::ser_display")]
        provider: Pubkey,
    },
    /// The bytes are the anchored version, which a later version superseded: `by_version`
    /// (anchored `at` by `provider`); `latest_version` is the end of the chain.
    Superseded {
        version: u32,
        anchored_at: i64,
        by_version: u32,
        at: i64,
        #[serde(serialize_with = "crate::util::ser_display")]
        provider: Pubkey,
        latest_version: u32,
    },
    /// The proof is anchored, but the bytes are not what was anchored.
    Altered {
        version: u32,
        expected_content_hash: String,
        actual_content_hash: String,
    },
    /// The proof names nothing the chain anchored (no such batch, another root, or a path that
    /// does not lead to it).
    Unknown { reason: String },
}

/// The verdict: the status, and the version's batch and leaf.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordVerification {
    pub record_id: String,
    pub leaf: String,
    pub batch: String,
    #[serde(flatten)]
    pub status: RecordStatus,
}

impl RecordVerification {
    /// Intact (current or superseded).
    pub fn is_intact(&self) -> bool {
        matches!(
            self.status,
            RecordStatus::Current { .. } | RecordStatus::Superseded { .. }
        )
    }

    pub fn word(&self) -> &'static str {
        match self.status {
            RecordStatus::Current { .. } => "current",
            RecordStatus::Superseded { .. } => "superseded",
            RecordStatus::Altered { .. } => "altered",
            RecordStatus::Unknown { .. } => "unknown",
        }
    }
}

/// Longest chain of versions followed (a guard; each link is one account read).
pub const MAX_CHAIN: usize = 10_000;

/// Verifies `bytes` with `proof` against the chain: the proof's own fields (commitment, leaf),
/// its path to the anchored batch's root, the content hash of the bytes, and the links from
/// this version to its successors.
pub fn verify_record(
    ledger: &dyn Ledger,
    bytes: &[u8],
    proof: &RecordProof,
) -> Result<RecordVerification> {
    let version = proof.version()?;
    let leaf = version.leaf().hash();
    let verdict = |status| RecordVerification {
        record_id: proof.record_id.clone(),
        leaf: hex(&leaf),
        batch: proof.batch.clone(),
        status,
    };
    let unknown = |reason: String| verdict(RecordStatus::Unknown { reason });
    if hex(&leaf) != proof.leaf {
        return Ok(unknown(
            "the proof's leaf is not the hash of its own fields".into(),
        ));
    }
    let address = proof.batch_address()?;
    let Some(batch) = fetch_batch(ledger, &address)? else {
        return Ok(unknown(format!("no batch is anchored at {address}")));
    };
    if batch.root != proof.root_hash()? || batch.provider != proof.provider_key()? {
        return Ok(unknown(format!(
            "the batch at {address} has another root or provider than the proof says"
        )));
    }
    if !batch.contains(&leaf, &proof.siblings()?) {
        return Ok(unknown(
            "the proof's path does not lead to the batch's root".into(),
        ));
    }
    let actual = sha256(&[bytes]);
    if actual != version.content_hash {
        return Ok(verdict(RecordStatus::Altered {
            version: version.version,
            expected_content_hash: hex(&version.content_hash),
            actual_content_hash: hex(&actual),
        }));
    }
    let Some(first) = fetch_link(ledger, &link_pda(&address, &leaf).0)? else {
        return Ok(verdict(RecordStatus::Current {
            version: version.version,
            anchored_at: batch.anchored_at,
            provider: batch.provider,
        }));
    };
    let mut latest = first.new_version;
    let (mut batch_at, mut leaf_at) = (first.new_batch, first.new_leaf);
    for _ in 0..MAX_CHAIN {
        match fetch_link(ledger, &link_pda(&batch_at, &leaf_at).0)? {
            Some(next) => {
                latest = next.new_version;
                (batch_at, leaf_at) = (next.new_batch, next.new_leaf);
            }
            None => break,
        }
    }
    Ok(verdict(RecordStatus::Superseded {
        version: version.version,
        anchored_at: batch.anchored_at,
        by_version: first.new_version,
        at: first.superseded_at,
        provider: first.provider,
        latest_version: latest,
    }))
}
