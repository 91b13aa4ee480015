//! Every patient decision through the Actions endpoints: described in words, built for the
//! wallet, partially signed by the sponsor, signed by the patient, landed; the outcome says it.

use super::*;
use caretrail_sdk::consent::{self as con, GrantStatus};

#[test]
fn a_sponsored_approval_costs_the_patient_nothing_and_says_what_it_signs() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = request(&h, &team, 1);
    let (server, sponsor) = TestServer::sponsored(&h);

    // GET: the action, described in plain words, with Approve and Reject.
    let path = format!("/api/actions/consent/approve?grant={grant}");
    let r = server.get(&path);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("x-action-version"), Some("2.4"));
    assert!(r.header("x-blockchain-ids").unwrap().starts_with("solana:"));
    assert_eq!(r.header("access-control-allow-origin"), Some("*"));
    let action = r.json();
    assert_eq!(action["type"], "action");
    let gln = caretrail_sdk::registry::gln_str(
        &caretrail_sdk::registry::fetch_participant(&h.ledger, &team.provider.pubkey())
            .unwrap()
            .unwrap()
            .gln,
    );
    assert_eq!(
        action["title"],
        format!("Approve a request from provider {gln}")
    );
    let d = action["description"].as_str().unwrap();
    for words in [
        format!("provider GLN {gln}"),
        "access and use your medications and labs for treatment (TREAT)".to_string(),
        "from 2026-06-01 until 2026-07-01".to_string(),
        team.provider.pubkey().to_string(),
    ] {
        assert!(d.contains(&words), "{d:?} should say {words:?}");
    }
    assert!(action["icon"].as_str().unwrap().ends_with("/icon.svg"));
    let links = action["links"]["actions"].as_array().unwrap();
    assert_eq!(links.len(), 2);
    assert_eq!(links[0]["href"], path);
    assert_eq!(
        links[1]["href"],
        format!("/api/actions/consent/reject?grant={grant}")
    );

    // POST {account}: the transaction, fee payer the sponsor, signed by it, awaiting the patient.
    let patient = &team.patient;
    let before = h.ledger.get_balance(&patient.pubkey()).unwrap();
    let (tx, post) = server.decision(&path, &patient.pubkey());
    assert_eq!(tx.message.account_keys[0], sponsor.pubkey());
    assert_eq!(tx.message.header.num_required_signatures, 2);
    assert_eq!(
        offline::missing_signers(&tx),
        vec![patient.pubkey()],
        "only the patient's signature is missing"
    );
    assert!(
        tx.verify_with_results().first() == Some(&true),
        "the sponsor signed"
    );
    assert_eq!(tx.message.instructions.len(), 1);
    assert_eq!(
        tx.message.account_keys[tx.message.instructions[0].program_id_index as usize],
        con::PROGRAM_ID
    );
    assert_eq!(post["message"], action["description"]);
    let next = post["links"]["next"]["href"].as_str().unwrap().to_string();
    assert_eq!(
        next,
        format!("/api/actions/consent/next?kind=approve&grant={grant}")
    );

    let signature = server.sign_and_submit(tx, patient);
    let g = con::fetch_grant(&h.ledger, &grant).unwrap().unwrap();
    assert_eq!(g.status, GrantStatus::Active);
    assert_eq!(
        h.ledger.get_balance(&patient.pubkey()).unwrap(),
        before,
        "0 lamports"
    );

    // The chained next action tells the outcome.
    let r = server.post(
        &next,
        &json!({ "account": patient.pubkey().to_string(), "signature": signature }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let done = r.json();
    assert_eq!(done["type"], "completed");
    assert_eq!(done["title"], "Approved");
    assert!(done["description"]
        .as_str()
        .unwrap()
        .contains("until 2026-07-01"));

    // Now decided: GET shows it disabled, POST is a conflict.
    let again = server.get(&path).json();
    assert_eq!(again["disabled"], true);
    server
        .post(&path, &json!({ "account": patient.pubkey().to_string() }))
        .assert_error(409, "already decided: the grant is active");
}

#[test]
fn every_decision_lands_and_a_sponsored_patient_keeps_every_lamport() {
    let h = Harness::new();
    let team = h.care_team();
    let (server, _sponsor) = TestServer::sponsored(&h);
    let patient = &team.patient;
    let start = h.ledger.get_balance(&patient.pubkey()).unwrap();
    let land =
        |path: &str| server.sign_and_submit(server.decision(path, &patient.pubkey()).0, patient);

    // Reject a request.
    let g1 = request(&h, &team, 1);
    land(&format!("/api/actions/consent/reject?grant={g1}"));
    assert_eq!(
        con::fetch_grant(&h.ledger, &g1).unwrap().unwrap().status,
        GrantStatus::Rejected
    );

    // Grant (the sponsor pays the grant account's rent).
    let form = server.get("/api/actions/consent/grant").json();
    assert_eq!(
        form["links"]["actions"][0]["parameters"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let path = format!(
        "/api/actions/consent/grant?grantee={}&classes=labs,immunizations&actions=access&purposes=TREAT&days=10",
        team.provider.pubkey()
    );
    let (tx, post) = server.decision(&path, &patient.pubkey());
    assert!(post["message"].as_str().unwrap().contains(
        "access your labs and immunizations for treatment (TREAT) from 2026-06-01 until 2026-06-11"
    ));
    let sig = server.sign_and_submit(tx, patient);
    let g2 = con::grant_pda(&patient.pubkey(), &team.provider.pubkey(), 2).0;
    let granted = con::fetch_grant(&h.ledger, &g2).unwrap().unwrap();
    assert_eq!(granted.status, GrantStatus::Active);
    assert_eq!(
        granted.scope.classes,
        con::class::LABS | con::class::IMMUNIZATIONS
    );
    assert_eq!(granted.expires_at, h.now() + 10 * DAY);
    let done = server
        .post(
            post["links"]["next"]["href"].as_str().unwrap(),
            &json!({ "account": patient.pubkey().to_string(), "signature": sig }),
        )
        .json();
    assert_eq!(done["title"], "Access granted");

    // Amend (narrow to labs, end in 5 days), then revoke.
    land(&format!(
        "/api/actions/consent/amend?grant={g2}&classes=labs&purposes=TREAT&days=5"
    ));
    let amended = con::fetch_grant(&h.ledger, &g2).unwrap().unwrap();
    assert_eq!(amended.scope.classes, con::class::LABS);
    assert_eq!(amended.expires_at, h.now() + 5 * DAY);
    land(&format!("/api/actions/consent/revoke?grant={g2}"));
    assert_eq!(
        con::fetch_grant(&h.ledger, &g2).unwrap().unwrap().status,
        GrantStatus::Revoked
    );

    // Name a guardian (the sponsor hands over the delegate account's rent), then remove it.
    let guardian = team.guardian.pubkey();
    land(&format!(
        "/api/actions/consent/guardian?guardian={guardian}&classes=labs,medications&actions=access&purposes=TREAT&days=30"
    ));
    let d = con::decision::fetch_delegate(&h.ledger, &patient.pubkey(), &guardian)
        .unwrap()
        .unwrap();
    assert_eq!(d.expires_at, h.now() + 30 * DAY);
    assert_eq!(h.ledger.get_balance(&patient.pubkey()).unwrap(), start);
    land(&format!(
        "/api/actions/consent/remove-guardian?guardian={guardian}"
    ));
    assert!(
        con::decision::fetch_delegate(&h.ledger, &patient.pubkey(), &guardian)
            .unwrap()
            .is_none()
    );

    // Review an emergency access.
    let g3 = con::grant_pda(&patient.pubkey(), &team.provider.pubkey(), 3).0;
    h.consent()
        .emergency(
            &team.provider,
            &patient.pubkey(),
            3,
            con::EmergencyArgs {
                scope: con::Scope {
                    classes: con::class::ALLERGIES,
                    actions: con::action::ACCESS,
                    purposes: con::purpose::ETREAT,
                },
                duration_seconds: 3_600,
                justification_hash: [9; 32],
            },
        )
        .unwrap();
    let overview = server
        .get(&format!("/api/patients/{}", patient.pubkey()))
        .json();
    assert_eq!(overview["emergencies"][0]["address"], g3.to_string());
    land(&format!("/api/actions/consent/review?grant={g3}"));
    assert!(con::fetch_grant(&h.ledger, &g3).unwrap().unwrap().reviewed);
    let overview = server
        .get(&format!("/api/patients/{}", patient.pubkey()))
        .json();
    assert_eq!(overview["emergencies"].as_array().unwrap().len(), 0);

    // Removing the guardian refunded its rent to the patient: never less than at the start.
    assert!(h.ledger.get_balance(&patient.pubkey()).unwrap() >= start);
}

#[test]
fn a_guardian_in_scope_decides_and_anyone_else_is_refused_with_403() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = request(&h, &team, 1);
    let (server, _) = TestServer::sponsored(&h);
    let path = format!("/api/actions/consent/approve?grant={grant}");
    let outsider = Keypair::new();
    server
        .post(&path, &json!({ "account": outsider.pubkey().to_string() }))
        .assert_error(
            403,
            "neither the patient of this grant nor one of the patient's guardians",
        );
    server
        .post(
            &path,
            &json!({ "account": team.provider.pubkey().to_string() }),
        )
        .assert_error(403, "the grantee cannot decide on its own request");

    // A guardian for allergies only is out of scope for a medications and labs request.
    h.consent()
        .set_delegate(
            &team.patient,
            &team.guardian.pubkey(),
            con::Scope {
                classes: con::class::ALLERGIES,
                actions: con::action::ALL,
                purposes: con::purpose::ALL,
            },
            h.now() + 30 * DAY,
        )
        .unwrap();
    server
        .post(
            &path,
            &json!({ "account": team.guardian.pubkey().to_string() }),
        )
        .assert_error(403, "this guardianship covers grants that");
    h.consent()
        .remove_delegate(&team.patient, &team.guardian.pubkey())
        .unwrap();

    // In scope: the guardian approves with its own key.
    h.consent()
        .set_delegate(
            &team.patient,
            &team.guardian.pubkey(),
            con::Scope {
                classes: con::class::ALL,
                actions: con::action::ALL,
                purposes: con::purpose::ALL,
            },
            h.now() + 10 * DAY,
        )
        .unwrap();
    let (tx, post) = server.decision(&path, &team.guardian.pubkey());
    assert!(post["message"]
        .as_str()
        .unwrap()
        .contains("you decide as guardian of patient"));
    assert!(
        post["message"]
            .as_str()
            .unwrap()
            .contains("until 2026-06-11"),
        "clamped to the guardianship"
    );
    server.sign_and_submit(tx, &team.guardian);
    let g = con::fetch_grant(&h.ledger, &grant).unwrap().unwrap();
    assert_eq!(g.status, GrantStatus::Active);
    assert_eq!(g.delegate, team.guardian.pubkey());

    // An ended guardianship decides nothing; a guardian never reviews an emergency.
    h.warp(11 * DAY);
    let g2 = request(&h, &team, 2);
    server
        .post(
            &format!("/api/actions/consent/approve?grant={g2}"),
            &json!({ "account": team.guardian.pubkey().to_string() }),
        )
        .assert_error(403, "this guardianship ended on 2026-06-11");
}

#[test]
fn the_portal_and_the_patient_api_show_only_public_data() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
    h.consent()
        .record_access(
            &team.provider,
            &grant,
            access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
        )
        .unwrap();
    request(&h, &team, 2);
    let (server, sponsor) = TestServer::sponsored(&h);
    let page = server.get("/portal");
    assert_eq!(page.status, 200);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page
        .header("content-security-policy")
        .unwrap()
        .contains("script-src 'self'"));
    assert!(page
        .text()
        .contains("<script src=\"/portal/app.js\"></script>"));
    let js = server.get("/portal/app.js");
    assert_eq!(js.status, 200);
    assert!(
        !js.text().contains("innerHTML"),
        "nothing is parsed as HTML"
    );
    assert_eq!(server.get("/portal/app.css").status, 200);
    assert_eq!(
        server.get("/icon.svg").header("content-type"),
        Some("image/svg+xml")
    );

    let o = server
        .get(&format!("/api/patients/{}", team.patient.pubkey()))
        .json();
    assert_eq!(o["sponsor"], sponsor.pubkey().to_string());
    assert_eq!(o["grants"].as_array().unwrap().len(), 1);
    assert_eq!(o["grants"][0]["state"], "active");
    assert_eq!(o["grants"][0]["grantee_roles"], json!(["provider"]));
    assert_eq!(o["pending"].as_array().unwrap().len(), 1);
    assert_eq!(o["accesses"].as_array().unwrap().len(), 1);
    assert_eq!(o["accesses"][0]["classes"], json!(["labs"]));
    assert_eq!(o["accesses"][0]["purposes"], json!(["TREAT"]));
    let g = server.get(&format!("/api/grants/{grant}")).json();
    assert_eq!(g["status"], "active");
    assert_eq!(g["access_count"], 1);

    // `/` lists every route; actions.json maps the action paths.
    let index = server.get("/").json();
    assert_eq!(
        index["routes"].as_array().unwrap().len(),
        caretrail_serve::routes().len()
    );
    assert_eq!(index["sponsor"], sponsor.pubkey().to_string());
    let rules = server.get("/actions.json");
    assert_eq!(rules.header("access-control-allow-origin"), Some("*"));
    assert_eq!(rules.json()["rules"][0]["apiPath"], "/api/actions/**");
    assert_eq!(server.get("/healthz").json()["status"], "ok");
}
