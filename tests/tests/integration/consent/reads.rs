use super::*;

#[test]
fn grants_are_listed_by_patient_and_by_grantee() {
    let h = Harness::new();
    let t = h.care_team();
    let other = h.funded();
    h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.grant(
        &t,
        &t.payer_party,
        1,
        Scope {
            purposes: purpose::HPAYMT,
            ..treatment_scope()
        },
        30,
    );
    let args = args(&h, treatment_scope(), 30);
    h.consent()
        .grant(&other, &other.pubkey(), &t.provider.pubkey(), 1, args)
        .unwrap();
    assert_eq!(
        con::list_grants(&h.ledger, Some(&t.patient.pubkey()), None)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        con::list_grants(&h.ledger, None, Some(&t.provider.pubkey()))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        con::list_grants(&h.ledger, Some(&other.pubkey()), Some(&t.provider.pubkey()))
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn the_grant_account_stays_within_200_bytes() {
    // 158 bytes before the audit; + 32 for the guardian a delegate-made grant lives under.
    use anchor_lang::Space;
    let size = 8 + con::ConsentGrant::INIT_SPACE;
    println!("ConsentGrant: {size} bytes of data");
    assert!(size <= 200, "{size}");
}

#[test]
fn a_grant_exports_as_a_fhir_r4_consent_and_imports_back() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let x = grant(&h, &g);
    let c = caretrail_sdk::fhir::consent_resource(&g, &x, h.now());
    assert_eq!(c["resourceType"], "Consent");
    assert_eq!(c["status"], "active");
    assert_eq!(c["scope"]["coding"][0]["code"], "treatment");
    assert_eq!(c["category"][0]["coding"][0]["code"], "59284-0");
    assert_eq!(
        c["patient"]["identifier"]["value"],
        t.patient.pubkey().to_string()
    );
    assert_eq!(c["dateTime"], "2026-06-01T00:00:00Z");
    assert!(c["policy"][0]["uri"]
        .as_str()
        .unwrap()
        .starts_with("urn:caretrail:policy:sha256:0707"));
    let p = &c["provision"];
    assert_eq!(p["type"], "permit");
    assert_eq!(p["period"]["end"], "2026-07-01T00:00:00Z");
    assert_eq!(
        p["actor"][0]["reference"]["identifier"]["value"],
        t.provider.pubkey().to_string()
    );
    assert_eq!(
        p["action"][0]["coding"][0]["system"],
        "http://terminology.hl7.org/CodeSystem/consentaction"
    );
    let codes = |k: &str| {
        p[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes("purpose"), ["TREAT"]);
    assert_eq!(codes("class"), ["medications", "labs"]);
    // Import the provision as a request of the same scope and period.
    let (grantee, scope, start, end) = caretrail_sdk::fhir::request_from_consent(&c).unwrap();
    assert_eq!(
        (grantee, scope, start, end),
        (t.provider.pubkey(), treatment_scope(), T0, T0 + 30 * DAY)
    );
    h.consent()
        .request(
            &t.provider,
            &t.patient.pubkey(),
            2,
            GrantArgs {
                scope,
                not_before: start,
                expires_at: end,
                policy_hash: [7; 32],
            },
        )
        .unwrap();
    // Revoked grants export as inactive.
    h.consent().revoke(&t.patient, &g).unwrap();
    assert_eq!(
        caretrail_sdk::fhir::consent_resource(&g, &grant(&h, &g), h.now())["status"],
        "inactive"
    );
    assert!(caretrail_sdk::fhir::request_from_consent(
        &serde_json::json!({"resourceType": "Patient"})
    )
    .is_err());
}
