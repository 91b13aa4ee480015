//! The claims story: a token vault, enrolment, a pharmacy claim backed by its dispensed unit
//! and the payment consent, adjudication and payment, a duplicate and a phantom rejected.

use super::Story;
use anyhow::{Context as _, Result};
use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
use serde_json::{json, Value};

/// Part 4 of the story (see the module docs).
pub(super) fn run(s: &mut Story, patient: &Keypair, custody: &Value) -> Result<Value> {
    let (ledger, entropy, fee_payer, out) = (s.ledger, &s.entropy, s.fee_payer, s.out.as_path());
    let (steps, plaintext) = (&mut s.steps, &mut s.plaintext);
    let p = &s.parties;
    use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimsClient, EnrollArgs, PayerArgs};
    use caretrail_sdk::consent::{self as con, GrantArgs};
    use caretrail_sdk::tokens;
    use std::str::FromStr;
    let (pharmacy, insurer) = (&p.pharmacy, &p.payer);
    let client = ClaimsClient::new(ledger, fee_payer);
    let mut step = |name: &str, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
    };
    let pk = |v: &Value| {
        caretrail_sdk::solana_sdk::pubkey::Pubkey::from_str(v.as_str().unwrap_or_default())
            .map_err(|_| anyhow::anyhow!("bad key in the custody story"))
    };
    let (dispensed, undispensed) = (
        pk(&custody["dispensed_unit"])?,
        pk(&custody["undispensed_unit"])?,
    );

    // The payer's money: a USD-cents mint, a funded vault.
    let mint = entropy.keypair("mint");
    step(
        "payer creates its USD-cents mint",
        tokens::create_mint(
            ledger,
            fee_payer,
            &mint,
            &tokens::TOKEN,
            &insurer.pubkey(),
            2,
        )?,
    );
    let insurer_token = tokens::create_ata(
        ledger,
        fee_payer,
        &insurer.pubkey(),
        &mint.pubkey(),
        &tokens::TOKEN,
    )?;
    step(
        "payer mints its float",
        tokens::mint_to(
            ledger,
            fee_payer,
            &tokens::TOKEN,
            &mint.pubkey(),
            &insurer_token,
            insurer,
            1_000_000,
        )?,
    );
    let args = PayerArgs {
        auto_approve_limit: 50_000,
        daily_limit: 500_000,
        appeal_window: 30 * 86_400,
        adjudicators: vec![],
    };
    step(
        "payer opens its claims vault",
        client.init_payer(insurer, &mint.pubkey(), &tokens::TOKEN, args)?,
    );
    let payer = clm::payer_pda(&insurer.pubkey()).0;
    step(
        "payer funds the vault",
        client.fund(&payer, insurer, &insurer_token, 500_000)?,
    );

    // Enrolment (patient and payer sign) and the patient's payment consent for the pharmacy.
    let now = ledger.get_clock()?.unix_timestamp;
    let member_id = format!("MBR-{}", entropy.tag("member"));
    let salt = entropy.salt("member");
    let commitment = caretrail_sdk::hash::commit(&salt, member_id.as_bytes());
    plaintext.push(json!({ "kind": "member_id", "value": member_id }));
    plaintext.push(json!({ "kind": "member_salt", "value": caretrail_sdk::util::hex(&salt) }));
    let enroll = EnrollArgs {
        member_commitment: commitment,
        period_start: now,
        period_end: now + 365 * 86_400,
        annual_max: 500_000,
        deductible: 0,
    };
    // The patient's key for this coverage (the claims program requires a claim's payment
    // consent to come from the same key as its coverage).
    let coverage_key = caretrail_sdk::relationship::derive(
        patient,
        &caretrail_sdk::relationship::Relationship::Coverage {
            payer: insurer.pubkey(),
        },
    );
    step(
        "patient enrols with the payer",
        client.enroll(insurer, &coverage_key, enroll)?,
    );
    let coverage = clm::coverage_pda(&payer, &commitment).0;
    let consent = con::ConsentClient::new(ledger, fee_payer);
    let scope = con::parse_scope("medications", "disclose", "HPAYMT")?;
    let gid = con::next_grant_id(ledger, &coverage_key.pubkey(), &pharmacy.pubkey())?;
    let policy = caretrail_sdk::hash::sha256(&[b"caretrail demo payment consent v1"]);
    step(
        "patient lets the pharmacy disclose the dispense for payment",
        consent.grant(
            &coverage_key,
            &coverage_key.pubkey(),
            &pharmacy.pubkey(),
            gid,
            GrantArgs {
                scope,
                not_before: now,
                expires_at: now + 90 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let grant = con::grant_pda(&coverage_key.pubkey(), &pharmacy.pubkey(), gid).0;

    // The pharmacy bills for the dispensed package; the payer adjudicates and pays.
    let claim_id = format!("RX-{}", entropy.tag("claim"));
    plaintext.push(json!({ "kind": "claim_id", "value": claim_id }));
    let document = caretrail_sdk::hash::sha256(&[claim_id.as_bytes(), b"NCPDP claim document"]);
    let refs = ClaimRefs {
        consent_grant: Some(grant),
        unit: Some(dispensed),
        replaces: None,
    };
    step(
        "pharmacy submits its claim",
        client.submit(
            pharmacy,
            &claim_id,
            &caretrail_sdk::claims::SubmitClaim {
                payer: &payer,
                coverage: &coverage,
                document_hash: document,
                billed: 4_250,
                refs: &refs,
            },
        )?,
    );
    let claim = clm::claim_address(&payer, pharmacy, &claim_id);
    step(
        "payer starts the review",
        client.start_review(insurer, &claim)?,
    );
    step(
        "payer approves",
        client.adjudicate(insurer, None, &claim, 4_250, 0)?,
    );
    let pharmacy_token = tokens::create_ata(
        ledger,
        fee_payer,
        &pharmacy.pubkey(),
        &mint.pubkey(),
        &tokens::TOKEN,
    )?;
    step(
        "payer pays the pharmacy in tokens",
        client.pay(insurer, &claim, &pharmacy_token)?,
    );

    // Fraud stopped on chain.
    let rejected = |r: caretrail_sdk::Result<caretrail_sdk::TxOutcome>| -> Result<String> {
        match r {
            Ok(_) => anyhow::bail!("a fraudulent claim was accepted"),
            Err(e) => Ok(caretrail_sdk::error::decode(&e)
                .map(|i| i.name)
                .unwrap_or_else(|| e.to_string())),
        }
    };
    let duplicate = rejected(client.submit(
        pharmacy,
        &claim_id,
        &caretrail_sdk::claims::SubmitClaim {
            payer: &payer,
            coverage: &coverage,
            document_hash: document,
            billed: 4_250,
            refs: &refs,
        },
    ))?;
    let phantom_refs = ClaimRefs {
        consent_grant: Some(grant),
        unit: Some(undispensed),
        replaces: None,
    };
    let phantom = rejected(client.submit(
        pharmacy,
        &format!("RX-{}", entropy.tag("phantom claim")),
        &caretrail_sdk::claims::SubmitClaim {
            payer: &payer,
            coverage: &coverage,
            document_hash: document,
            billed: 9_900,
            refs: &phantom_refs,
        },
    ))?;

    let c = clm::fetch_claim(ledger, &claim)?.ok_or_else(|| anyhow::anyhow!("claim missing"))?;
    let terms = clm::ResponseTerms::of(ledger, &c, "USD")?;
    let response = clm::claim_response(&claim, &c, &terms, ledger.get_clock()?.unix_timestamp);
    let path = out.join("claim-response.fhir.json");
    std::fs::write(&path, serde_json::to_string_pretty(&response)?)
        .with_context(|| format!("writing {}", path.display()))?;
    // What the payer tells the patient.
    let eob = clm::explanation_of_benefit(&claim, &c, &terms, ledger.get_clock()?.unix_timestamp);
    let eob_path = out.join("explanation-of-benefit.fhir.json");
    std::fs::write(&eob_path, serde_json::to_string_pretty(&eob)?)
        .with_context(|| format!("writing {}", eob_path.display()))?;
    Ok(json!({
        "eob": eob_path.display().to_string(),
        "payer": payer.to_string(),
        "mint": mint.pubkey().to_string(),
        "claim": claim.to_string(),
        "status": clm::status_name(c.status),
        "paid": c.paid,
        "pharmacy_balance": tokens::balance(ledger, &pharmacy_token)?,
        "duplicate_claim": duplicate,
        "phantom_claim": phantom,
        "fhir": path.display().to_string(),
    }))
}
