//! The consent story: grants from relationship keys, an access, a revocation, a denied
//! access, the FHIR Consent.

use super::Story;
use crate::context::write_keypair;
use anyhow::{Context as _, Result};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};
use serde_json::{json, Value};

/// Part 3 of the story (see the module docs): returns its record and the patient.
pub(super) fn run(s: &mut Story) -> Result<(Value, Keypair)> {
    let (ledger, entropy, payer, out) = (s.ledger, &s.entropy, s.fee_payer, s.out.as_path());
    let keys_dir = s.keys_dir.as_path();
    let steps = &mut s.steps;
    let p = &s.parties;
    use caretrail_sdk::consent::{self as con, AccessArgs, GrantArgs};
    let (provider, payer_party) = (&p.provider, &p.payer);
    let patient = entropy.keypair("patient");
    write_keypair(&patient, &keys_dir.join("patient.json"))?;
    ledger.request_airdrop(&patient.pubkey(), LAMPORTS_PER_SOL)?;
    let client = con::ConsentClient::new(ledger, payer);
    let mut step = |name: &str, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
    };
    let now = ledger.get_clock()?.unix_timestamp;
    let policy = caretrail_sdk::hash::sha256(&[b"caretrail demo consent form v1"]);
    let treatment = con::parse_scope("medications,allergies", "access,use", "TREAT")?;
    let payment = con::parse_scope("medications", "access", "HPAYMT")?;
    // The patient signs with a key of its own for each relationship (derived from its wallet,
    // never stored; the registry authority sponsors fees and rent here, as a clinic would), so
    // public data does not join its treatment consent with its coverage or its drugs.
    use caretrail_sdk::relationship::{self, Relationship};
    let treatment_key = relationship::derive(
        &patient,
        &Relationship::Consent {
            grantee: provider.pubkey(),
        },
    );
    let payment_key = relationship::derive(
        &patient,
        &Relationship::Coverage {
            payer: payer_party.pubkey(),
        },
    );
    let p = treatment_key.pubkey();
    let tid = con::next_grant_id(ledger, &p, &provider.pubkey())?;
    step(
        "patient grants the provider treatment access",
        client.grant(
            &treatment_key,
            &p,
            &provider.pubkey(),
            tid,
            GrantArgs {
                scope: treatment,
                not_before: now,
                expires_at: now + 90 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let treatment_grant = con::grant_pda(&p, &provider.pubkey(), tid).0;
    let q = payment_key.pubkey();
    let pid = con::next_grant_id(ledger, &q, &payer_party.pubkey())?;
    step(
        "patient grants the payer payment access",
        client.grant(
            &payment_key,
            &q,
            &payer_party.pubkey(),
            pid,
            GrantArgs {
                scope: payment,
                not_before: now,
                expires_at: now + 365 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let medications = AccessArgs {
        class: con::class::MEDICATIONS,
        action: con::action::ACCESS,
        purpose: con::purpose::TREAT,
        resource_hash: caretrail_sdk::hash::sha256(&[b"medication list bundle"]),
    };
    step(
        "provider reads the medication list",
        client.record_access(provider, &treatment_grant, medications.clone())?,
    );
    let fhir_grant = con::fetch_grant(ledger, &treatment_grant)?
        .ok_or_else(|| anyhow::anyhow!("grant missing"))?;
    let consent_fhir = caretrail_sdk::fhir::consent_resource(
        &treatment_grant,
        &fhir_grant,
        ledger.get_clock()?.unix_timestamp,
    );
    let fhir_path = out.join("consent.fhir.json");
    std::fs::write(&fhir_path, serde_json::to_string_pretty(&consent_fhir)?)
        .with_context(|| format!("writing {}", fhir_path.display()))?;
    step(
        "patient revokes the provider's grant",
        client.revoke(&treatment_key, &treatment_grant)?,
    );
    let denied = match client.record_access(provider, &treatment_grant, medications) {
        Ok(_) => anyhow::bail!("an access after revocation was accepted"),
        Err(e) => caretrail_sdk::error::decode(&e)
            .map(|i| i.name)
            .unwrap_or_else(|| e.to_string()),
    };
    Ok((
        json!({
            "patient": p.to_string(),
            "patient_wallet": patient.pubkey().to_string(),
            "relationship_keys": {
                "treatment (provider)": p.to_string(),
                "coverage (payer)": q.to_string(),
            },
            "treatment_grant": treatment_grant.to_string(),
            "payment_grant": con::grant_pda(&q, &payer_party.pubkey(), pid).0.to_string(),
            "denied_access_after_revoke": denied,
            "fhir": fhir_path.display().to_string(),
        }),
        patient,
    ))
}
