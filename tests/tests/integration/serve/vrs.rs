//! The DSCSA VRS, both ends over loopback: `caretrail serve`'s responder for the manufacturer
//! answers the SDK's requester about genuine, recalled, quarantined, expired, illegitimate and
//! counterfeit packages and mislabelled ones; unknown and unauthorized requesters are refused
//! before anything is answered; malformed requests get bare status codes; every exchange is
//! logged; a responder that never answers does not hang the requester.

use super::TestServer;
use caretrail_sdk::custody::vrs::{Requester, Responder, VrsVerification};
use caretrail_sdk::custody::{self as cus};
use caretrail_sdk::gs1;
use caretrail_sdk::registry::{self as reg, roles};
use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
use caretrail_sdk::Error;
use caretrail_tests::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// A funded wallet registered with `roles` and its own `gln`.
fn partner(h: &Harness, sc: &SupplyChain, roles: u16, gln: &str) -> Keypair {
    let wallet = h.funded();
    let mut args = participant_args(&wallet.pubkey(), roles, h.now() + 365 * DAY);
    args.gln = reg::parse_gln(gln).unwrap();
    h.registry().register(&sc.authority, args).unwrap();
    wallet
}

const RETURNS_GLN: &str = "0614141000029";
const UNKNOWN_GLN: &str = "0614141000036";
const SUSPENDED_GLN: &str = "0614141000043";
const PAYER_GLN: &str = "0614141000050";

fn code(lot: &str, expiry: &str, serial: &str) -> gs1::Gs1Code {
    gs1::parse(&format!("(01){GTIN}(17){expiry}(10){lot}(21){serial}")).unwrap()
}

struct World {
    h: Harness,
    server: TestServer,
    log: std::path::PathBuf,
    _dir: tempfile::TempDir,
    short_expiry: String,
}

/// The manufacturer's packages: G1 genuine (at the distributor), R1 of a recalled lot, Q1
/// quarantined by the distributor, E1 of a lot that expired, I1 declared illegitimate; the
/// responder runs for the manufacturer.
fn world() -> World {
    let h = Harness::new();
    let sc = h.supply_chain();
    for gln in [RETURNS_GLN, SUSPENDED_GLN] {
        let p = partner(&h, &sc, roles::DISTRIBUTOR, gln);
        if gln == SUSPENDED_GLN {
            h.registry().suspend(&sc.authority, &p.pubkey(), 1).unwrap();
        }
    }
    partner(&h, &sc, roles::PAYER, PAYER_GLN);
    let units = h.commission(&sc, &["G1", "Q1", "I1"]);
    for u in &units {
        h.hop(&sc.manufacturer, &sc.distributor, u);
    }
    h.custody()
        .flag_suspect(&sc.distributor, &units[1], 7)
        .unwrap();
    h.custody()
        .flag_suspect(&sc.distributor, &units[2], 7)
        .unwrap();
    h.custody()
        .declare_illegitimate(&sc.manufacturer, &units[2], 9)
        .unwrap();
    for (lot, serial) in [("RECALLED", "R1"), ("SHORT", "E1")] {
        let (y, m, d) = if lot == "SHORT" {
            let (y, m, d) = caretrail_sdk::util::civil_from_days(h.now() / DAY + 1);
            (y, m, d)
        } else {
            (2027, 6, 30)
        };
        h.custody()
            .register_lot(&sc.manufacturer, cus::lot_args(&sc.gtin, lot, (y, m, d)))
            .unwrap();
        let address = cus::lot_pda(&sc.gtin, lot).0;
        h.custody()
            .commission(
                &sc.manufacturer,
                &address,
                vec![cus::serial_hash(&sc.gtin, serial)],
            )
            .unwrap();
    }
    h.custody()
        .recall_lot(&sc.manufacturer, &cus::lot_pda(&sc.gtin, "RECALLED").0, 3)
        .unwrap();
    let short = cus::fetch_lot(&h.ledger, &cus::lot_pda(&sc.gtin, "SHORT").0)
        .unwrap()
        .unwrap()
        .expiry_date;
    // Three days on: the short lot has expired.
    h.warp(3 * DAY);
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("vrs.jsonl");
    let responder = Responder::new(&h.ledger, sc.manufacturer.pubkey()).unwrap();
    assert_eq!(responder.gln, GLN_A);
    let server = TestServer::start(
        &h,
        caretrail_serve::Config {
            log_requests: false,
            vrs: Some(Arc::new(
                caretrail_serve::vrs::VrsConfig::new(responder, Some(&log)).unwrap(),
            )),
            ..Default::default()
        },
    );
    World {
        h,
        server,
        log,
        _dir: dir,
        short_expiry: format!("{:06}", short % 1_000_000),
    }
}

