//! caretrail end to end on a real `solana-test-validator` running the six programs' SBF
//! builds, driven through the `caretrail` binary and the SDK over JSON-RPC.
//!
//! `scripts/e2e-validator.sh` builds the programs, starts the validator on loopback and runs
//! these with `--ignored`; they need
//! - `CARETRAIL_E2E_URL`: the validator's RPC URL (`http://127.0.0.1:8899`);
//! - `CARETRAIL_E2E_AUTHORITY`: the programs' upgrade authority keypair (it initializes the
//!   registry, so it is also the registry authority), funded on the validator;
//! - `CARETRAIL_E2E_WORK` (optional): where the stories are written (kept for inspection).
//!
//! The demo runs once per process over RPC and once on a fresh embedded ledger with the same
//! `--seed`: the two stories must be the same, and so must their EPCIS and FHIR exports up to
//! what the clock and the cluster choose (times, transaction signatures, event ids made from
//! them).

use super::{fails_with, json};
use assert_cmd::Command;
use caretrail_sdk::solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use caretrail_sdk::{Ledger, RpcLedger};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: run these tests with scripts/e2e-validator.sh")
    })
}

fn url() -> String {
    env("CARETRAIL_E2E_URL")
}

fn authority() -> PathBuf {
    PathBuf::from(env("CARETRAIL_E2E_AUTHORITY"))
}

fn work() -> &'static Path {
    static WORK: OnceLock<PathBuf> = OnceLock::new();
    WORK.get_or_init(|| {
        let dir = match std::env::var("CARETRAIL_E2E_WORK") {
            Ok(d) => PathBuf::from(d),
            Err(_) => tempfile::tempdir().unwrap().keep(),
        };
        std::fs::create_dir_all(&dir).unwrap();
        dir
    })
}

/// `caretrail --url <validator>` with `keypair` as the signer.
fn rpc(keypair: &Path) -> Command {
    let mut cmd = Command::cargo_bin("caretrail").unwrap();
    cmd.env_remove("CARETRAIL_LEDGER")
        .env("CARETRAIL_URL", url())
        .env("CARETRAIL_KEYPAIR", keypair)
        .env("HOME", work());
    cmd
}

/// `caretrail` on an embedded ledger in `ledger`.
fn embedded(ledger: &Path, keypair: &Path) -> Command {
    let mut cmd = Command::cargo_bin("caretrail").unwrap();
    cmd.env_remove("CARETRAIL_URL")
        .env("CARETRAIL_LEDGER", ledger)
        .env("CARETRAIL_KEYPAIR", keypair)
        .env("HOME", work());
    cmd
}

fn ledger() -> RpcLedger {
    RpcLedger::new(&url())
}

fn read_keypair(path: &Path) -> Keypair {
    let bytes: Vec<u8> = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    Keypair::try_from(bytes.as_slice()).unwrap()
}

fn pubkey(v: &Value) -> Pubkey {
    Pubkey::from_str(v.as_str().unwrap()).unwrap()
}

/// A seeded demo's output directory and story.
pub(crate) struct Story {
    out: PathBuf,
    story: Value,
}

impl Story {
    pub(crate) fn key(&self, name: &str) -> PathBuf {
        self.out.join(format!("keys/{name}.json"))
    }

    pub(crate) fn wallet(&self, name: &str) -> String {
        super::wallet(&self.story, name)
    }

    fn plaintext(&self, kind: &str) -> Vec<String> {
        self.story["plaintext"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["kind"] == kind)
            .map(|p| p["value"].as_str().unwrap().to_string())
            .collect()
    }

    /// The dispensed package's barcode, as the pharmacy scanned it.
    fn dispensed_code(&self) -> String {
        format!(
            "(01)09501101020917(17)271231(10){}(21){}",
            self.plaintext("lot")[0],
            self.plaintext("serial")[0]
        )
    }

    fn read(&self, file: &str) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.out.join(file)).unwrap()).unwrap()
    }
}

/// The seed both demos use: new per run, so the tests can run again on the same validator.
fn seed() -> &'static str {
    static SEED: OnceLock<String> = OnceLock::new();
    SEED.get_or_init(|| format!("e2e-{}", caretrail_sdk::util::unix_now()))
}

/// The demo over RPC (once per process).
pub(crate) fn rpc_story() -> &'static Story {
    static STORY: OnceLock<Story> = OnceLock::new();
    STORY.get_or_init(|| {
        let out = work().join("rpc-demo");
        let story = json(
            rpc(&authority())
                .args(["demo", "--force", "--seed", seed(), "--out"])
                .arg(&out),
        );
        Story { out, story }
    })
}

/// The same demo (same seed, same authority) on a fresh embedded ledger.
fn embedded_story() -> &'static Story {
    static STORY: OnceLock<Story> = OnceLock::new();
    STORY.get_or_init(|| {
        let out = work().join("embedded-demo");
        let _ = std::fs::remove_dir_all(&out);
        let story = json(
            embedded(&out.join("ledger"), &authority())
                .args(["demo", "--force", "--seed", seed(), "--out"])
                .arg(&out),
        );
        Story { out, story }
    })
}

