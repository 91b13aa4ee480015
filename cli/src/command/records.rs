//! `caretrail records`: anchor record versions in batches (one Merkle root on chain per
//! batch), supersede a version by its correction, verify a record with its proof, export the
//! FHIR Provenance of an anchored version.

use crate::command::Execute;
use crate::context::Context;
use crate::output::{table, Output};
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::records::{
    self as rec, RecordProof, RecordStatus, RecordVersion, RecordsClient,
};
use caretrail_sdk::solana_sdk::signature::Signer;
use clap::{Args, Subcommand};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum RecordsCommand {
    /// Anchor record versions (files, or every file of a directory) in one batch, signed by
    /// the provider (--keypair); writes a proof file per record. With --supersedes, each file
    /// is the correction of the version a proof names (in order), and the old version is
    /// linked to it on chain.
    Anchor(Anchor),
    /// Verify a record against the chain with its proof: current, superseded (by which
    /// version, when, by whom), altered, or unknown. Exit status 1 unless intact.
    Verify(Verify),
    /// The FHIR R4 Provenance of an anchored version.
    Provenance(Provenance),
}

impl Execute for RecordsCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            RecordsCommand::Anchor(c) => c.execute(ctx),
            RecordsCommand::Verify(c) => c.execute(ctx),
            RecordsCommand::Provenance(c) => c.execute(ctx),
        }
    }
}

pub fn read_proof(path: &Path) -> Result<RecordProof> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    RecordProof::from_json(&text).with_context(|| format!("reading {}", path.display()))
}

/// The files named: a directory's files (sorted, not recursive; proof files left out).
fn record_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && !f.to_string_lossy().ends_with(".proof.json"))
                .collect();
            inside.sort();
            files.extend(inside);
        } else if p.is_file() {
            files.push(p.clone());
        } else {
            bail!("{} is neither a file nor a directory", p.display());
        }
    }
    if files.is_empty() {
        bail!("no record files to anchor");
    }
    Ok(files)
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

#[derive(Args, Debug)]
pub struct Anchor {
    /// Record files or directories of them.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Where the proof files go (`<file name>.proof.json`) [default: beside each record].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// The proof of the version each file corrects (repeat, in the order of the files).
    #[arg(long, value_name = "PROOF")]
    pub supersedes: Vec<PathBuf>,
}

impl Anchor {
    fn proof_path(&self, file: &Path) -> PathBuf {
        let name = format!("{}.proof.json", file_name(file));
        match &self.out {
            Some(dir) => dir.join(name),
            None => file.with_file_name(name),
        }
    }
}

