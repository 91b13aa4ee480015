//! `caretrail trials`: a clinical-trial registry (register, sites, enrolment through research
//! consent, amendments, data locks, results) and its audit.

use crate::args;
use crate::command::Execute;
use crate::context::Context;
use crate::output::{table, Output};
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::events::{CaretrailEvent, TrialsEvent};
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use caretrail_sdk::trials::{
    self as tri, AmendTrialArgs, LockKind, RegisterTrialArgs, ResultsArgs, TrialHashes,
    TrialsClient,
};
use caretrail_sdk::util::{hex, rfc3339};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum TrialsCommand {
    /// Register a trial (sponsor: --keypair): the hashes of its protocol, pre-specified
    /// primary and secondary outcomes and eligibility criteria, its planned enrolment and its
    /// lead investigator. Before enrolment opens.
    Register(Register),
    /// Add a site: its investigator may enrol (sponsor).
    AddSite(AddSite),
    /// Open enrolment (sponsor).
    Open(TrialArg),
    /// Amend the trial: a new numbered version with a reason code (sponsor). Documents not
    /// named stay as they are.
    Amend(Amend),
    /// Enrol a participant through the patient's consent grant for research (HRESCH) to you,
    /// an investigator of the trial (--keypair).
    Enroll(Enroll),
    /// Lock the trial's data (sponsor): the Merkle root of the snapshot's files is anchored.
    Lock(Lock),
    /// Register the results against the primary outcomes in force (sponsor, after the final
    /// lock).
    Results(Results),
    /// The trial, its versions and its locks.
    Show(TrialArg),
    /// Audit the trial: outcomes changed after enrolment or after a lock, locked data changed
    /// (--data), results against outcomes not pre-specified, enrolment beyond plan. Exit
    /// status 1 on any finding.
    Audit(Audit),
}

impl Execute for TrialsCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            TrialsCommand::Register(c) => c.execute(ctx),
            TrialsCommand::AddSite(c) => c.execute(ctx),
            TrialsCommand::Open(c) => {
                let signer = ctx.signer()?;
                let out =
                    TrialsClient::new(ctx.ledger()?, &signer).open_enrolment(&signer, &c.trial)?;
                Ok(Output::tx(
                    format!("enrolment opened for {}", c.trial),
                    &out,
                    json!({}),
                ))
            }
            TrialsCommand::Amend(c) => c.execute(ctx),
            TrialsCommand::Enroll(c) => c.execute(ctx),
            TrialsCommand::Lock(c) => c.execute(ctx),
            TrialsCommand::Results(c) => c.execute(ctx),
            TrialsCommand::Show(c) => show(ctx, &c.trial),
            TrialsCommand::Audit(c) => c.execute(ctx),
        }
    }
}

fn hash_file(path: &Path) -> Result<[u8; 32]> {
    Ok(tri::document_hash(
        &std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    ))
}

/// The files of a data snapshot: files, or every file of a directory (sorted, recursive).
fn snapshot(paths: &[PathBuf]) -> Result<Vec<Vec<u8>>> {
    fn walk(p: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
        if p.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(p)
                .with_context(|| format!("reading {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                walk(&e, out)?;
            }
        } else if p.is_file() {
            out.push(p.to_path_buf());
        } else {
            bail!("{} is neither a file nor a directory", p.display());
        }
        Ok(())
    }
    let mut files = Vec::new();
    for p in paths {
        walk(p, &mut files)?;
    }
    if files.is_empty() {
        bail!("the data snapshot has no files");
    }
    files
        .iter()
        .map(|f| std::fs::read(f).with_context(|| format!("reading {}", f.display())))
        .collect()
}

#[derive(Args, Debug)]
pub struct TrialArg {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
}

#[derive(Args, Debug)]
pub struct Register {
    /// The sponsor's id for the trial [default: the next free one].
    #[arg(long)]
    pub id: Option<u64>,
    /// The protocol document.
    #[arg(long, value_name = "FILE")]
    pub protocol: PathBuf,
    /// The pre-specified primary outcomes document.
    #[arg(long, value_name = "FILE")]
    pub primary: PathBuf,
    /// The pre-specified secondary outcomes document.
    #[arg(long, value_name = "FILE")]
    pub secondary: PathBuf,
    /// The eligibility criteria (published as a hash; matching patients stays off chain).
    #[arg(long, value_name = "FILE")]
    pub eligibility: PathBuf,
    /// Planned enrolment.
    #[arg(long)]
    pub planned: u32,
    /// The lead investigator (a registered researcher or provider).
    #[arg(long, value_parser = args::pubkey)]
    pub investigator: Pubkey,
}

