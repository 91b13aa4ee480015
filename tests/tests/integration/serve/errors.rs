//! Every failure of the server is a JSON body with its status: unknown accounts 404,
//! malformed keys and bodies 400, decisions the account may not make 403, decided requests 409,
//! oversized bodies 413, wrong content types 415, tampered or foreign transactions, rate limits.

use super::*;
use anchor_lang::solana_program::system_instruction;
use caretrail_sdk::solana_sdk::instruction::Instruction;

#[test]
fn unknown_malformed_and_misrouted_requests_get_json_errors() {
    let h = Harness::new();
    let team = h.care_team();
    let (server, _) = TestServer::sponsored(&h);
    let unknown = Pubkey::new_unique();
    let account = json!({ "account": team.patient.pubkey().to_string() });

    server
        .get(&format!("/api/actions/consent/approve?grant={unknown}"))
        .assert_error(404, &format!("no grant at {unknown}"));
    server
        .post(
            &format!("/api/actions/consent/revoke?grant={unknown}"),
            &account,
        )
        .assert_error(404, "no grant at");
    server
        .get("/api/actions/consent/approve?grant=not-a-key")
        .assert_error(400, "grant: \"not-a-key\" is not a base58 public key");
    server
        .post(
            &format!("/api/actions/consent/approve?grant={unknown}"),
            &json!({ "account": "0OIl" }),
        )
        .assert_error(400, "account: \"0OIl\" is not a base58 public key");
    server
        .get("/api/actions/consent/approve")
        .assert_error(400, "the parameter grant is required");
    server
        .get("/api/actions/consent/launch?grant=x")
        .assert_error(404, "no consent action \"launch\"");
    server
        .get(&format!(
            "/api/actions/consent/grant?grantee={}&classes=labs,tattoos&purposes=TREAT&days=3",
            team.provider.pubkey()
        ))
        .assert_error(400, "unknown class \"tattoos\"");
    server
        .post(
            &format!(
                "/api/actions/consent/grant?grantee={}&classes=labs&purposes=TREAT&days=0",
                team.provider.pubkey()
            ),
            &account,
        )
        .assert_error(400, "days must be between 1 and 3650");
    server
        .post(
            &format!(
                "/api/actions/consent/grant?grantee={}&classes=labs&purposes=TREAT&days=3",
                Pubkey::new_unique()
            ),
            &account,
        )
        .assert_error(400, "is not registered");
    server
        .get("/api/patients/xyz")
        .assert_error(400, "patient: \"xyz\" is not a base58 public key");
    server
        .get(&format!("/api/grants/{unknown}"))
        .assert_error(404, "no grant at");
    server
        .get("/nowhere")
        .assert_error(404, "no route GET /nowhere");
    server
        .request("DELETE", "/api/transactions", &[], None)
        .assert_error(405, "DELETE is not allowed on /api/transactions");
    server
        .request("PUT", "/api/actions/consent/approve", &[], None)
        .assert_error(405, "PUT is not allowed");
}

#[test]
fn bodies_are_checked_before_anything_is_built() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = request(&h, &team, 1);
    let (server, _) = TestServer::sponsored(&h);
    let path = format!("/api/actions/consent/approve?grant={grant}");
    let r = server.request(
        "POST",
        &path,
        &[("content-type", "application/json")],
        Some(b"{\"account\": \n  \"abc\",,}"),
    );
    r.assert_error(400, "malformed JSON body at line 2 column 9");
    server
        .request(
            "POST",
            &path,
            &[("content-type", "application/json")],
            Some(b"{}"),
        )
        .assert_error(400, "missing field `account`");
    server
        .request(
            "POST",
            &path,
            &[("content-type", "text/plain")],
            Some(b"account"),
        )
        .assert_error(415, "the body must be JSON");
    let huge = format!("{{\"account\": \"{}\"}}", "A".repeat(70 * 1024));
    server
        .request(
            "POST",
            &path,
            &[("content-type", "application/json")],
            Some(huge.as_bytes()),
        )
        .assert_error(413, "larger than this server accepts");
    // Nothing changed.
    let g = caretrail_sdk::consent::fetch_grant(&h.ledger, &grant)
        .unwrap()
        .unwrap();
    assert_eq!(g.status, caretrail_sdk::consent::GrantStatus::Proposed);
}