impl Execute for Anchor {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let files = record_files(&self.paths)?;
        let contents: Vec<Vec<u8>> = files
            .iter()
            .map(|f| std::fs::read(f).with_context(|| format!("reading {}", f.display())))
            .collect::<Result<_>>()?;
        let signer = ctx.signer()?;
        let ledger = ctx.ledger()?;
        let client = RecordsClient::new(ledger, &signer);
        if let Some(dir) = &self.out {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let (anchored, links) = if self.supersedes.is_empty() {
            // A re-run keeps what a proof already anchors (same content), so it anchors nothing
            // twice; a file changed since is refused (it is a correction: --supersedes).
            let mut versions = Vec::new();
            for (f, bytes) in files.iter().zip(&contents) {
                let existing = self.proof_path(f);
                if existing.exists() {
                    let p = read_proof(&existing)?;
                    let v = p.version()?;
                    if v.content_hash == caretrail_sdk::hash::sha256(&[bytes]) {
                        versions.push(v);
                        continue;
                    }
                    bail!(
                        "{} changed since {} anchored it as {} v{}: anchor the change as a correction with --supersedes {}",
                        f.display(),
                        existing.display(),
                        p.record_id,
                        p.version,
                        existing.display()
                    );
                }
                versions.push(RecordVersion::first(
                    &rec::record_id_for(&file_name(f), bytes),
                    bytes,
                ));
            }
            (client.anchor_records(&signer, &versions)?, Vec::new())
        } else {
            if self.supersedes.len() != files.len() {
                bail!(
                    "{} --supersedes proofs for {} files: name one proof per corrected file, in order",
                    self.supersedes.len(),
                    files.len()
                );
            }
            let olds: Vec<RecordProof> = self
                .supersedes
                .iter()
                .map(|p| read_proof(p))
                .collect::<Result<_>>()?;
            let refs: Vec<&[u8]> = contents.iter().map(|c| c.as_slice()).collect();
            client.supersede_records(&signer, &olds, &refs)?
        };
        let mut rows = Vec::new();
        let mut written = Vec::new();
        for (f, p) in files.iter().zip(&anchored.proofs) {
            let path = self.proof_path(f);
            std::fs::write(&path, serde_json::to_string_pretty(p)?)
                .with_context(|| format!("writing {}", path.display()))?;
            rows.push(vec![
                f.display().to_string(),
                p.record_id.clone(),
                format!("v{}", p.version),
                path.display().to_string(),
            ]);
            written.push(json!({
                "file": f.display().to_string(),
                "record_id": p.record_id,
                "version": p.version,
                "leaf": p.leaf,
                "proof": path.display().to_string(),
            }));
        }
        let signature = anchored.outcome.as_ref().map(|o| o.signature.to_string());
        let human = format!(
            "{} record version(s) anchored in batch {} (root {}){}{}\n{}",
            files.len(),
            anchored.batch,
            caretrail_sdk::util::hex(&anchored.root),
            match &signature {
                Some(s) => format!("\nsignature: {s}"),
                None => "\n(already anchored: nothing sent)".into(),
            },
            if links.is_empty() {
                String::new()
            } else {
                format!(
                    "\n{} superseded version(s) linked to their corrections",
                    files.len()
                )
            },
            table(&["file", "record", "version", "proof"], &rows),
        );
        Ok(Output::new(
            json!({
                "batch": anchored.batch.to_string(),
                "root": caretrail_sdk::util::hex(&anchored.root),
                "provider": signer.pubkey().to_string(),
                "signature": signature,
                "links": links.iter().map(|l| l.signature.to_string()).collect::<Vec<_>>(),
                "records": written,
            }),
            human,
        ))
    }
}

#[derive(Args, Debug)]
pub struct Verify {
    /// The record file as held.
    pub file: PathBuf,
    /// Its proof file.
    #[arg(long, value_name = "PROOF")]
    pub proof: PathBuf,
}

impl Execute for Verify {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?;
        let proof = read_proof(&self.proof)?;
        let v = rec::verify_record(ctx.ledger()?, &bytes, &proof)?;
        let t = caretrail_sdk::util::rfc3339;
        let human = match &v.status {
            RecordStatus::Current { version, anchored_at, provider } => format!(
                "INTACT, CURRENT: {} v{version}, anchored {} by {provider}",
                v.record_id,
                t(*anchored_at)
            ),
            RecordStatus::Superseded { version, by_version, at, provider, latest_version, .. } => format!(
                "INTACT, SUPERSEDED: {} v{version} was superseded by v{by_version} at {} by {provider} (latest v{latest_version})",
                v.record_id,
                t(*at)
            ),
            RecordStatus::Altered { version, expected_content_hash, actual_content_hash } => format!(
                "ALTERED: {} is not {} v{version} as anchored (content sha256 {actual_content_hash}, anchored {expected_content_hash})",
                self.file.display(),
                v.record_id
            ),
            RecordStatus::Unknown { reason } => format!("UNKNOWN: {reason}"),
        };
        let negative = !v.is_intact();
        Ok(Output::new(serde_json::to_value(&v)?, human).alert(negative))
    }
}

#[derive(Args, Debug)]
pub struct Provenance {
    /// The version's proof file.
    #[arg(long, value_name = "PROOF")]
    pub proof: PathBuf,
    /// How your system names the record (e.g. `MedicationStatement/ms-1`) [default: the
    /// proof's record id].
    #[arg(long, value_name = "REFERENCE")]
    pub reference: Option<String>,
}

impl Execute for Provenance {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let proof = read_proof(&self.proof)?;
        let address = proof.batch_address()?;
        let batch = rec::fetch_batch(ctx.ledger()?, &address)?
            .ok_or_else(|| caretrail_sdk::Error::not_found("record batch", address))?;
        let p = rec::fhir::provenance(&proof, &batch, self.reference.as_deref());
        let human = serde_json::to_string_pretty(&p)?;
        Ok(Output::new(p, human))
    }
}