impl World {
    fn requester(&self, gln: &str) -> Requester {
        let mut r = Requester::new(&format!("http://{}/vrs", self.server.addr), gln).unwrap();
        r.timeout = Duration::from_secs(10);
        r
    }

    fn ask(&self, code: &gs1::Gs1Code) -> VrsVerification {
        self.requester(RETURNS_GLN).verify(code).unwrap()
    }
}

#[test]
fn the_requester_gets_the_chains_answer_for_every_kind_of_package() {
    let w = world();
    let data = |v: &VrsVerification| serde_json::to_value(&v.response.data).unwrap();
    let cases = [
        (
            code(LOT, "271231", "G1"),
            "genuine",
            json!({"verified": true}),
        ),
        (
            code("RECALLED", "270630", "R1"),
            "lot_recalled",
            json!({"verified": true, "additionalInfo": "Recalled"}),
        ),
        (
            code(LOT, "271231", "Q1"),
            "quarantined",
            json!({"verified": true, "additionalInfo": "Suspect"}),
        ),
        (
            code("SHORT", &w.short_expiry, "E1"),
            "expired",
            json!({"verified": true, "additionalInfo": "Expired"}),
        ),
        (
            code(LOT, "271231", "I1"),
            "illegitimate",
            json!({"verified": false, "verificationFailureReason": "No_reason_provided", "additionalInfo": "Illegitimate"}),
        ),
        (
            code(LOT, "271231", "COUNTERFEIT"),
            "unknown_serial",
            json!({"verified": false, "verificationFailureReason": "No_match_GTIN_Serial"}),
        ),
        (
            code("OTHER", "271231", "G1"),
            "label_mismatch",
            json!({"verified": false, "verificationFailureReason": "No_match_GTIN_Serial_Lot"}),
        ),
        (
            code(LOT, "271130", "G1"),
            "label_mismatch",
            json!({"verified": false, "verificationFailureReason": "No_match_GTIN_Serial_Expiry"}),
        ),
        (
            code("OTHER", "271130", "G1"),
            "label_mismatch",
            json!({"verified": false, "verificationFailureReason": "No_match_GTIN_Serial_Lot_Expiry"}),
        ),
    ];
    for (code, result, expected) in &cases {
        let v = w.ask(code);
        assert_eq!(v.result, *result, "{code:?}");
        assert_eq!(data(&v), *expected, "{code:?}");
        assert_eq!(v.response.responder_gln, GLN_A);
        assert_eq!(v.attempts, 1);
        // The same name as the ledger's own verification, where the ledger has one.
        if *result != "label_mismatch" {
            assert_eq!(
                cus::verify(&w.h.ledger, code, None).unwrap().name(),
                *result
            );
        }
    }
    // Every exchange is in the log, with its requester and correlation id.
    let log: Vec<Value> = std::fs::read_to_string(&w.log)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(log.len(), cases.len());
    assert!(log.iter().all(|l| l["status"] == 200
        && l["client"] == "127.0.0.1"
        && l["request"]
            .as_str()
            .unwrap()
            .contains("reqGLN=0614141000029")));
    assert_eq!(log[0]["response"]["data"], json!({"verified": true}));
    let corr = log[5]["response"]["corrUUID"].as_str().unwrap();
    assert!(log[5]["request"].as_str().unwrap().contains(corr));
}

