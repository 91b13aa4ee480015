//! The records story: the provider anchors the patient's medication list, corrects it (the
//! correction supersedes version 1 on chain), both versions are verified, the payer's access
//! names the version it read, and the FHIR Provenance of the correction is written.

use super::Story;
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::records::{self as rec, RecordVersion, RecordsClient};
use caretrail_sdk::solana_sdk::pubkey::Pubkey;
use serde_json::{json, Value};
use std::path::PathBuf;

/// Part 5 of the story (see the module docs of `demo`).
pub(super) fn run(s: &mut Story, payment_grant: &Pubkey) -> Result<Value> {
    let (ledger, payer, out) = (s.ledger, s.fee_payer, s.out.clone());
    let provider = &s.parties.provider;
    let record_id = format!(
        "MedicationStatement/ms-{}",
        s.entropy.tag("medication list")
    );
    let salt = s.entropy.salt("medication list");
    let v1 = json!({
        "resourceType": "MedicationStatement",
        "id": record_id.trim_start_matches("MedicationStatement/"),
        "status": "active",
        "medicationCodeableConcept": { "text": "amoxicillin 500 mg capsule, 1 every 8 hours" },
        "subject": { "display": "the demo's patient (kept off chain)" },
    });
    let mut v2 = v1.clone();
    v2["medicationCodeableConcept"]["text"] =
        json!("amoxicillin 250 mg capsule, 1 every 8 hours (dose corrected)");
    let (b1, b2) = (
        serde_json::to_vec_pretty(&v1)?,
        serde_json::to_vec_pretty(&v2)?,
    );
    let (f1, f2) = (
        out.join("medication-list.v1.json"),
        out.join("medication-list.v2.json"),
    );
    std::fs::write(&f1, &b1).with_context(|| format!("writing {}", f1.display()))?;
    std::fs::write(&f2, &b2).with_context(|| format!("writing {}", f2.display()))?;
    let client = RecordsClient::new(ledger, payer);
    let first = client.anchor_records(
        provider,
        &[RecordVersion::first_salted(&record_id, salt, &b1)],
    )?;
    if let Some(o) = &first.outcome {
        s.steps.push(json!({ "step": "provider anchors the medication list (v1)", "signature": o.signature.to_string() }));
    }
    let (second, links) = client.supersede_records(provider, &first.proofs, &[&b2])?;
    if let Some(o) = &second.outcome {
        s.steps.push(json!({ "step": "provider anchors the corrected list (v2)", "signature": o.signature.to_string() }));
    }
    for l in &links {
        s.steps
            .push(json!({ "step": "v2 supersedes v1", "signature": l.signature.to_string() }));
    }
    let (p1, p2) = (&first.proofs[0], &second.proofs[0]);
    for (proof, file) in [(p1, &f1), (p2, &f2)] {
        let path = PathBuf::from(format!("{}.proof.json", file.display()));
        std::fs::write(&path, serde_json::to_string_pretty(proof)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let check1 = rec::verify_record(ledger, &b1, p1)?;
    let check2 = rec::verify_record(ledger, &b2, p2)?;
    let mut altered = b2.clone();
    altered.extend_from_slice(b"\n");
    let check3 = rec::verify_record(ledger, &altered, p2)?;
    if (check1.word(), check2.word(), check3.word()) != ("superseded", "current", "altered") {
        bail!(
            "the medication list verified as {}, {} and {}",
            check1.word(),
            check2.word(),
            check3.word()
        );
    }
    // The payer reads the corrected list for payment: its access names the anchored version.
    let read = caretrail_sdk::consent::ConsentClient::new(ledger, payer).record_anchored_access(
        &s.parties.payer,
        payment_grant,
        caretrail_sdk::consent::AccessArgs {
            class: caretrail_sdk::consent::class::MEDICATIONS,
            action: caretrail_sdk::consent::action::ACCESS,
            purpose: caretrail_sdk::consent::purpose::HPAYMT,
            resource_hash: [0; 32],
        },
        p2,
    )?;
    s.steps.push(json!({ "step": "payer reads the anchored v2 under its payment consent", "signature": read.signature.to_string() }));
    let batch = rec::fetch_batch(ledger, &second.batch)?
        .ok_or_else(|| anyhow::anyhow!("the correction's batch is missing"))?;
    let provenance = rec::fhir::provenance(p2, &batch, Some(&record_id));
    let prov_path = out.join("provenance.fhir.json");
    std::fs::write(&prov_path, serde_json::to_string_pretty(&provenance)?)
        .with_context(|| format!("writing {}", prov_path.display()))?;
    for (kind, value) in [
        ("record_id", record_id.clone()),
        ("record_salt", caretrail_sdk::util::hex(&salt)),
        (
            "medication_list",
            v1["medicationCodeableConcept"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
        (
            "medication_list",
            v2["medicationCodeableConcept"]["text"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ),
    ] {
        s.plaintext.push(json!({ "kind": kind, "value": value }));
    }
    Ok(json!({
        "record_id": record_id,
        "v1": { "file": f1.display().to_string(), "batch": first.batch.to_string(), "verification": check1 },
        "v2": { "file": f2.display().to_string(), "batch": second.batch.to_string(), "verification": check2 },
        "altered_copy": check3.word(),
        "anchored_access": read.signature.to_string(),
        "provenance": prov_path.display().to_string(),
    }))
}
