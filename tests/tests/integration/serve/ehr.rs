//! For EHR systems: the CDS Hooks consent decision service answers as `consent check` does
//! (`check_access`), with an EHR's identifiers mapped off chain; the FHIR read API serves
//! Consent and AuditEvent resources (paged searchsets, OperationOutcome errors), each resource
//! type validated with the fhir.resources R4 models.

use super::*;
use caretrail_sdk::consent::{self as con, cds};

fn consult(patient: &Value, actor: &Value, purpose: &str, class: Option<&str>) -> Value {
    let mut context = json!({
        "patientId": [patient],
        "actor": [actor],
        "purposeOfUse": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ActReason", "code": purpose }],
        "scope": "treatment",
    });
    if let Some(c) = class {
        context["class"] = json!([{ "system": caretrail_sdk::fhir::CLASS_SYSTEM, "code": c }]);
    }
    json!({ "hook": "patient-consent-consult", "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea", "context": context })
}

fn wallet(k: &Pubkey) -> Value {
    json!({ "system": cds::PUBKEY_SYSTEM, "value": k.to_string() })
}

#[test]
fn the_decision_service_answers_permit_deny_and_no_consent_as_consent_check_does() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
    let ids = cds::IdentifierMap::from_json(&format!(
        r#"{{"http://hospital.example/mrn": {{"MRN-0042": "{}"}}, "http://hl7.org/fhir/sid/us-npi": {{"1234567893": "{}"}}}}"#,
        team.patient.pubkey(),
        team.provider.pubkey()
    ))
    .unwrap();
    let server = TestServer::start(
        &h,
        caretrail_serve::Config {
            identifiers: Arc::new(ids),
            log_requests: false,
            ..Default::default()
        },
    );
    let discovery = server.get("/cds-services").json();
    assert_eq!(discovery["services"][0]["id"], "patient-consent-consult");
    assert_eq!(discovery["services"][0]["hook"], "patient-consent-consult");

    let patient = wallet(&team.patient.pubkey());
    let ask = |actor: &Keypair, purpose: &str, class: Option<&str>| -> Value {
        let r = server.post(
            "/cds-services/patient-consent-consult",
            &consult(&patient, &wallet(&actor.pubkey()), purpose, class),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["cards"][0].clone()
    };
    // Each answer is the SDK's check_access (what `caretrail consent check` prints).
    let check = |actor: &Keypair, class: u16, purpose: u8| {
        con::check_access(
            &h.ledger,
            &team.patient.pubkey(),
            &actor.pubkey(),
            class,
            con::action::ACCESS,
            purpose,
        )
        .unwrap()
    };
    let card = ask(&team.provider, "TREAT", Some("labs"));
    assert_eq!(card["summary"], "CONSENT_PERMIT");
    assert_eq!(card["extension"]["decision"], "CONSENT_PERMIT");
    assert_eq!(card["extension"]["basedOn"], format!("Consent/{grant}"));
    assert!(check(&team.provider, con::class::LABS, con::purpose::TREAT).is_permit());

    let card = ask(&team.provider, "TREAT", Some("mental-health"));
    assert_eq!(card["summary"], "CONSENT_DENY");
    let d = check(
        &team.provider,
        con::class::MENTAL_HEALTH,
        con::purpose::TREAT,
    );
    assert!(!d.is_permit() && !d.is_no_consent());
    let con::Decision::Deny { reason } = d else {
        unreachable!()
    };
    assert!(card["detail"].as_str().unwrap().contains(&reason), "{card}");

    assert_eq!(
        ask(&team.provider, "HRESCH", Some("labs"))["summary"],
        "CONSENT_DENY"
    );
    let card = ask(&team.researcher, "HRESCH", Some("labs"));
    assert_eq!(card["summary"], "NO_CONSENT");
    assert!(check(&team.researcher, con::class::LABS, con::purpose::HRESCH).is_no_consent());

    // The whole record: permitted classes, and an obligation to redact the rest.
    let card = ask(&team.provider, "TREAT", None);
    assert_eq!(card["summary"], "CONSENT_PERMIT");
    let redact: Vec<&str> = card["extension"]["obligations"][0]["parameters"]["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(redact.len(), con::class::NAMES.len() - 2);
    assert!(
        !redact.contains(&"labs")
            && !redact.contains(&"medications")
            && redact.contains(&"genomics")
    );

    // An EHR's own identifiers, mapped off chain.
    let r = server.post(
        "/cds-services/patient-consent-consult",
        &consult(
            &json!({ "system": "http://hospital.example/mrn", "value": "MRN-0042" }),
            &json!({ "system": "http://hl7.org/fhir/sid/us-npi", "value": "1234567893" }),
            "TREAT",
            Some("medications"),
        ),
    );
    assert_eq!(r.json()["cards"][0]["summary"], "CONSENT_PERMIT");

    // Revoked: denied, as consent check says.
    h.consent().revoke(&team.patient, &grant).unwrap();
    assert_eq!(
        ask(&team.provider, "TREAT", Some("labs"))["summary"],
        "CONSENT_DENY"
    );
    assert!(!check(&team.provider, con::class::LABS, con::purpose::TREAT).is_permit());

    // Malformed consults: 400 with what is wrong.
    let post = |body: &[u8]| {
        server.request(
            "POST",
            "/cds-services/patient-consent-consult",
            &[("content-type", "application/json")],
            Some(body),
        )
    };
    post(b"{\"hook\": ").assert_error(400, "malformed JSON body at line 1");
    post(b"{\"hook\": \"patient-consent-consult\", \"context\": {}}")
        .assert_error(400, "context.patientId is required");
    let mut bad = consult(&patient, &wallet(&team.provider.pubkey()), "SHOPPING", None);
    server
        .post("/cds-services/patient-consent-consult", &bad)
        .assert_error(400, "unknown purpose \"SHOPPING\"");
    bad["context"]["purposeOfUse"] = json!(["TREAT"]);
    bad["context"]["patientId"] = json!([{ "system": "http://other.example/mrn", "value": "7" }]);
    server
        .post("/cds-services/patient-consent-consult", &bad)
        .assert_error(
            400,
            "no identifier this service knows (http://other.example/mrn|7)",
        );
    server
        .post("/cds-services/order-sign", &bad)
        .assert_error(404, "no CDS service \"order-sign\"");
}

fn fhir(server: &TestServer, path: &str, status: u16) -> Value {
    let r = server.get(path);
    assert_eq!(r.status, status, "{path}: {}", r.text());
    assert_eq!(r.header("content-type"), Some("application/fhir+json"));
    r.json()
}

#[test]
fn the_fhir_api_serves_consents_and_audit_events_that_validate() {
    let h = Harness::new();
    let team = h.care_team();
    let g1 = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
    h.grant(&team, &team.provider, 2, treatment_scope(), 10);
    h.grant(&team, &team.payer_party, 1, treatment_scope(), 20);
    h.consent()
        .record_access(
            &team.provider,
            &g1,
            access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
        )
        .unwrap();
    h.warp(2 * DAY);
    h.consent()
        .record_access(
            &team.provider,
            &g1,
            access(
                con::class::MEDICATIONS,
                con::action::ACCESS,
                con::purpose::TREAT,
            ),
        )
        .unwrap();
    let server = TestServer::start(
        &h,
        caretrail_serve::Config {
            log_requests: false,
            ..Default::default()
        },
    );
    let p = team.patient.pubkey();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut keep = |name: &str, v: &Value| {
        let path = dir.path().join(name);
        std::fs::write(&path, v.to_string()).unwrap();
        files.push(path);
    };

    let cap = fhir(&server, "/fhir/metadata", 200);
    assert_eq!(cap["resourceType"], "CapabilityStatement");
    assert_eq!(cap["fhirVersion"], "4.0.1");
    keep("capability.json", &cap);

    let page1 = fhir(&server, &format!("/fhir/Consent?patient={p}&_count=2"), 200);
    assert_eq!(page1["type"], "searchset");
    assert_eq!(page1["total"], 3);
    assert_eq!(page1["entry"].as_array().unwrap().len(), 2);
    let next = page1["link"][1]["url"].as_str().unwrap();
    assert_eq!(page1["link"][1]["relation"], "next");
    let next_path = next
        .split_once("/fhir/")
        .map(|(_, rest)| format!("/fhir/{rest}"))
        .unwrap();
    let page2 = fhir(&server, &next_path, 200);
    assert_eq!(page2["entry"].as_array().unwrap().len(), 1);
    assert_eq!(
        page2["link"].as_array().unwrap().len(),
        1,
        "no page after the last"
    );
    keep("consents.json", &page1);
    let by_identifier = fhir(
        &server,
        &format!(
            "/fhir/Consent?patient={}%7C{p}",
            caretrail_sdk::fhir::WALLET_SYSTEM
        ),
        200,
    );
    assert_eq!(by_identifier["total"], 3);

    let one = fhir(&server, &format!("/fhir/Consent/{g1}"), 200);
    assert_eq!(one["resourceType"], "Consent");
    assert_eq!(one["id"], g1.to_string());
    let listed = page1["entry"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["entry"].as_array().unwrap())
        .find(|e| e["resource"]["id"] == g1.to_string())
        .unwrap();
    assert_eq!(
        one, listed["resource"],
        "read and search serve the same resource"
    );
    keep("consent.json", &one);

    let all = fhir(&server, &format!("/fhir/AuditEvent?patient={p}"), 200);
    assert_eq!(all["total"], 2);
    let first = &all["entry"][0]["resource"];
    assert_eq!(first["resourceType"], "AuditEvent");
    assert_eq!(first["recorded"], "2026-06-01T00:00:00Z");
    assert_eq!(
        first["agent"][0]["who"]["identifier"]["value"],
        team.provider.pubkey().to_string()
    );
    assert_eq!(
        first["agent"][0]["purposeOfUse"][0]["coding"][0]["code"],
        "TREAT"
    );
    assert_eq!(
        first["entity"][1]["what"]["reference"],
        format!("Consent/{g1}")
    );
    assert_eq!(first["entity"][1]["detail"][0]["valueString"], "labs");
    assert_eq!(first["outcome"], "0");
    keep("audit.json", &all);
    let later = fhir(
        &server,
        &format!("/fhir/AuditEvent?patient={p}&date=ge2026-06-02"),
        200,
    );
    assert_eq!(later["total"], 1);
    assert_eq!(
        later["entry"][0]["resource"]["entity"][1]["detail"][0]["valueString"],
        "medications"
    );
    let between = fhir(
        &server,
        &format!("/fhir/AuditEvent?patient={p}&date=ge2026-06-01&date=lt2026-06-02"),
        200,
    );
    assert_eq!(between["total"], 1);

    // Errors are OperationOutcomes.
    let missing = fhir(
        &server,
        &format!("/fhir/Consent/{}", Pubkey::new_unique()),
        404,
    );
    assert_eq!(missing["resourceType"], "OperationOutcome");
    assert_eq!(missing["issue"][0]["code"], "not-found");
    keep("not-found.json", &missing);
    let bad = fhir(
        &server,
        &format!("/fhir/AuditEvent?patient={p}&date=yesterday"),
        400,
    );
    assert!(bad["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("date: \"yesterday\""));
    assert_eq!(bad["issue"][0]["code"], "invalid");
    let unknown = fhir(
        &server,
        &format!("/fhir/Consent?patient={p}&status=active"),
        400,
    );
    assert!(unknown["issue"][0]["diagnostics"]
        .as_str()
        .unwrap()
        .contains("unknown search parameter \"status\""));
    fhir(&server, "/fhir/Consent", 400);
    fhir(&server, "/fhir/Consent?patient=nobody", 400);

    // Every resource type served validates with the fhir.resources R4 models.
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-fhir.sh");
    let out = std::process::Command::new(script)
        .args(&files)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