/// What an EPCIS document declares, without what the clock and the cluster choose (event
/// times): each event's kind, action, step, EPCs, parent, children, transactions, lot, expiry.
fn declared(path: &Path) -> Value {
    let doc = caretrail_sdk::custody::epcis_import::import(&std::fs::read(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut v = serde_json::to_value(&doc).unwrap();
    for e in v["events"].as_array_mut().unwrap() {
        e["time"] = Value::Null;
    }
    v
}

fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && s.ends_with('Z')
        && b[..4].iter().all(u8::is_ascii_digit)
}

/// Masks what the clock and the cluster choose: RFC 3339 times, transaction signatures and
/// EPCIS event ids (hashes that include them), output paths and the ledger's name.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let masked = matches!(
                        k.as_str(),
                        "caretrail:transaction"
                            | "eventID"
                            | "signature"
                            | "ledger"
                            | "keypair"
                            | "epcis"
                            | "fhir"
                            | "eob"
                            // paths of the files a demo wrote
                            | "codes"
                            | "epcis_1_2"
                            | "epcis_2_0"
                            | "notice"
                            | "scans"
                            | "report"
                            | "logger"
                            | "file"
                            | "provenance"
                            | "documents"
                            | "anchored_access"
                            // unix times the cluster's clock chose
                            | "anchored_at"
                            | "at"
                    );
                    (
                        k.clone(),
                        if masked {
                            Value::String("<masked>".into())
                        } else {
                            normalize(v)
                        },
                    )
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::String(s) if is_timestamp(s) => Value::String("<time>".into()),
        other => other.clone(),
    }
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn the_demo_over_rpc_tells_the_same_story_as_the_embedded_ledger() {
    let rpc = rpc_story();
    assert_eq!(rpc.story["ledger"], url());
    let verifications: Vec<&str> = rpc.story["custody"]["verifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["result"]["result"].as_str().unwrap())
        .collect();
    assert_eq!(verifications, ["genuine", "lot_recalled", "unknown_serial"]);
    assert_eq!(
        rpc.story["consent"]["denied_access_after_revoke"],
        "GrantRevoked"
    );
    assert_eq!(rpc.story["claims"]["status"], "paid");
    assert_eq!(rpc.story["claims"]["pharmacy_balance"], 4_250);
    assert_eq!(rpc.story["claims"]["duplicate_claim"], "DuplicateClaim");

    let emb = embedded_story();
    assert_eq!(normalize(&rpc.story), normalize(&emb.story));
    for file in [
        "unit-history.epcis.json",
        "consent.fhir.json",
        "medication-list.v1.json.proof.json",
        "claim-response.fhir.json",
        "explanation-of-benefit.fhir.json",
    ] {
        assert_eq!(
            normalize(&rpc.read(file)),
            normalize(&emb.read(file)),
            "{file}"
        );
    }
    // The shipment's EPCIS documents (exported over RPC) declare the same events, EPCs,
    // aggregation and transactions, and the case was received against the notice over RPC
    // with the same report.
    for file in [
        "shipment.epcis.xml",
        "shipment.epcis.json",
        "shipment-notice.epcis.xml",
        "cold-chain.epcis.xml",
        "cold-chain.epcis.json",
    ] {
        assert_eq!(
            declared(&rpc.out.join(file)),
            declared(&emb.out.join(file)),
            "{file}"
        );
    }
    let report = |s: &Story| -> Value {
        normalize(
            &serde_json::from_str(
                std::fs::read_to_string(s.out.join("receiving.report.jsonl"))
                    .unwrap()
                    .trim_end(),
            )
            .unwrap(),
        )
    };
    assert_eq!(report(rpc), report(emb));
    assert_eq!(rpc.story["custody"]["receiving"]["summary"]["received"], 4);
    // The EPCIS history names the on-chain transactions of the validator.
    let epcis = rpc.read("unit-history.epcis.json");
    let events = epcis["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(events.len(), 8);
    let first = events[0]["caretrail:transaction"].as_str().unwrap();
    let status = ledger()
        .client()
        .get_signature_statuses_with_history(&[first.parse().unwrap()])
        .unwrap()
        .value
        .remove(0)
        .expect("the validator knows the demo's transaction");
    assert!(status.err.is_none());
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn history_and_audit_trail_are_rebuilt_from_rpc_transaction_history() {
    let (story, emb) = (rpc_story(), embedded_story());
    let code = story.dispensed_code();
    // The custody history of the dispensed package, from the validator's transactions.
    let history = |cmd: &mut Command| json(cmd.args(["custody", "history", &code, "--epcis"]));
    let from_rpc = history(&mut rpc(&authority()));
    let from_embedded = history(&mut embedded(&emb.out.join("ledger"), &authority()));
    assert_eq!(normalize(&from_rpc), normalize(&from_embedded));
    assert_eq!(
        normalize(&from_rpc),
        normalize(&story.read("unit-history.epcis.json"))
    );
    // Same signatures as the demo's export: both read the same on-chain history.
    let sigs = |v: &Value| -> Vec<String> {
        v["epcisBody"]["eventList"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["caretrail:transaction"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        sigs(&from_rpc),
        sigs(&story.read("unit-history.epcis.json"))
    );

    // The patient's consent audit trail: grants, the access, the revocation.
    let patient = story.story["consent"]["patient"]
        .as_str()
        .unwrap()
        .to_string();
    let audit = |cmd: &mut Command| -> Vec<String> {
        json(cmd.args(["consent", "audit", &patient]))
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect()
    };
    // (The validator's trail may have grown since: other tests act for the same patient.)
    let rpc_audit = audit(&mut rpc(&authority()));
    let embedded_audit = audit(&mut embedded(&emb.out.join("ledger"), &authority()));
    assert!(rpc_audit.len() >= embedded_audit.len());
    assert_eq!(rpc_audit[..embedded_audit.len()], embedded_audit[..]);
    // The treatment relationship key's trail: its payment consent lives under the coverage
    // key (audit finding 8).
    assert_eq!(
        rpc_audit[..3],
        ["GrantCreated", "AccessRecorded", "GrantRevoked"]
    );
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
pub(crate) fn a_custody_scan_of_three_hundred_lines_over_rpc() {
    use caretrail_sdk::custody as cus;
    let s = rpc_story();
    let l = ledger();
    let (manufacturer, distributor) = (
        read_keypair(&s.key("manufacturer")),
        read_keypair(&s.key("distributor")),
    );
    // The manufacturer commissions 300 packages of a new lot through the SDK.
    let client = cus::CustodyClient::new(&l, &manufacturer);
    let gtin = cus::parse_gtin("09501101020917").unwrap();
    let lot_number = format!("E{}", &seed()[4..]);
    client
        .register_lot(
            &manufacturer,
            cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
        )
        .unwrap();
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    let serials: Vec<String> = (0..300).map(|i| format!("E{i:05}")).collect();
    for chunk in serials.chunks(10) {
        client
            .commission(
                &manufacturer,
                &lot,
                chunk.iter().map(|s| cus::serial_hash(&gtin, s)).collect(),
            )
            .unwrap();
    }
    // The shipping file: 300 packages in three scanner formats and one bad line.
    let mut lines: Vec<String> = serials
        .iter()
        .enumerate()
        .map(|(i, s)| match i % 3 {
            0 => format!("(01)09501101020917(17)271231(10){lot_number}(21){s}"),
            1 => format!("0109501101020917<GS>17271231<GS>10{lot_number}<GS>21{s}"),
            _ => format!("]d2010950110102091717271231\u{1d}10{lot_number}\u{1d}21{s}"),
        })
        .collect();
    lines.insert(150, "(01)09501101020918(21)BADCHECKDIGIT".into());
    let file = work().join("e2e-shipment.txt");
    std::fs::write(&file, lines.join("\n")).unwrap();
    let scan = |key: &Path, action: &[&str]| -> Vec<Value> {
        super::per_line(
            rpc(key)
                .args(["--output", "json", "custody", "scan"])
                .arg(&file)
                .args(action),
        )
    };
    let count =
        |rows: &[Value], status: &str| rows.iter().filter(|r| r["status"] == status).count();
    let distributor_wallet = s.wallet("distributor");
    let shipped = scan(
        &s.key("manufacturer"),
        &[
            "--ship-to",
            &distributor_wallet,
            "--read-point",
            "0614141000012",
            "--shipment",
            &format!("ASN-{lot_number}"),
        ],
    );
    assert_eq!(shipped.len(), 301);
    assert_eq!(
        (count(&shipped, "done"), count(&shipped, "rejected")),
        (300, 1)
    );
    let bad = shipped.iter().find(|r| r["status"] == "rejected").unwrap();
    assert_eq!(bad["line"], 151);
    assert!(
        bad["reason"].as_str().unwrap().contains("check digit"),
        "{bad}"
    );
    let transactions: std::collections::HashSet<&str> = shipped
        .iter()
        .filter_map(|r| r["signature"].as_str())
        .collect();
    assert!(
        transactions.len() < 60,
        "packed many per transaction: {}",
        transactions.len()
    );

    // The manufacturer's shipment notice, exported over RPC (EPCIS 1.2, valid against GS1's
    // XSD and event hashes), and the distributor's dock receiving against it over RPC.
    let codes = work().join("e2e-shipment.codes.txt");
    std::fs::write(
        &codes,
        lines
            .iter()
            .filter(|l| !l.contains("BADCHECKDIGIT"))
            .cloned()
            .collect::<Vec<_>>()
            .join("\n"),
    )
    .unwrap();
    let notice = work().join("e2e-shipment.epcis.xml");
    let exported = json(
        rpc(&s.key("manufacturer"))
            .args([
                "epcis",
                "export",
                "--shipment",
                &format!("ASN-{lot_number}"),
            ])
            .args(["--format", "1.2", "--codes"])
            .arg(&codes)
            .arg("--out")
            .arg(&notice),
    );
    assert_eq!(exported["epcs"], 300, "{exported}");
    let validation = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-epcis.sh"))
        .arg(&notice)
        .output()
        .unwrap();
    assert!(validation.status.success(), "{validation:?}");
    let reconcile = || -> Value {
        let o = rpc(&s.key("distributor"))
            .args(["--output", "json", "custody", "scan"])
            .arg(&file)
            .args(["--receive", "--expect"])
            .arg(&notice)
            .output()
            .unwrap();
        // The bad line is rejected: exit status 1.
        assert_eq!(
            o.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&o.stderr)
        );
        serde_json::from_slice(&o.stdout).unwrap()
    };
    let received = reconcile();
    let summary = &received["summary"];
    assert_eq!(
        [
            &summary["expected"],
            &summary["received"],
            &summary["done"],
            &summary["rejected"],
            &summary["shortage"],
            &summary["overage"]
        ],
        [300, 300, 300, 1, 0, 0],
        "{summary}"
    );
    // Safe to re-run: everything already landed.
    let again = reconcile();
    assert_eq!(again["summary"]["already_done"], 300);
    let again = scan(&s.key("distributor"), &["--receive"]);
    assert_eq!(count(&again, "already_done"), 300);

    // Read back through the SDK: every package held by the distributor after one hop.
    let units: Vec<Pubkey> = serials.iter().map(|s| cus::unit_pda(&gtin, s).0).collect();
    for address in &units {
        let unit = cus::fetch_unit(&l, address).unwrap().unwrap();
        assert_eq!(unit.holder, distributor.pubkey(), "{address}");
        assert_eq!(unit.hop_count, 1, "{address}");
    }
    // And the CLI's verification agrees.
    let v = json(rpc(&s.key("distributor")).args([
        "custody",
        "verify",
        &lines[0],
        "--expect-holder",
        "me",
    ]));
    assert_eq!(v["result"], "genuine");
}

/// Audit finding 1 on the real validator: an outsider funds the next hop of a package the
/// distributor holds, and a new lot's address, before they are created; `custody scan
/// --ship-to` and `register_lot` still create them (no `CreateAccountAllowPrefund`).
#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn prefunded_addresses_are_still_created_on_the_validator() {
    use caretrail_sdk::custody as cus;
    let s = rpc_story();
    let l = ledger();
    let manufacturer = read_keypair(&s.key("manufacturer"));
    let distributor = read_keypair(&s.key("distributor"));
    let client = cus::CustodyClient::new(&l, &manufacturer);
    let gtin = cus::parse_gtin("09501101020917").unwrap();
    let lot_number = format!("P{}", &seed()[4..]);
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    l.request_airdrop(&lot, 1_000_000).unwrap();
    client
        .register_lot(
            &manufacturer,
            cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
        )
        .expect("register a lot whose address was prefunded");
    assert_eq!(l.get_account(&lot).unwrap().unwrap().owner, cus::PROGRAM_ID);
    let serial = "PREFUND-1";
    client
        .commission(&manufacturer, &lot, vec![cus::serial_hash(&gtin, serial)])
        .unwrap();
    let unit = cus::unit_pda(&gtin, serial).0;
    let args = cus::ShipArgs {
        read_point: *b"0614141000012",
        shipment_ref: cus::shipment_ref("ASN-PREFUND"),
        is_return: false,
    };
    client
        .ship(&manufacturer, &distributor.pubkey(), &unit, args)
        .unwrap();
    cus::CustodyClient::new(&l, &distributor)
        .receive(&distributor, &unit)
        .unwrap();
    // The outsider funds hop 1, the distributor's next shipment.
    let next = cus::hop_pda(&unit, 1).0;
    l.request_airdrop(&next, 1_000_000).unwrap();
    let file = work().join("e2e-prefund.txt");
    std::fs::write(
        &file,
        format!("(01)09501101020917(17)271231(10){lot_number}(21){serial}\n"),
    )
    .unwrap();
    let rows = json(
        rpc(&s.key("distributor"))
            .args(["custody", "scan"])
            .arg(&file)
            .args(["--ship-to", &s.wallet("pharmacy")]),
    );
    assert_eq!(rows["status"], "done", "{rows}");
    let hop = cus::fetch_hop(&l, &unit, 1)
        .unwrap()
        .expect("hop 1 created");
    assert_eq!(hop.to, pubkey(&Value::String(s.wallet("pharmacy"))));
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn consent_over_rpc_with_the_patient_signing_offline() {
    let s = rpc_story();
    let dir = work().join("consent");
    std::fs::create_dir_all(&dir).unwrap();
    let key = |name: &str| dir.join(format!("{name}.json"));
    for name in ["patient", "clinic"] {
        json(
            Command::cargo_bin("caretrail")
                .unwrap()
                .args(["keygen", "--force", "--outfile"])
                .arg(key(name)),
        );
        json(rpc(&key(name)).args(["airdrop", "2"]));
    }
    let patient = json(rpc(&key("patient")).args(["address"]))["pubkey"]
        .as_str()
        .unwrap()
        .to_string();
    let provider = s.wallet("provider");

    // The clinic prepares the grant; the patient's wallet signs it offline; the clinic submits.
    let built = json(rpc(&key("clinic")).args([
        "consent",
        "grant",
        "--grantee",
        &provider,
        "--classes",
        "medications,labs",
        "--purposes",
        "TREAT",
        "--days",
        "30",
        "--sign-only",
        "--authority",
        &patient,
    ]));
    assert_eq!(built["missing"], serde_json::json!([patient]));
    let tx = built["transaction"].as_str().unwrap().to_string();
    let signed = json(rpc(&key("patient")).args(["tx", "sign", &tx]));
    let pair = signed["signers"][0].as_str().unwrap().to_string();
    json(rpc(&key("clinic")).args(["tx", "submit", &tx, "--signer", &pair]));
    let grant = built["grant"].as_str().unwrap().to_string();

    // The provider reads labs under the grant; an EHR gateway checks.
    json(rpc(&s.key("provider")).args([
        "consent",
        "access",
        &grant,
        "--class",
        "labs",
        "--purpose",
        "TREAT",
    ]));
    let check = json(rpc(&authority()).args([
        "consent",
        "check",
        "--patient",
        &patient,
        "--grantee",
        &provider,
        "--class",
        "labs",
        "--purpose",
        "TREAT",
    ]));
    assert_eq!(check["decision"], "permit");

    // The revocation, built with a durable nonce (no blockhash expiry), signed offline.
    let nonce = json(
        rpc(&key("clinic"))
            .args(["tx", "create-nonce", "--nonce-keypair"])
            .arg(key("nonce")),
    );
    let built = json(rpc(&key("clinic")).args([
        "consent",
        "revoke",
        &grant,
        "--sign-only",
        "--authority",
        &patient,
        "--nonce",
        nonce["nonce"].as_str().unwrap(),
    ]));
    let tx = built["transaction"].as_str().unwrap().to_string();
    let signed = json(rpc(&key("patient")).args(["tx", "sign", &tx]));
    let pair = signed["signers"][0].as_str().unwrap().to_string();
    json(rpc(&key("clinic")).args(["tx", "submit", &tx, "--signer", &pair]));

    // A provider's access is now refused on chain, with the reason.
    fails_with(
        rpc(&s.key("provider")).args([
            "consent",
            "access",
            &grant,
            "--class",
            "labs",
            "--purpose",
            "TREAT",
        ]),
        "GrantRevoked",
    );
    // The audit trail, rebuilt from the validator's transaction history.
    let audit: Vec<String> = json(rpc(&authority()).args(["consent", "audit", &patient]))
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(audit, ["GrantCreated", "AccessRecorded", "GrantRevoked"]);
    let g = caretrail_sdk::consent::fetch_grant(&ledger(), &pubkey(&Value::String(grant)))
        .unwrap()
        .unwrap();
    assert_eq!(g.patient.to_string(), patient);
    assert_eq!(g.access_count, 1);
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
pub(crate) fn a_claim_paid_in_spl_tokens_over_rpc_with_balances_read_back() {
    use caretrail_sdk::{claims as clm, tokens};
    let s = rpc_story();
    let l = ledger();
    let payer_wallet = s.wallet("payer");
    let payer = clm::payer_pda(&pubkey(&Value::String(payer_wallet.clone()))).0;
    let p = clm::fetch_payer(&l, &payer).unwrap().unwrap();
    let vault = clm::vault_pda(&payer).0;
    // The provider's token account for the payer's mint, created through the SDK.
    let provider = read_keypair(&s.key("provider"));
    let provider_token =
        tokens::create_ata(&l, &provider, &provider.pubkey(), &p.mint, &p.token_program).unwrap();
    let before = (
        tokens::balance(&l, &vault).unwrap(),
        tokens::balance(&l, &provider_token).unwrap(),
    );

    let e = json(
        rpc(&s.key("payer"))
            .args([
                "claims",
                "enroll",
                "--member-id",
                &format!("MBR-{}", seed()),
                "--annual-max",
                "100000",
                "--deductible",
                "500",
                "--patient-keypair",
            ])
            .arg(s.key("patient")),
    );
    let coverage = e["coverage"].as_str().unwrap().to_string();
    let claim_id = format!("CLM-{}", seed());
    let submitted = json(rpc(&s.key("provider")).args([
        "claims",
        "submit",
        "--payer",
        &payer_wallet,
        "--coverage",
        &coverage,
        "--claim-id",
        &claim_id,
        "--billed",
        "3000",
    ]));
    let claim = submitted["claim"].as_str().unwrap().to_string();
    json(rpc(&s.key("payer")).args(["claims", "review", &claim]));
    let a = json(rpc(&s.key("payer")).args(["claims", "adjudicate", &claim, "--allowed", "3000"]));
    assert_eq!(a["claim"]["status"], "partially_approved");
    assert_eq!(a["claim"]["approved"], 2_500);
    let paid = json(rpc(&s.key("payer")).args(["claims", "pay", &claim]));
    assert_eq!(paid["to"], provider_token.to_string());
    assert_eq!(paid["amount"], 2_500);

    // Balances read back from the cluster.
    assert_eq!(
        (
            tokens::balance(&l, &vault).unwrap(),
            tokens::balance(&l, &provider_token).unwrap()
        ),
        (before.0 - 2_500, before.1 + 2_500)
    );
    let c = clm::fetch_claim(&l, &pubkey(&Value::String(claim.clone())))
        .unwrap()
        .unwrap();
    assert_eq!(clm::status_name(c.status), "paid");
    assert_eq!(c.paid, 2_500);
    // Paying twice is refused on chain.
    let again = rpc(&s.key("payer"))
        .args(["claims", "pay", &claim])
        .output()
        .unwrap();
    assert!(!again.status.success());
    let shown = json(rpc(&s.key("payer")).args(["claims", "show", &claim]));
    assert_eq!(shown["x12_clp02"], "1");
    assert_eq!(shown["status"], "paid");
    assert_eq!(shown["fhir_outcome"], "complete");
}

/// The instructions the stories above do not use, once each over RPC, so the validator's
/// compute-unit table covers the programs' whole surface: the registry lifecycle, consent
/// requests, amendments, guardians and break-glass, and the claims paths off the happy one
/// (void, replace, appeal, reverse).
#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn the_rest_of_the_instructions_over_rpc() {
    use caretrail_sdk::{claims as clm, tokens};
    let s = rpc_story();
    let l = ledger();
    let dir = work().join("rest");
    std::fs::create_dir_all(&dir).unwrap();
    let key = |name: &str| dir.join(format!("{name}.json"));
    let new_wallet = |name: &str| -> String {
        let k = json(
            Command::cargo_bin("caretrail")
                .unwrap()
                .args(["keygen", "--force", "--outfile"])
                .arg(key(name)),
        );
        json(rpc(&key(name)).args(["airdrop", "2"]));
        k["pubkey"].as_str().unwrap().to_string()
    };

    // Registry: a participant's whole lifecycle.
    let courier = new_wallet("courier");
    json(
        rpc(&authority())
            .args([
                "registry",
                "register",
                &courier,
                "--roles",
                "logistics",
                "--gln",
                "0614141000005",
                "--credential-commitment",
            ])
            .arg("33".repeat(32)),
    );
    json(rpc(&authority()).args(["registry", "update", &courier, "--valid-days", "30"]));
    json(rpc(&authority()).args(["registry", "suspend", &courier, "--reason", "4"]));
    json(rpc(&authority()).args(["registry", "reinstate", &courier]));
    json(rpc(&authority()).args(["registry", "revoke", &courier]));
    let p = json(rpc(&authority()).args(["registry", "participant", &courier]));
    assert_eq!(p["status"], "revoked");

    // Consent: request → approve → amend → revoke → close; a guardian; break-glass; a
    // rejected request.
    let patient = new_wallet("patient");
    let guardian = new_wallet("guardian");
    let provider = s.key("provider");
    let request = || {
        json(rpc(&provider).args([
            "consent",
            "request",
            "--patient",
            &patient,
            "--classes",
            "labs",
            "--purposes",
            "TREAT",
        ]))["grant"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let g = request();
    json(rpc(&key("patient")).args(["consent", "approve", &g]));
    json(rpc(&key("patient")).args(["consent", "amend", &g, "--days", "10"]));
    json(rpc(&key("patient")).args(["consent", "revoke", &g]));
    json(rpc(&key("patient")).args(["consent", "close", &g]));
    assert!(l.get_account(&pubkey(&Value::String(g))).unwrap().is_none());
    json(rpc(&key("patient")).args([
        "consent",
        "delegate",
        &guardian,
        "--classes",
        "labs",
        "--purposes",
        "TREAT",
    ]));
    let rejected = request();
    json(rpc(&key("guardian")).args(["consent", "reject", &rejected]));
    let e = json(rpc(&provider).args([
        "consent",
        "emergency",
        "--patient",
        &patient,
        "--classes",
        "labs",
        "--hours",
        "2",
    ]));
    let emergency = e["grant"].as_str().unwrap().to_string();
    json(rpc(&key("patient")).args([
        "consent",
        "emergency",
        "--patient",
        &patient,
        "--classes",
        "labs",
        "--review",
        &emergency,
    ]));

    // Claims: void, replace, a partial approval appealed and re-adjudicated, paid, reversed.
    let payer_wallet = s.wallet("payer");
    let payer = clm::payer_pda(&pubkey(&Value::String(payer_wallet.clone()))).0;
    let pdata = clm::fetch_payer(&l, &payer).unwrap().unwrap();
    let provider_wallet = read_keypair(&provider);
    let provider_token =
        tokens::associated_address(&provider_wallet.pubkey(), &pdata.mint, &pdata.token_program);
    if l.get_account(&provider_token).unwrap().is_none() {
        tokens::create_ata(
            &l,
            &provider_wallet,
            &provider_wallet.pubkey(),
            &pdata.mint,
            &pdata.token_program,
        )
        .unwrap();
    }
    let e = json(
        rpc(&s.key("payer"))
            .args([
                "claims",
                "enroll",
                "--additional-coverage",
                "--member-id",
                &format!("MBR-REST-{}", seed()),
                "--annual-max",
                "100000",
                "--patient-keypair",
            ])
            .arg(s.key("patient")),
    );
    let coverage = e["coverage"].as_str().unwrap().to_string();
    let submit = |id: &str, billed: &str| {
        json(rpc(&provider).args([
            "claims",
            "submit",
            "--payer",
            &payer_wallet,
            "--coverage",
            &coverage,
            "--claim-id",
            &format!("{id}-{}", seed()),
            "--billed",
            billed,
        ]))["claim"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let voided = submit("VOID", "1000");
    json(rpc(&provider).args(["claims", "void", &voided]));
    let original = submit("ORIG", "2000");
    let replaced = json(rpc(&provider).args([
        "claims",
        "replace",
        &original,
        "--payer",
        &payer_wallet,
        "--coverage",
        &coverage,
        "--claim-id",
        &format!("REPL-{}", seed()),
        "--billed",
        "2000",
    ]))["claim"]
        .as_str()
        .unwrap()
        .to_string();
    let status = |c: &str| {
        clm::status_name(
            clm::fetch_claim(&l, &pubkey(&Value::String(c.to_string())))
                .unwrap()
                .unwrap()
                .status,
        )
    };
    assert_eq!(status(&original), "voided");
    json(rpc(&s.key("payer")).args([
        "claims",
        "adjudicate",
        &replaced,
        "--allowed",
        "1500",
        "--carc",
        "45",
    ]));
    json(rpc(&provider).args(["claims", "appeal", &replaced]));
    json(rpc(&s.key("payer")).args(["claims", "adjudicate", &replaced, "--allowed", "2000"]));
    let before = tokens::balance(&l, &provider_token).unwrap();
    json(rpc(&s.key("payer")).args(["claims", "pay", &replaced]));
    assert_eq!(
        tokens::balance(&l, &provider_token).unwrap(),
        before + 2_000
    );
    json(
        rpc(&s.key("payer"))
            .args(["claims", "reverse", &replaced, "--provider-keypair"])
            .arg(&provider),
    );
    assert_eq!(status(&replaced), "reversed");
    assert_eq!(tokens::balance(&l, &provider_token).unwrap(), before);
}

#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn patients_decide_from_their_own_wallets_over_rpc() {
    // `caretrail --url <validator> serve`: the Solana Pay / Actions flow with the reference
    // clients, and the portal in headless chromium, each decision landing on the validator.
    let s = rpc_story();
    let dir = work().join("wallets");
    std::fs::create_dir_all(&dir).unwrap();
    super::wallets::wallet_flow(
        &super::wallets::Net {
            dir,
            url: Some(url()),
        },
        s.key("provider").to_str().unwrap(),
        s.key("pharmacy").to_str().unwrap(),
    );
}

/// The VRS over the validator: `caretrail serve --url <validator> --vrs-for` the story's
/// manufacturer answers `custody verify --vrs` about each of its packages from the chain.
#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn a_vrs_request_is_answered_from_the_validator() {
    vrs_requests_answered_over(url());
}

/// The story's packages asked about through a VRS responder serving the node at `node`.
pub(crate) fn vrs_requests_answered_over(node: String) {
    let s = rpc_story();
    super::vrs::packages_over_vrs(&s.out, &s.story, Some(node));
}

/// Records and trials on the validator: the RPC demo's medication list verified from the
/// chain (v1 superseded by v2, v2 current), a directory anchored and corrected with the CLI
/// over RPC, and both demo trials audited (clean, and flagged).
#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn records_and_trials_over_rpc() {
    let s = rpc_story();
    let verify = |file: &str, proof: &str| -> Value {
        json(
            rpc(&s.key("provider"))
                .args(["records", "verify"])
                .arg(s.out.join(file))
                .arg("--proof")
                .arg(s.out.join(proof)),
        )
    };
    let v1 = verify(
        "medication-list.v1.json",
        "medication-list.v1.json.proof.json",
    );
    assert_eq!(
        (v1["status"].as_str(), v1["by_version"].as_u64()),
        (Some("superseded"), Some(2))
    );
    let v2 = verify(
        "medication-list.v2.json",
        "medication-list.v2.json.proof.json",
    );
    assert_eq!(v2["status"], "current");
    let dir = work().join("records-over-rpc");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..20 {
        std::fs::write(
            dir.join(format!("r{i:02}.txt")),
            format!("{} record {i}", seed()),
        )
        .unwrap();
    }
    let a = json(
        rpc(&s.key("provider"))
            .args(["records", "anchor"])
            .arg(&dir),
    );
    assert_eq!(a["records"].as_array().unwrap().len(), 20);
    let batch = rpc_ledger_batch(&a["batch"]);
    assert_eq!(batch.leaves, 20);
    let fixed = work().join("r00.fixed.txt");
    std::fs::write(&fixed, format!("{} record 0, corrected", seed())).unwrap();
    let c = json(
        rpc(&s.key("provider"))
            .args(["records", "anchor"])
            .arg(&fixed)
            .arg("--supersedes")
            .arg(dir.join("r00.txt.proof.json")),
    );
    assert_eq!(c["links"].as_array().unwrap().len(), 1);
    let old = json(
        rpc(&s.key("provider"))
            .args(["records", "verify"])
            .arg(dir.join("r00.txt"))
            .arg("--proof")
            .arg(dir.join("r00.txt.proof.json")),
    );
    assert_eq!(old["status"], "superseded");
    let clean = json(rpc(&s.key("sponsor")).args([
        "trials",
        "audit",
        s.story["trials"]["clean"]["trial"].as_str().unwrap(),
    ]));
    assert_eq!(clean["findings"], serde_json::json!([]));
    let flagged = super::json_alert(rpc(&s.key("sponsor")).args([
        "trials",
        "audit",
        s.story["trials"]["switched"]["trial"].as_str().unwrap(),
    ]));
    assert_eq!(
        super::finding_kinds(&flagged),
        [
            "outcomes_changed_after_lock",
            "results_against_unspecified_outcomes"
        ]
    );
}

fn rpc_ledger_batch(address: &Value) -> caretrail_sdk::records::RecordBatch {
    caretrail_sdk::records::fetch_batch(&ledger(), &pubkey(address))
        .unwrap()
        .expect("the batch is on the validator")
}

/// Compressed packages on the real validator (issue 20): a package tree created by a
/// top-level `create_account` and the program, packages commissioned straight into a case, the
/// case shipped and received, packages unpacked, one shipped loose with its proof and
/// received (its hop closed, the rent back to its payer), then dispensed; the SDK rebuilds the
/// tree from `getSignaturesForAddress` / `getTransaction` and verification answers from it.
#[test]
#[ignore = "needs a validator: scripts/e2e-validator.sh"]
fn compressed_packages_over_rpc() {
    use caretrail_sdk::custody::{self as cus, PackageTreeIndex, UnitKind, UnitStatus};
    let s = rpc_story();
    let l = ledger();
    let manufacturer = read_keypair(&s.key("manufacturer"));
    let distributor = read_keypair(&s.key("distributor"));
    let pharmacy = read_keypair(&s.key("pharmacy"));
    let m = cus::CustodyClient::new(&l, &manufacturer);
    let d = cus::CustodyClient::new(&l, &distributor);
    let p = cus::CustodyClient::new(&l, &pharmacy);
    let gtin = cus::parse_gtin("09501101020917").unwrap();
    let lot_number = format!("Z{}", &seed()[4..]);
    m.register_lot(
        &manufacturer,
        cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
    )
    .unwrap();
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    let (tree, _) = m.create_package_tree(&manufacturer, &lot).unwrap();
    let account = l.get_account(&tree).unwrap().unwrap();
    assert_eq!(
        (account.owner, account.data.len()),
        (cus::PROGRAM_ID, cus::PackageTree::ACCOUNT_LEN)
    );
    let serials: Vec<String> = (0..20).map(|i| format!("Z{i:03}")).collect();
    let mut hashes: Vec<[u8; 32]> = serials.iter().map(|s| cus::serial_hash(&gtin, s)).collect();
    hashes.sort();
    let tag = &seed()[seed().len() - 8..];
    let sscc_text = cus::complete_sscc(&format!("106141419{tag}")).unwrap();
    let sscc = cus::parse_sscc(&sscc_text).unwrap();
    m.create_aggregate(&manufacturer, sscc, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&sscc).0;
    assert_eq!(
        m.commission_packages(&manufacturer, &tree, Some(&case), hashes.clone())
            .unwrap()
            .len(),
        1
    );
    let args = cus::ShipArgs {
        read_point: *b"0614141000012",
        shipment_ref: cus::shipment_ref("ASN-COMPRESSED"),
        is_return: false,
    };
    m.ship(&manufacturer, &distributor.pubkey(), &case, args.clone())
        .unwrap();
    d.receive(&distributor, &case).unwrap();
    assert!(
        cus::fetch_hop(&l, &case, 0).unwrap().is_none(),
        "hop closed"
    );
    d.unpack_packages(&distributor, &tree, &case, &hashes[..2])
        .unwrap();
    let shipment = cus::PackageShipment {
        read_point: args.read_point,
        shipment_ref: args.shipment_ref,
        is_return: false,
    };
    d.ship_package(
        &distributor,
        &tree,
        &hashes[0],
        &pharmacy.pubkey(),
        &shipment,
    )
    .unwrap();
    p.receive_package(&pharmacy, &tree, &hashes[0]).unwrap();
    assert!(l
        .get_account(&cus::package_hop_pda(&tree, 0, 0).0)
        .unwrap()
        .is_none());
    let index = PackageTreeIndex::sync(&l, &tree).unwrap();
    let leaf = index.leaf(0).unwrap();
    assert_eq!(
        (leaf.holder, leaf.status, leaf.hop_count),
        (pharmacy.pubkey(), UnitStatus::Active, 1)
    );
    let serial_of = |hash: &[u8; 32]| {
        serials
            .iter()
            .find(|s| cus::serial_hash(&gtin, s) == *hash)
            .unwrap()
            .clone()
    };
    let code = |serial: &str| {
        caretrail_sdk::gs1::parse_with_year(
            &format!(
                "]d201{}17271231\u{1d}10{lot_number}\u{1d}21{serial}",
                "09501101020917"
            ),
            2026,
        )
        .unwrap()
    };
    let first = serial_of(&hashes[0]);
    assert!(cus::verify(&l, &code(&first), Some(&pharmacy.pubkey()))
        .unwrap()
        .is_genuine());
    p.dispense_package(&pharmacy, &tree, &hashes[0]).unwrap();
    assert_eq!(
        cus::verify(&l, &code(&first), None).unwrap().name(),
        "already_dispensed"
    );
    // A package still in the case follows it: held by the distributor, inside the case.
    match cus::verify(&l, &code(&serial_of(&hashes[5])), None).unwrap() {
        cus::Verification::Genuine { holder, inside, .. } => {
            assert_eq!(holder, distributor.pubkey().to_string());
            assert_eq!(inside, Some(case.to_string()));
        }
        other => panic!("{other:?}"),
    }

    // Cold chain (2–8 °C): an excursion quarantines a loose package at receipt, and a case of
    // packages through a package proven to travel in it.
    m.set_storage_condition(
        &manufacturer,
        &lot,
        cus::StorageConditionArgs {
            min_centi_celsius: 200,
            max_centi_celsius: 800,
            tolerated_minutes: 0,
        },
    )
    .unwrap();
    let warm = cus::cold_chain::read_logger_csv(
        b"time,temperature_c\n1764576000,4\n1764576600,11\n1764577200,11\n1764577800,6\n",
    )
    .unwrap();
    d.ship_package(
        &distributor,
        &tree,
        &hashes[1],
        &pharmacy.pubkey(),
        &shipment,
    )
    .unwrap();
    p.receive_package_with_sensor(&pharmacy, &tree, &hashes[1], &warm)
        .unwrap();
    assert_eq!(
        cus::verify(&l, &code(&serial_of(&hashes[1])), None)
            .unwrap()
            .name(),
        "quarantined"
    );
    let (tree2, _) = m.create_package_tree(&manufacturer, &lot).unwrap();
    let sscc2 = cus::parse_sscc(&cus::complete_sscc(&format!("106141418{tag}")).unwrap()).unwrap();
    m.create_aggregate(&manufacturer, sscc2, UnitKind::Case)
        .unwrap();
    let case2 = cus::sscc_pda(&sscc2).0;
    let mut cold: Vec<[u8; 32]> = (0..20)
        .map(|i| cus::serial_hash(&gtin, &format!("Y{i:03}")))
        .collect();
    cold.sort();
    m.commission_packages(&manufacturer, &tree2, Some(&case2), cold)
        .unwrap();
    m.ship(&manufacturer, &distributor.pubkey(), &case2, args.clone())
        .unwrap();
    d.receive_with_sensor(&distributor, &case2, &warm).unwrap();
    let received = cus::fetch_unit(&l, &case2).unwrap().unwrap();
    assert_eq!(
        (received.status, received.holder),
        (UnitStatus::Quarantined, distributor.pubkey())
    );
}
