//! The trials story: a sponsor registers a trial, its investigator enrols the patient (through
//! a research consent from the patient's key for that trial) and two volunteers, the data is
//! locked, results are registered against the registered outcome, and the audit is clean. A
//! second trial switches its primary outcome after its data lock and reports against the new
//! one: the audit flags both.

use super::Story;
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::consent::{self as con, GrantArgs};
use caretrail_sdk::relationship::{self, Relationship};
use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
use caretrail_sdk::trials::{
    self as tri, AmendTrialArgs, LockKind, RegisterTrialArgs, ResultsArgs, TrialHashes,
    TrialsClient,
};
use serde_json::{json, Value};
use std::path::Path;

/// Writes a trial document under `dir` and returns its hash.
fn document(dir: &Path, name: &str, text: &str) -> Result<[u8; 32]> {
    let path = dir.join(name);
    std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    Ok(tri::document_hash(text.as_bytes()))
}

/// Part 6 of the story (see the module docs of `demo`).
pub(super) fn run(s: &mut Story, patient: &Keypair) -> Result<Value> {
    let (ledger, payer) = (s.ledger, s.fee_payer);
    let dir = s.out.join("trial");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (sponsor, investigator) = (&s.parties.sponsor, &s.parties.investigator);
    let client = TrialsClient::new(ledger, payer);
    let hashes = TrialHashes {
        protocol: document(
            &dir,
            "protocol.txt",
            "Protocol CT-1 v1: randomized, double-blind, 12 weeks.\n",
        )?,
        primary_outcomes: document(
            &dir,
            "primary-outcomes.txt",
            "Primary: change in HbA1c at week 12.\n",
        )?,
        secondary_outcomes: document(
            &dir,
            "secondary-outcomes.txt",
            "Secondary: fasting glucose at week 12; weight.\n",
        )?,
        eligibility: document(
            &dir,
            "eligibility.txt",
            "Adults 18-75 with type 2 diabetes, HbA1c 7-10%.\n",
        )?,
    };
    let switched = document(
        &dir,
        "primary-outcomes.switched.txt",
        "Primary: weight at week 12.\n",
    )?;
    let mut steps = Vec::new();
    let mut trials = Vec::new();
    for (name, switch) in [
        ("by the book", false),
        ("outcome switched after lock", true),
    ] {
        let id = tri::next_trial_id(ledger, &sponsor.pubkey())?;
        let (trial, out) = client.register(
            sponsor,
            &investigator.pubkey(),
            id,
            RegisterTrialArgs {
                hashes,
                planned_enrolment: 3,
            },
        )?;
        steps.push(("sponsor registers the trial", out));
        steps.push((
            "sponsor opens enrolment",
            client.open_enrolment(sponsor, &trial)?,
        ));
        // The patient consents from its key for this trial (derived from its wallet); two
        // volunteers with wallets of their own. The clinic pays fees and rent.
        let mut enrolled = 0;
        let volunteers = [
            relationship::derive(patient, &Relationship::Trial { trial }),
            s.entropy.keypair(&format!("volunteer 1 of trial {id}")),
            s.entropy.keypair(&format!("volunteer 2 of trial {id}")),
        ];
        for key in &volunteers {
            let now = ledger.get_clock()?.unix_timestamp;
            let grant_id = con::next_grant_id(ledger, &key.pubkey(), &investigator.pubkey())?;
            let grant_args = GrantArgs {
                scope: con::parse_scope("medications,labs", "access,use", "HRESCH")?,
                not_before: now,
                expires_at: now + 365 * 86_400,
                policy_hash: document(
                    &dir,
                    "informed-consent.txt",
                    "Informed consent form CT-1 v1.\n",
                )?,
            };
            con::ConsentClient::new(ledger, payer).grant(
                key,
                &key.pubkey(),
                &investigator.pubkey(),
                grant_id,
                grant_args,
            )?;
            let grant = con::grant_pda(&key.pubkey(), &investigator.pubkey(), grant_id).0;
            steps.push((
                "investigator enrols through a research consent",
                client.enroll(investigator, &trial, &grant)?,
            ));
            enrolled += 1;
        }
        let rows: Vec<String> = (1..=enrolled)
            .map(|i| format!("participant {i},arm {},hba1c_w12 {}\n", i % 2, 70 - i))
            .collect();
        let items: Vec<&[u8]> = rows.iter().map(|r| r.as_bytes()).collect();
        let data_dir = dir.join(format!("data-{id}"));
        std::fs::create_dir_all(&data_dir)?;
        for (i, r) in rows.iter().enumerate() {
            std::fs::write(data_dir.join(format!("row-{i}.csv")), r)?;
        }
        let mut outcomes = hashes.primary_outcomes;
        if switch {
            steps.push((
                "sponsor locks interim data",
                client.lock_data(sponsor, &trial, LockKind::Interim, &items)?,
            ));
            outcomes = switched;
            let amended = AmendTrialArgs {
                reason: 7,
                hashes: TrialHashes {
                    primary_outcomes: switched,
                    ..hashes
                },
                planned_enrolment: 3,
            };
            steps.push((
                "sponsor switches the primary outcome after the lock",
                client.amend(sponsor, &trial, amended)?,
            ));
        }
        steps.push((
            "sponsor locks the final data",
            client.lock_data(sponsor, &trial, LockKind::Final, &items)?,
        ));
        let results = ResultsArgs {
            results_hash: document(
                &dir,
                &format!("results-{id}.txt"),
                "Results: see the report.\n",
            )?,
            outcomes,
        };
        steps.push((
            "sponsor registers the results",
            client.report_results(sponsor, &trial, results)?,
        ));
        let audit = tri::audit_trial(
            ledger,
            &trial,
            &[(0, rows.iter().map(|r| r.as_bytes().to_vec()).collect())],
        )?;
        let kinds: Vec<&str> = audit.findings.iter().map(tri::Finding::kind).collect();
        if audit.is_clean() == switch {
            bail!("the audit of trial {trial} ({name}) found {kinds:?}");
        }
        trials.push(json!({
            "story": name,
            "trial": trial.to_string(),
            "enrolled": audit.enrolled,
            "findings": kinds,
            "audit": audit,
        }));
    }
    for (step, out) in steps {
        s.steps
            .push(json!({ "step": step, "signature": out.signature.to_string() }));
    }
    Ok(json!({
        "sponsor": sponsor.pubkey().to_string(),
        "investigator": investigator.pubkey().to_string(),
        "documents": dir.display().to_string(),
        "clean": trials[0],
        "switched": trials[1],
    }))
}
