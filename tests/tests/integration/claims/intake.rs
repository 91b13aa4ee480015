//! Claim intake from X12 837 files (the project's fixtures, valid against the 5010 guides):
//! each claim submitted with its CLM01 id, CLM02 amount and document hash, replacements and
//! voids resolved through REF*F8, re-runs reported as already done, and a file that cannot be
//! mapped refused before anything is sent.

use super::*;
use caretrail_sdk::claims::intake::{submit_837, IntakeStatus, MemberFile};

/// The provider submits the fixture `name` to the plan's payer.
fn intake(
    h: &Harness,
    p: &Plan,
    m: &MemberFile,
    name: &str,
) -> caretrail_sdk::Result<Vec<clm::intake::IntakeLine>> {
    submit_837(
        &h.ledger,
        &p.provider,
        &h.payer,
        &p.insurer.pubkey(),
        m,
        &x12_fixture(name),
    )
}

fn statuses(lines: &[clm::intake::IntakeLine]) -> Vec<(String, IntakeStatus)> {
    lines
        .iter()
        .map(|l| (l.claim_id.clone(), l.status.clone()))
        .collect()
}

#[test]
fn every_claim_of_an_837_is_submitted_once() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let claims = x12_fixture("837p-multi.x12");
    let m = members(&p, &["MBR0001", "MBR0003"]);
    let run = || {
        submit_837(
            &h.ledger,
            &p.provider,
            &h.payer,
            &p.insurer.pubkey(),
            &m,
            &claims,
        )
        .unwrap()
    };
    let lines = run();
    assert_eq!(
        statuses(&lines),
        [
            ("RX-3001".to_string(), IntakeStatus::Submitted),
            ("RX-3002".to_string(), IntakeStatus::Submitted),
            ("RX-3003".to_string(), IntakeStatus::Submitted),
        ]
    );
    for (l, c) in lines.iter().zip(&claims) {
        let on_chain = claim(&h, &l.claim);
        assert_eq!(
            (
                on_chain.status,
                on_chain.billed,
                on_chain.document_hash,
                on_chain.coverage
            ),
            (
                ClaimStatus::Submitted,
                c.billed_cents,
                c.document_hash,
                p.coverage
            )
        );
        assert_eq!(
            l.claim,
            clm::claim_address(&p.payer, &p.provider, &c.claim_id)
        );
    }
    // Safe to re-run.
    let again = run();
    assert!(again
        .iter()
        .all(|l| l.status == IntakeStatus::AlreadySubmitted && l.signature.is_none()));
}

#[test]
fn replacements_and_voids_name_their_original() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let m = members(&p, &["MBR0001"]);
    let submit = |name: &str| intake(&h, &p, &m, name);
    // A replacement of a claim never submitted is refused, nothing sent.
    let err = submit("837p-replacement.x12").unwrap_err().to_string();
    assert!(
        err.contains("claim RX-1001R7 (X12 segment 20): the original claim RX-1001 (REF*F8) was never submitted"),
        "{err}"
    );
    let original = clm::claim_address(&p.payer, &p.provider, "RX-1001");
    assert_eq!(submit("837p-single.x12").unwrap()[0].claim, original);
    let replaced = submit("837p-replacement.x12").unwrap();
    assert_eq!(replaced[0].status, IntakeStatus::Submitted);
    let r = claim(&h, &replaced[0].claim);
    assert_eq!(r.frequency, clm::frequency::REPLACEMENT);
    // The replacement voided the original; a void of it now is already done.
    assert_eq!(claim(&h, &original).status, ClaimStatus::Voided);
    let voided = submit("837p-void.x12").unwrap();
    assert_eq!(voided[0].claim, original);
    assert_eq!(voided[0].status, IntakeStatus::AlreadyVoided);
}

#[test]
fn a_void_voids_its_original_once() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let m = members(&p, &["MBR0001"]);
    let submit = |name: &str| intake(&h, &p, &m, name).unwrap();
    let original = submit("837p-single.x12")[0].claim;
    let voided = submit("837p-void.x12");
    assert_eq!(
        statuses(&voided),
        [("RX-1001R8".to_string(), IntakeStatus::Voided)]
    );
    assert_eq!(claim(&h, &original).status, ClaimStatus::Voided);
    let again = submit("837p-void.x12");
    assert_eq!(again[0].status, IntakeStatus::AlreadyVoided);
}