impl Execute for Register {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let ledger = ctx.ledger()?;
        let id = match self.id {
            Some(id) => id,
            None => tri::next_trial_id(ledger, &signer.pubkey())?,
        };
        let args = RegisterTrialArgs {
            hashes: TrialHashes {
                protocol: hash_file(&self.protocol)?,
                primary_outcomes: hash_file(&self.primary)?,
                secondary_outcomes: hash_file(&self.secondary)?,
                eligibility: hash_file(&self.eligibility)?,
            },
            planned_enrolment: self.planned,
        };
        let (trial, out) =
            TrialsClient::new(ledger, &signer).register(&signer, &self.investigator, id, args)?;
        Ok(Output::tx(
            format!(
                "trial {trial} registered (id {id}, {} planned)",
                self.planned
            ),
            &out,
            json!({ "trial": trial.to_string(), "trial_id": id }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct AddSite {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// The site's investigator (a registered researcher or provider).
    #[arg(long, value_parser = args::pubkey)]
    pub investigator: Pubkey,
}

impl Execute for AddSite {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let out = TrialsClient::new(ctx.ledger()?, &signer).add_site(
            &signer,
            &self.trial,
            &self.investigator,
        )?;
        let site = tri::site_pda(&self.trial, &self.investigator).0;
        Ok(Output::tx(
            format!(
                "site {site} ({}) added to {}",
                self.investigator, self.trial
            ),
            &out,
            json!({ "site": site.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Amend {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// The sponsor's reason code (non-zero).
    #[arg(long)]
    pub reason: u16,
    /// The amended protocol [default: unchanged].
    #[arg(long, value_name = "FILE")]
    pub protocol: Option<PathBuf>,
    /// The amended primary outcomes [default: unchanged].
    #[arg(long, value_name = "FILE")]
    pub primary: Option<PathBuf>,
    /// The amended secondary outcomes [default: unchanged].
    #[arg(long, value_name = "FILE")]
    pub secondary: Option<PathBuf>,
    /// The amended eligibility criteria [default: unchanged].
    #[arg(long, value_name = "FILE")]
    pub eligibility: Option<PathBuf>,
    /// The amended planned enrolment [default: unchanged].
    #[arg(long)]
    pub planned: Option<u32>,
}

impl Execute for Amend {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let ledger = ctx.ledger()?;
        let t = tri::trial_of(ledger, &self.trial)?;
        let pick = |p: &Option<PathBuf>, current: [u8; 32]| -> Result<[u8; 32]> {
            p.as_deref().map_or(Ok(current), hash_file)
        };
        let args = AmendTrialArgs {
            reason: self.reason,
            hashes: TrialHashes {
                protocol: pick(&self.protocol, t.current.protocol)?,
                primary_outcomes: pick(&self.primary, t.current.primary_outcomes)?,
                secondary_outcomes: pick(&self.secondary, t.current.secondary_outcomes)?,
                eligibility: pick(&self.eligibility, t.current.eligibility)?,
            },
            planned_enrolment: self.planned.unwrap_or(t.planned_enrolment),
        };
        let out = TrialsClient::new(ledger, &signer).amend(&signer, &self.trial, args)?;
        let amended = out
            .events()
            .into_iter()
            .find_map(|e| match e {
                CaretrailEvent::Trials(TrialsEvent::TrialAmended(a)) => Some(a),
                _ => None,
            })
            .context("the amendment transaction emitted no TrialAmended event")?;
        Ok(Output::tx(
            format!(
                "trial {} amended: version {} (reason {})",
                self.trial, amended.number, self.reason
            ),
            &out,
            json!({ "amendment": amended.amendment.to_string(), "number": amended.number }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Enroll {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// The patient's consent grant (purpose HRESCH) to you.
    #[arg(long, value_parser = args::pubkey)]
    pub grant: Pubkey,
}

impl Execute for Enroll {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let out =
            TrialsClient::new(ctx.ledger()?, &signer).enroll(&signer, &self.trial, &self.grant)?;
        let enrolment = tri::enrolment_pda(&self.trial, &self.grant).0;
        Ok(Output::tx(
            format!("participant enrolled in {} ({enrolment})", self.trial),
            &out,
            json!({ "enrolment": enrolment.to_string() }),
        ))
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Kind {
    Interim,
    Final,
}

#[derive(Args, Debug)]
pub struct Lock {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// Interim (any number) or final (once; closes enrolment).
    #[arg(long, value_enum)]
    pub kind: Kind,
    /// The snapshot: files, or directories of them (each file one item).
    #[arg(required = true)]
    pub data: Vec<PathBuf>,
}

impl Execute for Lock {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let ledger = ctx.ledger()?;
        let items = snapshot(&self.data)?;
        let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
        let kind = match self.kind {
            Kind::Interim => LockKind::Interim,
            Kind::Final => LockKind::Final,
        };
        let out =
            TrialsClient::new(ledger, &signer).lock_data(&signer, &self.trial, kind, &refs)?;
        // What the chain recorded (index, root, count), from the lock's own event.
        let locked = out
            .events()
            .into_iter()
            .find_map(|e| match e {
                CaretrailEvent::Trials(TrialsEvent::DataLocked(l)) => Some(l),
                _ => None,
            })
            .context("the lock transaction emitted no DataLocked event")?;
        Ok(Output::tx(
            format!(
                "{} lock {} of {}: {} item(s), root {}",
                tri::lock_word(kind),
                locked.index,
                self.trial,
                locked.records,
                hex(&locked.root)
            ),
            &out,
            json!({ "lock": locked.lock.to_string(), "index": locked.index, "root": hex(&locked.root), "records": locked.records }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Results {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// The results document.
    #[arg(long, value_name = "FILE")]
    pub results: PathBuf,
    /// The primary outcomes document the results are reported against [default: those in
    /// force].
    #[arg(long, value_name = "FILE")]
    pub outcomes: Option<PathBuf>,
}

impl Execute for Results {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let ledger = ctx.ledger()?;
        let t = tri::trial_of(ledger, &self.trial)?;
        let args = ResultsArgs {
            results_hash: hash_file(&self.results)?,
            outcomes: match &self.outcomes {
                Some(p) => hash_file(p)?,
                None => t.current.primary_outcomes,
            },
        };
        let out = TrialsClient::new(ledger, &signer).report_results(&signer, &self.trial, args)?;
        Ok(Output::tx(
            format!("results of {} registered", self.trial),
            &out,
            json!({}),
        ))
    }
}

fn show(ctx: &Context, trial: &Pubkey) -> Result<Output> {
    let a = tri::audit_trial(ctx.ledger()?, trial, &[])?;
    Ok(report(a, false))
}

fn report(a: tri::TrialAudit, audit: bool) -> Output {
    let versions: Vec<Vec<String>> = a
        .versions
        .iter()
        .map(|v| {
            vec![
                v.number.to_string(),
                if v.number == 0 {
                    "registration".into()
                } else {
                    v.reason.to_string()
                },
                v.stage.to_string(),
                rfc3339(v.at),
                if v.outcomes_changed { "yes" } else { "no" }.into(),
                v.planned_enrolment.to_string(),
            ]
        })
        .collect();
    let locks: Vec<Vec<String>> = a
        .locks
        .iter()
        .map(|l| {
            vec![
                l.index.to_string(),
                l.kind.to_string(),
                l.records.to_string(),
                l.enrolled.to_string(),
                rfc3339(l.at),
                match l.data_matches {
                    None => "-".into(),
                    Some(true) => "matches".into(),
                    Some(false) => "CHANGED".into(),
                },
            ]
        })
        .collect();
    let mut human = format!(
        "trial {} ({}): {} enrolled, {} planned at opening\n\nversions:\n{}\n\ndata locks:\n{}",
        a.trial,
        a.status,
        a.enrolled,
        a.planned_at_opening,
        table(
            &["#", "reason", "stage", "at", "outcomes changed", "planned"],
            &versions
        ),
        if locks.is_empty() {
            "(none)".to_string()
        } else {
            table(&["#", "kind", "items", "enrolled", "at", "data"], &locks)
        },
    );
    if audit {
        if a.findings.is_empty() {
            human.push_str("\n\naudit: CLEAN (no finding)");
        } else {
            human.push_str(&format!("\n\naudit: {} FINDING(S)", a.findings.len()));
            for f in &a.findings {
                human.push_str(&format!(
                    "\n- {}: {}",
                    f.kind(),
                    serde_json::to_string(f).unwrap_or_default()
                ));
            }
        }
    }
    let negative = audit && !a.is_clean();
    let json = serde_json::to_value(&a).unwrap_or_default();
    Output::new(json, human).alert(negative)
}

#[derive(Args, Debug)]
pub struct Audit {
    /// The trial's address.
    #[arg(value_parser = args::pubkey)]
    pub trial: Pubkey,
    /// The data presented for a lock, `INDEX=PATH` (a file or directory; repeat for more
    /// paths or locks), checked against the root anchored at that lock.
    #[arg(long, value_name = "INDEX=PATH")]
    pub data: Vec<String>,
}

impl Execute for Audit {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let mut by_lock: Vec<(u16, Vec<PathBuf>)> = Vec::new();
        for d in &self.data {
            let Some((i, p)) = d.split_once('=') else {
                bail!("--data {d:?}: expected INDEX=PATH (e.g. 0=snapshot/)");
            };
            let index: u16 = i
                .parse()
                .map_err(|_| anyhow::anyhow!("--data {d:?}: {i:?} is not a lock index"))?;
            match by_lock.iter_mut().find(|(j, _)| *j == index) {
                Some((_, paths)) => paths.push(PathBuf::from(p)),
                None => by_lock.push((index, vec![PathBuf::from(p)])),
            }
        }
        let datasets = by_lock
            .iter()
            .map(|(i, paths)| Ok((*i, snapshot(paths)?)))
            .collect::<Result<Vec<_>>>()?;
        let a = tri::audit_trial(ctx.ledger()?, &self.trial, &datasets)?;
        Ok(report(a, true))
    }
}