#[test]
fn submitted_transactions_must_be_signed_unchanged_and_consent_only() {
    let h = Harness::new();
    let team = h.care_team();
    let grant = request(&h, &team, 1);
    let (server, sponsor) = TestServer::sponsored(&h);
    let path = format!("/api/actions/consent/approve?grant={grant}");
    let (tx, _) = server.decision(&path, &team.patient.pubkey());
    let submit = |tx: &Transaction| {
        server.post(
            "/api/transactions",
            &json!({ "transaction": offline::to_base64(tx) }),
        )
    };
    submit(&tx).assert_error(400, &format!("not signed by {}", team.patient.pubkey()));
    server
        .post("/api/transactions", &json!({ "transaction": "%%%" }))
        .assert_error(400, "transaction: not base64");

    // Signed, then changed: the signatures no longer match.
    let mut tampered = tx.clone();
    tampered.partial_sign(&[&team.patient], tx.message.recent_blockhash);
    tampered.message.instructions[0].data[0] ^= 1;
    submit(&tampered).assert_error(400, "a signature does not match the message");

    // A transaction of another program is not relayed, even signed by the sponsor.
    let steal: Instruction =
        system_instruction::transfer(&sponsor.pubkey(), &team.patient.pubkey(), 1);
    let memo = Instruction::new_with_bytes(Pubkey::new_unique(), b"x", vec![]);
    let foreign = Transaction::new_signed_with_payer(
        &[steal, memo],
        Some(&sponsor.pubkey()),
        &[sponsor.as_ref()],
        h.ledger.latest_blockhash().unwrap(),
    );
    submit(&foreign).assert_error(403, "consent transactions only");

    // A rejection built before the approval lands: the chain refuses it (422, its error named).
    let (reject, _) = server.decision(
        &format!("/api/actions/consent/reject?grant={grant}"),
        &team.patient.pubkey(),
    );
    server.sign_and_submit(tx, &team.patient);
    let mut reject = reject;
    reject.partial_sign(&[&team.patient], reject.message.recent_blockhash);
    submit(&reject).assert_error(422, "the chain refused it: consent error 6007 NotProposed");

    // A next action for a transaction the ledger never saw.
    let sig = caretrail_sdk::solana_sdk::signature::Signature::from([7u8; 64]);
    server
        .post(
            &format!("/api/actions/consent/next?kind=approve&grant={grant}"),
            &json!({ "account": team.patient.pubkey().to_string(), "signature": sig.to_string() }),
        )
        .assert_error(404, "the ledger has no transaction");
    server
        .post(
            &format!("/api/actions/consent/next?kind=approve&grant={grant}"),
            &json!({ "account": team.patient.pubkey().to_string(), "signature": "zz" }),
        )
        .assert_error(
            400,
            "signature: \"zz\" is not a base58 transaction signature",
        );
}

#[test]
fn clients_are_rate_limited_and_sponsored_rent_is_budgeted() {
    let h = Harness::new();
    let team = h.care_team();
    let sponsor = Arc::new(h.funded());
    let server = TestServer::start(
        &h,
        caretrail_serve::Config {
            sponsor: Some(sponsor),
            rate_per_minute: 5,
            sponsored_rent_per_day: 1,
            log_requests: false,
            ..Default::default()
        },
    );
    let grant = |_i: u32| {
        server.post(
            &format!(
                "/api/actions/consent/grant?grantee={}&classes=labs&purposes=TREAT&days=3",
                team.provider.pubkey()
            ),
            &json!({ "account": team.patient.pubkey().to_string() }),
        )
    };
    assert_eq!(grant(1).status, 200);
    grant(2).assert_error(429, "decisions that cost rent per account per day");
    // Preflight requests of wallets get the CORS headers.
    let pre = server.request("OPTIONS", "/api/actions/consent/approve", &[], None);
    assert_eq!(pre.status, 200);
    assert_eq!(
        pre.header("access-control-allow-methods"),
        Some("GET,POST,PUT,OPTIONS")
    );
    assert_eq!(
        pre.header("access-control-expose-headers"),
        Some("X-Action-Version, X-Blockchain-Ids")
    );
    let _ = server.get("/");
    let _ = server.get("/");
    let limited = server.get("/");
    limited.assert_error(429, "too many requests from 127.0.0.1");
    assert!(
        limited
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
}

/// The served node takes at most four `getProgramAccounts` filters, as a validator does, and
/// `RpcLedger` sends four and applies the rest itself (the claims inbox uses five).
#[test]
fn program_account_filters_beyond_four_are_refused_as_a_validator_does_and_rpc_ledger_applies_them_itself(
) {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let claim = h.submit(&p, "FIVE-FILTERS", 1_000);
    let server = TestServer::start(
        &h,
        caretrail_serve::Config {
            log_requests: false,
            ..Default::default()
        },
    );
    let filter = json!({ "dataSize": 10 });
    let r = server.post(
        "/",
        &json!({ "jsonrpc": "2.0", "id": 1, "method": "getProgramAccounts",
                 "params": [caretrail_sdk::claims::PROGRAM_ID.to_string(),
                            { "encoding": "base64", "filters": [filter, filter, filter, filter, filter] }] }),
    );
    assert_eq!(r.json()["error"]["code"], -32602, "{}", r.text());
    assert_eq!(
        r.json()["error"]["message"],
        "Too many filters provided; max 4"
    );
    let rpc = caretrail_sdk::RpcLedger::new(&format!("http://{}", server.addr));
    let inbox = caretrail_sdk::claims::list_claims(
        &rpc,
        Some(&p.payer),
        Some(&p.provider.pubkey()),
        Some(caretrail_sdk::claims::ClaimStatus::Submitted),
    )
    .unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].0, claim);
}