#[test]
fn a_file_that_cannot_be_mapped_sends_nothing() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    // MBR0003 is missing from the member file: refused with the claim and its segment.
    let err = submit_837(
        &h.ledger,
        &p.provider,
        &h.payer,
        &p.insurer.pubkey(),
        &members(&p, &["MBR0001"]),
        &x12_fixture("837p-multi.x12"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "claim RX-3003 (X12 segment 37): its subscriber's member id is not in the member file"
        ),
        "{err}"
    );
    let first = clm::claim_address(&p.payer, &p.provider, "RX-3001");
    assert!(
        clm::fetch_claim(&h.ledger, &first).unwrap().is_none(),
        "nothing half-submitted"
    );
    // A member file's coverage can also be derived from the member's salt.
    let salted = MemberFile::from_csv(&format!(
        "member_id,member_salt\nMBR0001,{}\n",
        caretrail_sdk::util::hex(&[3; 32])
    ))
    .unwrap();
    assert_eq!(
        salted.coverage(&p.payer, "MBR0001"),
        Some(clm::coverage_pda(&p.payer, &caretrail_sdk::hash::commit(&[3; 32], b"MBR0001")).0)
    );
    for (csv, why) in [
        ("id,coverage\n", "line 1: no member_id column"),
        (
            "member_id,plan\n",
            "line 1: a coverage or a member_salt column is needed",
        ),
        (
            "member_id,coverage\nM1,not-a-key\n",
            "line 2: coverage \"not-a-key\"",
        ),
        (
            "member_id,member_salt\nM1,abcd\n",
            "line 2: member_salt is not 32 bytes",
        ),
    ] {
        let e = MemberFile::from_csv(csv).unwrap_err().to_string();
        assert!(e.contains(why), "{csv}: {e}");
    }
}

fn fhir_fixture(name: &str) -> clm::intake::IntakeClaim {
    let bytes = std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/fhir")
            .join(name),
    )
    .unwrap();
    clm::intake::from_fhir_claim(&bytes).unwrap()
}

#[test]
fn a_fhir_claim_is_the_same_submission_as_an_837() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let m = members(&p, &["MBR0001"]);
    let submit = |c: clm::intake::IntakeClaim| {
        clm::intake::submit_claims(
            &h.ledger,
            &p.provider,
            &h.payer,
            &p.insurer.pubkey(),
            &m,
            &[c],
        )
        .unwrap()
    };
    let original = fhir_fixture("claim-professional.json");
    assert_eq!(
        (
            original.claim_id.as_str(),
            original.billed_cents,
            original.frequency,
            original.member_id.as_str()
        ),
        ("FHIR-1001", 4250, 1, "MBR0001")
    );
    let first = submit(original.clone());
    assert_eq!(first[0].status, IntakeStatus::Submitted);
    assert_eq!(
        claim(&h, &first[0].claim).document_hash,
        original.document_hash
    );
    let replacement = fhir_fixture("claim-replacement.json");
    assert_eq!(
        (
            replacement.frequency,
            replacement.original.as_deref(),
            replacement.billed_cents
        ),
        (7, Some("FHIR-1001"), 4000)
    );
    let r = submit(replacement);
    assert_eq!(r[0].status, IntakeStatus::Submitted);
    assert_eq!(claim(&h, &first[0].claim).status, ClaimStatus::Voided);
    let void = fhir_fixture("claim-void.json");
    assert_eq!(
        (void.frequency, void.original.as_deref()),
        (8, Some("FHIR-1001"))
    );
    assert_eq!(submit(void)[0].status, IntakeStatus::AlreadyVoided);
    assert_eq!(submit(original)[0].status, IntakeStatus::AlreadySubmitted);
}

#[test]
fn a_malformed_fhir_claim_names_the_field() {
    let good: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("fixtures/fhir/claim-professional.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = good.clone();
        f(&mut v);
        clm::intake::from_fhir_claim(v.to_string().as_bytes())
            .unwrap_err()
            .to_string()
    };
    for (err, why) in [
        (
            with(&|v| v["resourceType"] = "Patient".into()),
            "FHIR Claim resourceType: is not Claim",
        ),
        (
            with(&|v| v["identifier"] = serde_json::json!([])),
            "FHIR Claim identifier[0].value: is missing",
        ),
        (
            with(&|v| v["total"]["value"] = serde_json::json!(42.555)),
            "FHIR Claim total.value: is not an amount",
        ),
        (
            with(&|v| v["total"]["currency"] = "EUR".into()),
            "FHIR Claim total.currency: only USD",
        ),
        (
            with(&|v| v["insurance"][0]["coverage"]["reference"] = "#nothing".into()),
            "insurance.coverage.reference: names no contained resource",
        ),
        (
            with(&|v| v["status"] = "cancelled".into()),
            "FHIR Claim status: a cancelled Claim names the claim it voids",
        ),
        (
            with(&|v| v["status"] = "draft".into()),
            "FHIR Claim status: is neither active nor cancelled",
        ),
    ] {
        assert!(err.contains(why), "{why}: {err}");
    }
    assert!(clm::intake::from_fhir_claim(b"{ nope")
        .unwrap_err()
        .to_string()
        .contains("not JSON (line 1, column 3)"));
}