#[test]
fn only_authorized_trading_partners_are_answered() {
    let w = world();
    let genuine = code(LOT, "271231", "G1");
    let refused = |gln: &str| match w.requester(gln).verify(&genuine) {
        Err(Error::Remote(m)) => m,
        other => panic!("{gln}: {other:?}"),
    };
    assert!(refused(UNKNOWN_GLN).contains("HTTP 401"));
    assert!(refused(SUSPENDED_GLN).contains("HTTP 403"));
    assert!(
        refused(PAYER_GLN).contains("HTTP 403"),
        "a payer is no trading partner"
    );
    assert_eq!(
        w.requester(RETURNS_GLN)
            .check_connectivity()
            .unwrap()
            .responder_gln,
        GLN_A
    );
    assert!(matches!(
        w.requester(UNKNOWN_GLN).check_connectivity(),
        Err(Error::Remote(m)) if m.contains("HTTP 401")
    ));
    // The log says why, the answers said nothing.
    let log = std::fs::read_to_string(&w.log).unwrap();
    assert!(
        log.contains("no registered party has GLN 0614141000036"),
        "{log}"
    );
    assert!(log.contains("is not an authorized trading partner in good standing"));
}

#[test]
fn malformed_requests_get_bare_status_codes() {
    let w = world();
    let uuid = "2d4b6b1c-5f8e-4a3b-9c1d-0e2f3a4b5c6d";
    let query = format!("exp=271231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN={RETURNS_GLN}&corrUUID={uuid}");
    let path = |gtin: &str, q: &str| format!("/vrs/gtin/{gtin}/lot/{LOT}/ser/G1?{q}");
    let ok = w.server.get(&path(GTIN, &query));
    assert_eq!(ok.status, 200, "{}", ok.text());
    assert_eq!(ok.json()["corrUUID"], uuid);
    assert_eq!(ok.header("gs1us-version"), Some("1.3"));
    for (status, method, target, headers) in [
        (400, "GET", path("09501101020918", &query), vec![]), // check digit
        (
            400,
            "GET",
            path(GTIN, &query.replace("&corrUUID=", "&x=")),
            vec![],
        ),
        (
            400,
            "GET",
            path(GTIN, &query.replace("exp=271231", "exp=271332")),
            vec![],
        ),
        (
            400,
            "GET",
            path(GTIN, &query.replace("dscsaSaleableReturn", "other")),
            vec![],
        ),
        (
            400,
            "GET",
            path(GTIN, &query),
            vec![("GS1US-Version", "0.9")],
        ),
        // A GTIN under a prefix the manufacturer does not hold.
        (404, "GET", path("09999999000010", &query), vec![]),
        (404, "GET", "/vrs/gtin/09501101020917".to_string(), vec![]),
        (405, "POST", path(GTIN, &query), vec![]),
    ] {
        let r = w.server.request(method, &target, &headers, None);
        assert_eq!(r.status, status, "{method} {target}: {}", r.text());
        assert!(r.body.is_empty(), "{target}: only a 200 has a body");
        assert_eq!(r.header("gs1us-version"), Some("1.3"), "{target}");
    }
    let c = w.server.get(&format!(
        "/vrs/checkConnectivity?reqGLN={RETURNS_GLN}&corrUUID={uuid}"
    ));
    assert_eq!(c.status, 200);
    assert_eq!(c.json()["responderGLN"], GLN_A);
    assert_eq!(c.json()["corrUUID"], uuid);
}

#[test]
fn a_responder_that_never_answers_does_not_hang_the_dock() {
    // Accepts connections and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in silent.incoming().take(3) {
            open.push(s.unwrap());
        }
        std::thread::sleep(Duration::from_secs(2));
    });
    let mut r = Requester::new(&format!("http://{addr}/vrs"), RETURNS_GLN).unwrap();
    r.timeout = Duration::from_millis(300);
    r.backoff = Duration::from_millis(10);
    match r.verify(&code(LOT, "271231", "G1")) {
        Err(Error::Remote(m)) => assert!(
            m.contains("did not answer after 3 attempts: no answer within 300 ms"),
            "{m}"
        ),
        other => panic!("{other:?}"),
    }
    held.join().unwrap();

    // A responder answering 503 is retried, then reported.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = busy.local_addr().unwrap();
    let served = std::thread::spawn(move || {
        use std::io::{Read, Write};
        let mut n = 0;
        for s in busy.incoming().take(3) {
            let mut s = s.unwrap();
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            s.write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                .unwrap();
            n += 1;
        }
        n
    });
    let mut r = Requester::new(&format!("http://{addr}/vrs"), RETURNS_GLN).unwrap();
    r.backoff = Duration::from_millis(10);
    match r.verify(&code(LOT, "271231", "G1")) {
        Err(Error::Remote(m)) => assert!(m.contains("after 3 attempts: HTTP 503"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(served.join().unwrap(), 3);
}
