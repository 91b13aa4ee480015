//! The `caretrail` binary end to end on a temporary embedded ledger.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn caretrail(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("caretrail").unwrap();
    cmd.env_remove("CARETRAIL_URL")
        .env("CARETRAIL_LEDGER", dir.join("ledger"))
        .env("CARETRAIL_KEYPAIR", dir.join("id.json"))
        // The tests' own ledgers and default keys are made on first use; the safe defaults
        // without these are tested in `jobs/personas.rs`.
        .env("CARETRAIL_CREATE_KEYPAIR", "true")
        .env("CARETRAIL_CREATE_LEDGER", "true")
        .env("HOME", dir);
    cmd
}

#[path = "e2e/validator.rs"]
mod validator;

#[path = "jobs/personas.rs"]
mod personas;

#[path = "jobs/wallets.rs"]
mod wallets;

#[path = "jobs/served.rs"]
mod served;

#[path = "jobs/epcis.rs"]
mod epcis;

#[path = "jobs/vrs.rs"]
mod vrs;

/// Runs `cmd`, which must fail with `error` named on stderr.
fn fails_with(cmd: &mut Command, error: &str) {
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "expected {error}, got success");
    assert!(stderr.contains(error), "expected {error}: {stderr}");
}

/// The JSON of a command that answers negatively (exit status 1: an alert, a denial).
fn json_alert(cmd: &mut Command) -> Value {
    let out = cmd.arg("--output").arg("json").output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The JSON lines of a per-line command (`custody scan`, `commission` with `--output json`),
/// checking its exit status: 1 exactly when a line was rejected, 0 otherwise.
fn per_line(cmd: &mut Command) -> Vec<Value> {
    let o = cmd.output().unwrap();
    let lines = json_lines(&String::from_utf8(o.stdout).unwrap());
    let rejected = lines.iter().any(|l| l["status"] == "rejected");
    assert_eq!(
        o.status.code(),
        Some(rejected as i32),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    lines
}

/// The kinds of a `trials audit` answer's findings, in order.
fn finding_kinds(audit: &Value) -> Vec<&str> {
    audit["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["finding"].as_str().unwrap())
        .collect()
}

/// One JSON value per line of `text` (JSON-lines output and logs).
fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The demo told into `dir/demo` on a fresh embedded ledger: its output directory and story.
fn demo_in(dir: &Path) -> (PathBuf, Value) {
    let out = dir.join("demo");
    let story = json(
        caretrail(dir)
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
    );
    (out, story)
}

/// `caretrail` on the demo's ledger under `out`, signing as the party `key` (`out/keys/`).
fn as_party(dir: &Path, out: &Path, key: &str) -> Command {
    let mut c = caretrail(dir);
    c.arg("--ledger")
        .arg(out.join("ledger"))
        .arg("--keypair")
        .arg(out.join(format!("keys/{key}.json")));
    c
}

/// The wallet of the party `name` in a demo's story.
fn wallet(story: &Value, name: &str) -> String {
    story["parties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["wallet"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `scripts/validate-x12.sh` (pyx12's x12valid against the 5010 guides) accepts `file`.
fn x12_valid(file: &Path) {
    let checked = std::process::Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-x12.sh"))
        .arg(file)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        String::from_utf8_lossy(&checked.stdout)
    );
}

fn json(cmd: &mut Command) -> Value {
    let out = cmd.arg("--output").arg("json").output().unwrap();
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn demo_writes_story_and_dump_lists_accounts_and_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let story = json(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
    );
    assert_eq!(story["parties"].as_array().unwrap().len(), 7);
    let on_disk: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("story.json")).unwrap()).unwrap();
    assert_eq!(on_disk["parties"], story["parties"]);
    assert!(out.join("keys/pharmacy.json").exists());
    epcis::demo_shipment_documents(dir.path(), &out, &story);
    vrs::demo_packages_over_vrs(&out, &story);
    // The cold-chain package's logger broke 2–8 °C for 40 minutes: quarantined at receipt.
    let cold = &story["custody"]["cold_chain"];
    assert_eq!(
        cold["summary"],
        serde_json::json!({"min_celsius": 4.5, "max_celsius": 11.0, "mean_celsius": 8.06,
            "minutes_outside": 40, "readings": 8})
    );
    assert_eq!(cold["status"], "quarantined");
    assert_eq!(cold["verification"], "quarantined");
    assert!(out.join("cold-chain.logger.csv").exists());

    // Custody: the pharmacy's scans and the EPCIS history of the dispensed package.
    let results: Vec<&str> = story["custody"]["verifications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["result"]["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["genuine", "lot_recalled", "unknown_serial"]);
    // The same story on compressed packages: verification agrees with the units, package by
    // package, and the emptied case was closed.
    let compressed = &story["compressed"];
    let agreement: Vec<(&str, &str, bool)> = compressed["verification_agrees_with_units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                v["unit"].as_str().unwrap(),
                v["compressed"].as_str().unwrap(),
                v["agree"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        agreement,
        [
            ("genuine", "genuine", true),
            ("label_mismatch", "label_mismatch", true),
            ("already_dispensed", "already_dispensed", true),
            ("quarantined", "quarantined", true),
            ("lot_recalled", "lot_recalled", true),
            ("unknown_serial", "unknown_serial", true),
        ]
    );
    assert_eq!(compressed["packages"], 4);
    assert_eq!(compressed["tree_rent_lamports"], 146_048_640);
    assert_eq!(compressed["case"]["closed"], true);
    let epcis: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("unit-history.epcis.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        epcis["@context"][0],
        "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
    );
    assert_eq!(epcis["type"], "EPCISDocument");
    let steps: Vec<&str> = epcis["epcisBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["bizStep"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "commissioning",
            "packing",
            "shipping",
            "receiving",
            "unpacking",
            "shipping",
            "receiving",
            "dispensing"
        ]
    );
    // Claims: the pharmacy's claim paid in tokens, the duplicate and the phantom rejected.
    assert_eq!(
        (
            story["claims"]["status"].as_str(),
            story["claims"]["paid"].as_u64()
        ),
        (Some("paid"), Some(4_250))
    );
    assert_eq!(story["claims"]["pharmacy_balance"], 4_250);
    assert_eq!(
        (
            story["claims"]["duplicate_claim"].as_str(),
            story["claims"]["phantom_claim"].as_str()
        ),
        (Some("DuplicateClaim"), Some("UnitNotDispensed"))
    );
    let response: Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("claim-response.fhir.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        (
            response["resourceType"].as_str(),
            response["outcome"].as_str()
        ),
        (Some("ClaimResponse"), Some("complete"))
    );
    assert_eq!(
        story["consent"]["denied_access_after_revoke"],
        "GrantRevoked"
    );
    // Records: v1 superseded by its correction, v2 current, an altered copy refused; the
    // Provenance of v2 written.
    let r = &story["records"];
    assert_eq!(r["v1"]["verification"]["status"], "superseded");
    assert_eq!(r["v1"]["verification"]["by_version"], 2);
    assert_eq!(r["v2"]["verification"]["status"], "current");
    assert_eq!(r["altered_copy"], "altered");
    let provenance: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("provenance.fhir.json")).unwrap())
            .unwrap();
    assert_eq!(provenance["resourceType"], "Provenance");
    // The CLI verifies the files the demo wrote with their proofs.
    let v1 = out.join("medication-list.v1.json");
    let checked = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(out.join("ledger"))
            .args(["records", "verify"])
            .arg(&v1)
            .arg("--proof")
            .arg(out.join("medication-list.v1.json.proof.json")),
    );
    assert_eq!(
        (
            checked["status"].as_str(),
            checked["latest_version"].as_u64()
        ),
        (Some("superseded"), Some(2))
    );
    // Trials: the trial run by the book audits clean, the switched one is flagged.
    let t = &story["trials"];
    assert_eq!(t["clean"]["findings"], serde_json::json!([]));
    assert_eq!(t["clean"]["enrolled"], 3);
    assert_eq!(
        t["switched"]["findings"],
        serde_json::json!([
            "outcomes_changed_after_lock",
            "results_against_unspecified_outcomes"
        ])
    );
    let kinds: Vec<&str> = story["plaintext"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"serial") && kinds.contains(&"lot"));

    // The demo's ledger lives under --out; dump it.
    let dump = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(out.join("ledger"))
            .args(["ledger", "dump"]),
    );
    let accounts = dump["accounts"].as_array().unwrap();
    let participants = accounts
        .iter()
        .filter(|a| a["owner"] == registry::ID.to_string())
        .count();
    assert_eq!(
        participants, 10,
        "config + 7 participants + the manufacturer's 2 GS1 company prefixes"
    );
    for a in accounts {
        assert!(a["pubkey"].is_string() && a["owner"].is_string() && a["data_base64"].is_string());
    }
    let txs = dump["transactions"].as_array().unwrap();
    assert!(txs.iter().any(|t| t["instructions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["program"] == registry::ID.to_string())));
    for t in txs {
        assert!(t["signature"].is_string() && t["logs"].is_array());
    }

    // Nothing the story used in clear appears anywhere on the ledger.
    let dump_text = serde_json::to_string(&dump).unwrap();
    let raw_accounts: Vec<Vec<u8>> = accounts
        .iter()
        .map(|a| base64_decode(a["data_base64"].as_str().unwrap()))
        .collect();
    for p in story["plaintext"].as_array().unwrap() {
        let value = p["value"].as_str().unwrap();
        assert!(!dump_text.contains(value), "{value} leaked");
        assert!(
            !raw_accounts.iter().any(|d| contains(d, value.as_bytes())),
            "{value} leaked into account data"
        );
    }

    // A second run into the same directory is refused unless --force; then a fresh story.
    fails_with(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
        "is not empty",
    );
    let again = json(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--force", "--out"])
            .arg(&out),
    );
    assert_ne!(again["parties"][0]["wallet"], story["parties"][0]["wallet"]);
}

#[test]
fn registry_commands_continue_the_same_ledger_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    json(caretrail(dir.path()).args(["registry", "init"]));
    let wallet = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
    let cred = dir.path().join("licence.txt");
    std::fs::write(&cred, "State Board of Pharmacy licence PH-000123").unwrap();
    let reg = json(
        caretrail(dir.path())
            .args([
                "registry",
                "register",
                wallet,
                "--roles",
                "distributor,logistics",
                "--gln",
                "0614141000005",
                "--credential-file",
            ])
            .arg(&cred),
    );
    assert_eq!(reg["credential_salt"].as_str().unwrap().len(), 64);
    let p = json(caretrail(dir.path()).args(["registry", "participant", wallet]));
    assert_eq!(p["status"], "active");
    assert_eq!(p["roles"], serde_json::json!(["distributor", "logistics"]));
    assert_eq!(p["gln"], "0614141000005");

    json(caretrail(dir.path()).args(["registry", "suspend", wallet, "--reason", "4"]));
    let check = json_alert(caretrail(dir.path()).args([
        "registry",
        "check",
        wallet,
        "--role",
        "distributor",
    ]));
    assert_eq!(check["ok"], false);
    assert_eq!(check["reason"], "participant is suspended");
    let list = json(caretrail(dir.path()).args(["registry", "list", "--status", "suspended"]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let show = json(caretrail(dir.path()).args(["registry", "show"]));
    assert_eq!(show["participant_count"], 1);
    let address = p["address"].as_str().unwrap();
    let history = json(caretrail(dir.path()).args(["ledger", "history", address]));
    let events: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|t| {
            t["events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
        })
        .collect();
    assert_eq!(events, ["ParticipantRegistered", "ParticipantSuspended"]);
}

#[test]
fn registry_prefix_commands_license_list_show_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    json(caretrail(dir.path()).args(["registry", "init"]));
    let wallet = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
    json(caretrail(dir.path()).args([
        "registry",
        "register",
        wallet,
        "--roles",
        "manufacturer",
        "--gln",
        "0614141000005",
        "--credential-commitment",
        &"22".repeat(32),
    ]));
    let assigned = json(caretrail(dir.path()).args([
        "registry", "prefix", "assign", "9501101", "--holder", wallet,
    ]));
    assert_eq!(assigned["holder"], wallet);
    let list = json(caretrail(dir.path()).args(["registry", "prefix", "list"]));
    assert_eq!(list[0]["prefix"], "9501101");
    assert_eq!(list[0]["holder"], wallet);
    let show = json(caretrail(dir.path()).args(["registry", "prefix", "show", "09501101020917"]));
    assert_eq!(show["holder"], wallet);
    let nobody = json(caretrail(dir.path()).args(["registry", "prefix", "show", "00361414123458"]));
    assert!(nobody["prefix"].is_null());
    fails_with(
        caretrail(dir.path()).args([
            "registry", "prefix", "assign", "9501101", "--holder", wallet,
        ]),
        "PrefixTaken",
    );
    fails_with(
        caretrail(dir.path()).args(["registry", "prefix", "assign", "12", "--holder", wallet]),
        "4 to 12 digits",
    );
    json(caretrail(dir.path()).args(["registry", "prefix", "revoke", "9501101"]));
    let list = json(caretrail(dir.path()).args(["registry", "prefix", "list"]));
    assert!(list.as_array().unwrap().is_empty());
}

#[test]
fn relationship_keys_are_derived_from_the_wallet_per_counterparty() {
    let dir = tempfile::tempdir().unwrap();
    let provider = "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin";
    let payer = "7zKY9HPRHt2XrX3cPnpNMcnuXkPfbH1aEguwSWCrVmTP";
    let wallet = json(caretrail(dir.path()).args(["address"]))["pubkey"].clone();
    let a = json(caretrail(dir.path()).args(["relationship-key", "--grantee", provider]));
    let again = json(caretrail(dir.path()).args(["relationship-key", "--grantee", provider]));
    let b = json(caretrail(dir.path()).args(["relationship-key", "--payer", payer]));
    assert_eq!(a["pubkey"], again["pubkey"]);
    assert_ne!(a["pubkey"], b["pubkey"]);
    assert_ne!(a["pubkey"], wallet);
    assert_eq!(a["wallet"], wallet);
    assert!(a["message"].as_str().unwrap().contains(provider));
    // Written as a keypair file usable as --keypair, owner-only, never overwritten silently.
    let file = dir.path().join("provider-key.json");
    let written = json(
        caretrail(dir.path())
            .args(["relationship-key", "--grantee", provider, "--outfile"])
            .arg(&file),
    );
    assert_eq!(written["pubkey"], a["pubkey"]);
    let as_keypair = json(
        caretrail(dir.path())
            .arg("--keypair")
            .arg(&file)
            .arg("address"),
    );
    assert_eq!(as_keypair["pubkey"], a["pubkey"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    fails_with(
        caretrail(dir.path())
            .args(["relationship-key", "--grantee", provider, "--outfile"])
            .arg(&file),
        "refusing to overwrite",
    );
    fails_with(
        caretrail(dir.path()).args(["relationship-key", "--grantee", provider, "--payer", payer]),
        "cannot be used with",
    );
}

#[test]
fn rejected_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    json(caretrail(dir.path()).args(["registry", "init"]));
    let out = caretrail(dir.path())
        .args([
            "registry",
            "register",
            "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
            "--roles",
            "distributor",
            "--gln",
            "0614141000006",
            "--credential-commitment",
        ])
        .arg("11".repeat(32))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("wrong check digit (expected 5)"), "{err}");

    // A program rejection is named.
    let stranger = dir.path().join("stranger.json");
    let out = caretrail(dir.path())
        .arg("--keypair")
        .arg(&stranger)
        .args([
            "registry",
            "propose-authority",
            "9xQeWvG816bUx9EPjHmaT23yvVM2ZWbrrpZb9PusVFin",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("Unauthorized"), "{err}");
}

#[test]
fn a_corrupted_ledger_is_reported_not_reset() {
    let dir = tempfile::tempdir().unwrap();
    json(caretrail(dir.path()).args(["registry", "init"]));
    let sound = json(caretrail(dir.path()).args(["ledger", "check"]));
    assert_eq!(sound["ok"], true, "{sound}");
    let file = dir.path().join("ledger/ledger.sqlite");
    std::fs::write(
        &file,
        b"garbage garbage garbage garbage garbage garbage garbage garbage",
    )
    .unwrap();
    let out = caretrail(dir.path())
        .args(["registry", "show"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("corrupted or is not a caretrail ledger"),
        "{err}"
    );
    // `ledger check` names the damage, exit status 1.
    let damaged = json_alert(caretrail(dir.path()).args(["ledger", "check"]));
    assert_eq!(damaged["ok"], false, "{damaged}");
    assert!(
        damaged["damage"]
            .as_str()
            .unwrap()
            .contains("corrupted or is not a caretrail ledger"),
        "{damaged}"
    );
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"garbage garbage garbage garbage garbage garbage garbage garbage"
    );
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn base64_decode(s: &str) -> Vec<u8> {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut buf = 0u32;
    let mut bits = 0;
    for c in s.bytes().filter(|&c| c != b'=') {
        let v = T.iter().position(|&t| t == c).unwrap() as u32;
        buf = (buf << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
        }
    }
    out
}

#[test]
fn barcode_parse_follows_its_contract() {
    let dir = tempfile::tempdir().unwrap();
    let input = "(01)09501101020917(17)260200(10)L1(21)S1\n\n   \n]d20109501101020917\u{1d}21ABC\r\nnot a barcode\n00106141411234567897\n0109501101020917<GS>21X\n";
    let out = caretrail(dir.path())
        .args(["barcode", "parse"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert!(out.status.success(), "exit 0 even with invalid lines");
    let lines = json_lines(&String::from_utf8(out.stdout).unwrap());
    // One answer per input line, so output lines up with input: blank lines answer `{}`.
    assert_eq!(lines.len(), 7);
    assert_eq!(
        (&lines[1], &lines[2]),
        (&serde_json::json!({}), &serde_json::json!({}))
    );
    assert_eq!(
        lines[0],
        serde_json::json!({"gtin": "09501101020917", "serial": "S1", "lot": "L1", "expiry": "2026-02-28"})
    );
    assert_eq!(
        lines[3],
        serde_json::json!({"gtin": "09501101020917", "serial": "ABC"})
    );
    assert!(lines[4]["error"]
        .as_str()
        .unwrap()
        .contains("unknown or unsupported AI"));
    assert_eq!(lines[4].as_object().unwrap().len(), 1);
    assert_eq!(lines[5], serde_json::json!({"sscc": "106141411234567897"}));
    assert_eq!(
        lines[6],
        serde_json::json!({"gtin": "09501101020917", "serial": "X"})
    );
}

/// `caretrail epcis import`: a partner's EPCIS 1.2 shipment notice (another vendor's namespace
/// prefixes, a comment, master data, an extension), and hostile documents refused without
/// reading anything else.
#[test]
fn epcis_import_reads_a_partners_shipment_notice_and_refuses_hostile_xml() {
    let dir = tempfile::tempdir().unwrap();
    let notice = dir.path().join("asn.xml");
    std::fs::write(
        &notice,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!-- exported by a partner's warehouse system -->
<e:EPCISDocument schemaVersion="1.2" creationDate="2026-11-30T10:00:00Z" xmlns:e="urn:epcglobal:epcis:xsd:1" xmlns:h="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
 <EPCISHeader><h:StandardBusinessDocumentHeader><h:HeaderVersion>1.0</h:HeaderVersion>
  <h:Sender><h:Identifier Authority="SGLN">urn:epc:id:sgln:0614141.00001.0</h:Identifier></h:Sender>
  <h:Receiver><h:Identifier Authority="SGLN">urn:epc:id:sgln:0614142.00001.0</h:Identifier></h:Receiver>
 </h:StandardBusinessDocumentHeader></EPCISHeader>
 <EPCISBody><EventList>
  <AggregationEvent><eventTime>2026-11-01T09:00:00Z</eventTime>
   <parentID>urn:epc:id:sscc:0614141.1234567890</parentID>
   <childEPCs><epc>urn:epc:id:sgtin:0614141.107346.2017</epc><epc>urn:epc:id:sgtin:0614141.107346.2018</epc></childEPCs>
   <action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep></AggregationEvent>
  <ObjectEvent><eventTime>2026-11-30T09:00:00Z</eventTime>
   <epcList><epc>urn:epc:id:sscc:0614141.1234567890</epc></epcList><action>OBSERVE</action>
   <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
   <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">urn:epcglobal:cbv:bt:0614142000002:PO-77</bizTransaction></bizTransactionList>
  </ObjectEvent>
 </EventList></EPCISBody>
</e:EPCISDocument>"#,
    )
    .unwrap();
    let v = json(caretrail(dir.path()).args(["epcis", "import"]).arg(&notice));
    assert_eq!(v["format"], "EPCIS 1.2 XML");
    assert_eq!(v["events"], 2);
    assert_eq!(v["sender"], "urn:epc:id:sgln:0614141.00001.0");
    assert_eq!(v["epcs"].as_array().unwrap().len(), 3);
    assert_eq!(v["epcs"][0]["code"]["sscc"], "106141412345678908");
    assert_eq!(
        v["epcs"][1]["code"],
        serde_json::json!({"gtin": "10614141073464", "serial": "2017"})
    );
    assert_eq!(
        v["aggregations"]["urn:epc:id:sscc:0614141.1234567890"],
        serde_json::json!([
            "urn:epc:id:sgtin:0614141.107346.2017",
            "urn:epc:id:sgtin:0614141.107346.2018"
        ])
    );
    assert_eq!(
        v["transactions"][0]["id"],
        "urn:epcglobal:cbv:bt:0614142000002:PO-77"
    );

    // An external entity naming a secret file: refused, the secret never read.
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "TOP-SECRET-VALUE").unwrap();
    let xxe = dir.path().join("xxe.xml");
    std::fs::write(
        &xxe,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY s SYSTEM \"file://{}\">]><EPCISDocument>&s;</EPCISDocument>",
            secret.display()
        ),
    )
    .unwrap();
    let out = caretrail(dir.path())
        .args(["epcis", "import"])
        .arg(&xxe)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("document type declaration"), "{said}");
    assert!(!said.contains("TOP-SECRET-VALUE"));
    let deep = dir.path().join("deep.xml");
    std::fs::write(&deep, format!("<EPCISDocument>{}", "<x>".repeat(100_000))).unwrap();
    let out = caretrail(dir.path())
        .args(["epcis", "import"])
        .arg(&deep)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("nests deeper than 64 levels (line 1, column"));
}

/// The reading gaps an independent corpus found: a Digital Link after a QR symbology
/// identifier, a symbology identifier alone, control characters in messages.
#[test]
fn barcode_parse_reads_what_scanners_send() {
    let dir = tempfile::tempdir().unwrap();
    let input = "]Q3https://id.gs1.org/01/09501101020917/10/L1/21/S1?17=271231\n]d2\n]d201095011010209172\u{1d}\u{1d}1X\n]Q1(01)09501101020917(21)S2\n";
    let out = caretrail(dir.path())
        .args(["barcode", "parse"])
        .write_stdin(input)
        .output()
        .unwrap();
    let lines = json_lines(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        serde_json::json!({"gtin": "09501101020917", "serial": "S1", "lot": "L1", "expiry": "2027-12-31"})
    );
    assert_eq!(
        lines[1],
        serde_json::json!({"error": "position 3: nothing after the symbology identifier ]d2"})
    );
    let e = lines[2]["error"].as_str().unwrap();
    assert!(e.contains("<GS>") && !e.contains("\\u{"), "{e}");
    assert_eq!(
        lines[3],
        serde_json::json!({"gtin": "09501101020917", "serial": "S2"})
    );
}

#[test]
fn custody_verify_and_history_after_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let story = json(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
    );
    let ledger = out.join("ledger");
    let serial = story["plaintext"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "serial")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let lot = story["plaintext"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "lot")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .to_string();
    let code = format!("(01)09501101020917(17)271231(10){lot}(21){serial}");
    let v = json_alert(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .args(["custody", "verify", &code]),
    );
    assert_eq!(v["result"], "already_dispensed");
    let h = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .args(["custody", "history", &code]),
    );
    let events: Vec<&str> = h
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.first(), Some(&"UnitsCommissioned"));
    assert_eq!(events.last(), Some(&"Dispensed"));
    let doc = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .args(["custody", "history", "--epcis", &code]),
    );
    assert_eq!(doc["type"], "EPCISDocument");
    let bad = caretrail(dir.path())
        .arg("--ledger")
        .arg(&ledger)
        .args(["custody", "verify", "(01)09501101020918(21)X"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("check digit"));
}

#[test]
fn custody_scan_ships_and_receives_from_a_file_and_is_safe_to_rerun() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let story = json(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
    );
    let ledger = out.join("ledger");
    let plain = story["plaintext"].as_array().unwrap();
    let serials: Vec<&str> = plain
        .iter()
        .filter(|p| p["kind"] == "serial")
        .map(|p| p["value"].as_str().unwrap())
        .collect();
    let lot = plain.iter().find(|p| p["kind"] == "lot").unwrap()["value"]
        .as_str()
        .unwrap();
    // Packages 2 and 3 sit unpacked at the distributor after the demo.
    let file = dir.path().join("shipment.txt");
    let lines = [
        format!(
            "]d2010950110102091717271231\u{1d}10{lot}\u{1d}21{}",
            serials[1]
        ),
        format!(
            "0109501101020917<GS>17271231<GS>10{lot}<GS>21{}",
            serials[2]
        ),
        String::new(),
        "garbage line".to_string(),
    ];
    std::fs::write(&file, lines.join("\n")).unwrap();
    let pharmacy = out.join("keys/pharmacy.json");
    let distributor = out.join("keys/distributor.json");
    let run = |keypair: &Path, action: &[&str]| -> Vec<Value> {
        per_line(
            caretrail(dir.path())
                .arg("--ledger")
                .arg(&ledger)
                .arg("--keypair")
                .arg(keypair)
                .args(["--output", "json", "custody", "scan"])
                .arg(&file)
                .args(action),
        )
    };
    let pharmacy_pubkey = wallet(&story, "pharmacy");
    let shipped = run(
        &distributor,
        &["--ship-to", &pharmacy_pubkey, "--shipment", "ASN-CLI"],
    );
    let status: Vec<&str> = shipped
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["done", "done", "rejected"]);
    assert_eq!(shipped[2]["line"], 4, "line numbers count blank lines");
    assert!(shipped[2]["reason"]
        .as_str()
        .unwrap()
        .starts_with("malformed barcode"));
    assert_eq!(
        shipped[0]["signature"], shipped[1]["signature"],
        "one transaction"
    );
    // The distributor's shipment notice (EPCIS 1.2, with the packages' history), and the
    // pharmacy's dock receiving against it: one report per shipment.
    let codes = dir.path().join("codes.txt");
    std::fs::write(&codes, lines[..2].join("\n")).unwrap();
    let notice = dir.path().join("notice.xml");
    let exported = caretrail(dir.path())
        .arg("--ledger")
        .arg(&ledger)
        .arg("--keypair")
        .arg(&distributor)
        .args([
            "epcis",
            "export",
            "--shipment",
            "ASN-CLI",
            "--format",
            "1.2",
        ])
        .arg("--codes")
        .arg(&codes)
        .arg("--out")
        .arg(&notice)
        .output()
        .unwrap();
    assert!(exported.status.success(), "{exported:?}");
    let report_file = dir.path().join("report.jsonl");
    let expect = |extra: &[&str]| {
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .arg("--keypair")
            .arg(&pharmacy)
            .args(extra)
            .args(["custody", "scan"])
            .arg(&file)
            .arg("--receive")
            .arg("--expect")
            .arg(&notice)
            .arg("--report")
            .arg(&report_file)
            .output()
            .unwrap()
    };
    // A malformed logger file is refused with its line and reason, and nothing is received
    // (the receipt against the notice below still receives both).
    let logger = dir.path().join("logger.csv");
    std::fs::write(
        &logger,
        "time,temperature_c\n2026-11-30T08:00:00Z,4.5\n2026-11-30T08:10:00Z,warm\n",
    )
    .unwrap();
    fails_with(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .arg("--keypair")
            .arg(&pharmacy)
            .args(["custody", "scan"])
            .arg(&file)
            .arg("--receive")
            .arg("--sensor-file")
            .arg(&logger),
        &format!(
            "{} is not a readable logger file: logger file line 3: temperature \"warm\" is not degrees Celsius with at most two decimals",
            logger.display()
        ),
    );
    let o = expect(&["--output", "json"]);
    assert_eq!(o.status.code(), Some(1), "the garbage line is rejected");
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert_eq!(std::fs::read_to_string(&report_file).unwrap(), stdout);
    let reports = json_lines(&stdout);
    assert_eq!(reports.len(), 1, "{stdout}");
    let report = &reports[0];
    assert_eq!(
        report["shipment"],
        "urn:epcglobal:cbv:bt:0614141000029:ASN-CLI"
    );
    let summary = &report["summary"];
    assert_eq!(
        [
            &summary["expected"],
            &summary["received"],
            &summary["done"],
            &summary["rejected"],
            &summary["shortage"]
        ],
        [2, 2, 2, 1, 0]
    );
    let findings: Vec<(&str, &str)> = report["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["status"].as_str().unwrap(),
                l["finding"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        findings,
        [
            ("done", "expected"),
            ("done", "expected"),
            ("rejected", "unreadable")
        ]
    );
    let o = expect(&[]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains(
            "shipment urn:epcglobal:cbv:bt:0614141000029:ASN-CLI: 2 of 2 expected units \
             received; 3 lines: 0 done, 2 already done, 1 rejected; 0 overage, 0 mismatch, \
             0 unknown, 0 short"
        ),
        "{text}"
    );
    let again = run(&pharmacy, &["--receive"]);
    let status: Vec<&str> = again
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(status, ["already_done", "already_done", "rejected"]);
    // Human output ends with a summary.
    let o = caretrail(dir.path())
        .arg("--ledger")
        .arg(&ledger)
        .arg("--keypair")
        .arg(&pharmacy)
        .args(["custody", "scan"])
        .arg(&file)
        .arg("--verify")
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.trim_end()
            .ends_with("3 lines: 2 done, 0 already done, 1 rejected"),
        "{text}"
    );
}

/// Ships `n` freshly commissioned packages from the demo's manufacturer to its distributor
/// (through the SDK, on the demo's ledger) and returns the receiving file's text.
fn ship_packages_after_demo(out: &Path, n: usize) -> String {
    use caretrail_sdk::custody as cus;
    use caretrail_sdk::scan::{self, Quiet, ScanAction};
    use caretrail_sdk::solana_sdk::signature::Signer;
    let read = |name: &str| {
        let bytes: Vec<u8> = serde_json::from_str(
            &std::fs::read_to_string(out.join(format!("keys/{name}.json"))).unwrap(),
        )
        .unwrap();
        caretrail_sdk::solana_sdk::signature::Keypair::try_from(bytes.as_slice()).unwrap()
    };
    let (manufacturer, distributor) = (read("manufacturer"), read("distributor"));
    let ledger = caretrail_sdk::EmbeddedLedger::open(&out.join("ledger")).unwrap();
    let client = cus::CustodyClient::new(&ledger, &manufacturer);
    let gtin = cus::parse_gtin("09501101020917").unwrap();
    client
        .register_lot(&manufacturer, cus::lot_args(&gtin, "KILL", (2027, 12, 31)))
        .unwrap();
    let lot = cus::lot_pda(&gtin, "KILL").0;
    let serials: Vec<String> = (0..n).map(|i| format!("K{i:05}")).collect();
    for chunk in serials.chunks(10) {
        client
            .commission(
                &manufacturer,
                &lot,
                chunk.iter().map(|s| cus::serial_hash(&gtin, s)).collect(),
            )
            .unwrap();
    }
    let text = serials
        .iter()
        .map(|s| format!("(01)09501101020917(17)271231(10)KILL(21){s}"))
        .collect::<Vec<_>>()
        .join("\n");
    let ship = ScanAction::ShipTo {
        receiver: distributor.pubkey(),
        args: cus::ShipArgs {
            read_point: *b"0614141000012",
            shipment_ref: cus::shipment_ref("ASN-KILL"),
            is_return: false,
        },
    };
    scan::run(
        &ledger,
        &manufacturer,
        &manufacturer,
        &ship,
        &scan::scan_lines(&text),
        &mut Quiet,
    )
    .unwrap();
    text
}

#[test]
fn a_scan_killed_mid_batch_leaves_a_consistent_ledger_and_a_rerun_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    json(
        caretrail(dir.path())
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(&out),
    );
    let text = ship_packages_after_demo(&out, 600);
    let file = dir.path().join("incoming.txt");
    std::fs::write(&file, text).unwrap();
    let ledger = out.join("ledger");
    let distributor = out.join("keys/distributor.json");

    // Kill the receiving scan while it runs (SIGKILL: no chance to clean up).
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caretrail"))
        .env("HOME", dir.path())
        .arg("--ledger")
        .arg(&ledger)
        .arg("--keypair")
        .arg(&distributor)
        .args(["--output", "json", "custody", "scan"])
        .arg(&file)
        .arg("--receive")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Kill it right after its first transaction batch landed (progress goes to stderr).
    let stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    for line in std::io::BufRead::lines(stderr) {
        if line.unwrap().contains("actions sent") {
            break;
        }
    }
    child.kill().unwrap();
    let _ = child.wait();
    {
        let ledger = caretrail_sdk::EmbeddedLedger::open(&ledger)
            .expect("the killed run left a consistent ledger");
        let gtin = caretrail_sdk::custody::parse_gtin("09501101020917").unwrap();
        let received = (0..600)
            .filter(|i| {
                let u = caretrail_sdk::custody::unit_pda(&gtin, &format!("K{i:05}")).0;
                caretrail_sdk::custody::fetch_unit(&ledger, &u)
                    .unwrap()
                    .unwrap()
                    .hop_count
                    == 1
            })
            .count();
        assert!(
            received > 0 && received < 600,
            "killed mid-batch: {received} of 600 received"
        );
    }

    // The ledger opens cleanly and a re-run completes the rest exactly once.
    let rerun = caretrail(dir.path())
        .arg("--ledger")
        .arg(&ledger)
        .arg("--keypair")
        .arg(&distributor)
        .args(["--output", "json", "custody", "scan"])
        .arg(&file)
        .arg("--receive")
        .output()
        .unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    let results = json_lines(&String::from_utf8(rerun.stdout).unwrap());
    assert_eq!(results.len(), 600);
    assert!(
        results
            .iter()
            .all(|r| r["status"] == "done" || r["status"] == "already_done"),
        "no line rejected"
    );
    let again = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .args(["ledger", "dump"]),
    );
    let receives = again["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["logs"]
                .as_array()
                .unwrap()
                .iter()
                .any(|l| l.as_str().unwrap().contains("Program data:"))
                && t["error"].is_null()
        })
        .count();
    assert!(receives > 0);
    // Every package was received exactly once: hop count 1, held by the distributor.
    let ledger = caretrail_sdk::EmbeddedLedger::open(&ledger).unwrap();
    let gtin = caretrail_sdk::custody::parse_gtin("09501101020917").unwrap();
    for i in 0..600 {
        let u = caretrail_sdk::custody::unit_pda(&gtin, &format!("K{i:05}")).0;
        let x = caretrail_sdk::custody::fetch_unit(&ledger, &u)
            .unwrap()
            .unwrap();
        assert_eq!(
            (x.hop_count, x.status),
            (1, caretrail_sdk::custody::UnitStatus::Active)
        );
    }
}

#[test]
fn consent_commands_with_the_patient_signing_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with = |key: &str| {
        let mut c = caretrail(d);
        c.arg("--keypair").arg(d.join(key));
        c
    };
    json(with("id.json").args(["registry", "init"]));
    let provider = json(with("provider.json").args(["address"]))["pubkey"]
        .as_str()
        .unwrap()
        .to_string();
    let patient = json(with("patient.json").args(["address"]))["pubkey"]
        .as_str()
        .unwrap()
        .to_string();
    json(
        with("id.json")
            .args([
                "registry",
                "register",
                &provider,
                "--roles",
                "provider",
                "--gln",
                "0614141000005",
                "--credential-commitment",
            ])
            .arg("22".repeat(32)),
    );

    // The patient grants, the provider reads, an EHR gateway checks.
    let g = json(with("patient.json").args([
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
    ]));
    let grant = g["grant"].as_str().unwrap().to_string();
    json(with("provider.json").args([
        "consent",
        "access",
        &grant,
        "--class",
        "labs",
        "--purpose",
        "TREAT",
    ]));
    let check = json(with("id.json").args([
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
    let fhir = json(with("id.json").args(["consent", "export-fhir", &grant]));
    assert_eq!(
        (fhir["resourceType"].as_str(), fhir["status"].as_str()),
        (Some("Consent"), Some("active"))
    );

    // Offline: the clinic builds the revocation with a durable nonce; the patient's wallet
    // signs elsewhere; the clinic submits.
    let nonce = json(
        with("clinic.json")
            .args(["tx", "create-nonce", "--nonce-keypair"])
            .arg(d.join("nonce.json")),
    );
    let built = json(with("clinic.json").args([
        "consent",
        "revoke",
        &grant,
        "--sign-only",
        "--authority",
        &patient,
        "--nonce",
        nonce["nonce"].as_str().unwrap(),
    ]));
    assert_eq!(built["missing"], serde_json::json!([patient]));
    let tx = built["transaction"].as_str().unwrap().to_string();
    let signed = json(with("patient.json").args(["tx", "sign", &tx]));
    let pair = signed["signers"][0].as_str().unwrap().to_string();
    assert!(pair.starts_with(&format!("{patient}=")));
    json(with("clinic.json").args(["tx", "submit", &tx, "--signer", &pair]));

    // Access is now denied, with the reason.
    fails_with(
        with("provider.json").args([
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
    let audit = json(with("id.json").args(["consent", "audit", &patient]));
    let events: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["GrantCreated", "AccessRecorded", "GrantRevoked"]);
    let list = json(with("id.json").args(["consent", "list", "--patient", &patient]));
    assert_eq!(list[0]["status"], "inactive");
}

#[test]
fn claims_commands_from_enrolment_to_void() {
    let dir = tempfile::tempdir().unwrap();
    let (out, story) = demo_in(dir.path());
    let with = |key: &str| as_party(dir.path(), &out, key);
    let payer_wallet = wallet(&story, "payer");
    // The demo's payer enrols the demo's patient once more (another member id).
    let e = json(
        with("payer")
            .args([
                "claims",
                "enroll",
                "--member-id",
                "MBR-CLI-1",
                "--annual-max",
                "100000",
                "--deductible",
                "500",
                "--patient-keypair",
            ])
            .arg(out.join("keys/patient.json")),
    );
    assert_eq!(e["member_salt"].as_str().unwrap().len(), 64);
    let coverage = e["coverage"].as_str().unwrap().to_string();
    let submit = |id: &str| {
        with("provider")
            .args([
                "claims",
                "submit",
                "--payer",
                &payer_wallet,
                "--coverage",
                &coverage,
                "--claim-id",
                id,
                "--billed",
                "3000",
            ])
            .output()
            .unwrap()
    };
    let c = submit("CLI-1");
    assert!(c.status.success(), "{}", String::from_utf8_lossy(&c.stderr));
    let claim = {
        let o = json(
            with("provider")
                .args(["claims", "list", "--provider"])
                .arg(out.join("keys/provider.json")),
        );
        o[0]["address"].as_str().unwrap().to_string()
    };
    let dup = submit("CLI-1");
    assert!(String::from_utf8_lossy(&dup.stderr).contains("DuplicateClaim"));
    json(with("payer").args(["claims", "review", &claim]));
    let a = json(with("payer").args(["claims", "adjudicate", &claim, "--allowed", "3000"]));
    assert_eq!(
        (
            a["claim"]["status"].as_str(),
            a["claim"]["approved"].as_u64(),
            a["claim"]["patient_share"].as_u64()
        ),
        (Some("partially_approved"), Some(2500), Some(500))
    );
    let list = json(with("payer").args([
        "claims",
        "list",
        "--payer",
        &payer_wallet,
        "--status",
        "partially_approved",
    ]));
    assert_eq!(list.as_array().unwrap().len(), 1);
    let shown = json(with("payer").args(["claims", "show", &claim]));
    assert_eq!(
        (shown["fhir_outcome"].as_str(), shown["x12_clp02"].as_str()),
        (Some("partial"), Some("1"))
    );
    json(with("provider").args(["claims", "void", &claim]));
    let fhir = json(with("payer").args(["claims", "export-fhir", &claim]));
    assert_eq!(
        (fhir["status"].as_str(), fhir["outcome"].as_str()),
        (Some("cancelled"), Some("error"))
    );

    // An 837 with three claims of two subscribers, mapped to the coverage by a member file.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/x12");
    let members = dir.path().join("members.csv");
    std::fs::write(
        &members,
        format!("member_id,coverage\nMBR0001,{coverage}\nMBR0003,{coverage}\n"),
    )
    .unwrap();
    let intake = |file: &Path| {
        let mut c = with("provider");
        c.args(["claims", "submit", "--payer", &payer_wallet, "--x12"])
            .arg(file)
            .arg("--members")
            .arg(&members);
        c
    };
    let o = intake(&fixtures.join("837p-multi.x12"))
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let lines = json_lines(&String::from_utf8(o.stdout).unwrap());
    let got: Vec<(&str, &str, u64)> = lines
        .iter()
        .map(|l| {
            (
                l["claim_id"].as_str().unwrap(),
                l["status"].as_str().unwrap(),
                l["billed"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("RX-3001", "submitted", 4250),
            ("RX-3002", "submitted", 1875),
            ("RX-3003", "submitted", 700)
        ]
    );
    let again = intake(&fixtures.join("837p-multi.x12")).output().unwrap();
    let text = String::from_utf8(again.stdout).unwrap();
    assert_eq!(text.matches("already submitted").count(), 3, "{text}");
    assert!(text.contains("3 claims from"), "{text}");
    // A malformed interchange names the segment, and nothing is sent.
    let bad = dir.path().join("bad.x12");
    std::fs::write(
        &bad,
        std::fs::read_to_string(fixtures.join("837p-single.x12"))
            .unwrap()
            .replace("CLM*RX-1001*42.5", "CLM*RX-1001*42.555"),
    )
    .unwrap();
    // The payer denies RX-3002 and remits it in an 835, valid against 005010X221A1.
    let rx3002 = lines[1]["claim"].as_str().unwrap();
    json(with("payer").args(["claims", "review", rx3002]));
    json(with("payer").args([
        "claims",
        "adjudicate",
        rx3002,
        "--allowed",
        "0",
        "--carc",
        "50",
    ]));
    let names = dir.path().join("names.csv");
    std::fs::write(
        &names,
        "member_id,last_name,first_name\nMBR0001,DOE,JANE\nMBR0003,ROE,RICHARD\n",
    )
    .unwrap();
    let parties = dir.path().join("parties.json");
    std::fs::write(
        &parties,
        serde_json::json!({
            "payer_id": "CARETRAILPAYER", "payer_name": "DEMO PAYER", "payer_tax_id": "123456789",
            "payer_street": "1 PAYER PLAZA", "payer_city": "SPRINGFIELD", "payer_state": "IL",
            "payer_zip": "627010000", "payer_phone": "5555550300", "payee_id": "CARETRAILPROV",
            "payee_name": "DEMO PROVIDER", "payee_npi": "1234567893"
        })
        .to_string(),
    )
    .unwrap();
    let provider_wallet = wallet(&story, "provider");
    let remit_file = dir.path().join("remit.835");
    let remit = json(
        with("payer")
            .args([
                "claims",
                "remit",
                "--provider",
                &provider_wallet,
                "--x12",
                "--received",
            ])
            .arg(fixtures.join("837p-multi.x12"))
            .arg("--members")
            .arg(&names)
            .arg("--parties")
            .arg(&parties)
            .arg("--out")
            .arg(&remit_file),
    );
    assert_eq!(remit["claims"].as_array().unwrap().len(), 1, "{remit}");
    assert_eq!(remit["claims"][0]["clp02"], "4");
    x12_valid(&remit_file);
    // And the 277CA of the 837 received: all three claims on chain, so all accepted.
    let ack_file = dir.path().join("ack.277");
    let ack = json(
        with("payer")
            .args([
                "claims",
                "acknowledge",
                "--provider",
                &provider_wallet,
                "--received",
            ])
            .arg(fixtures.join("837p-multi.x12"))
            .arg("--members")
            .arg(&names)
            .arg("--parties")
            .arg(&parties)
            .arg("--out")
            .arg(&ack_file),
    );
    let accepted: Vec<bool> = ack["claims"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["accepted"].as_bool().unwrap())
        .collect();
    assert_eq!(accepted, [true, true, true]);
    x12_valid(&ack_file);

    // A FHIR Claim: the same submission; and the voided claim's ExplanationOfBenefit.
    let o = with("provider")
        .args(["claims", "submit", "--payer", &payer_wallet, "--from-fhir"])
        .arg(fixtures.join("../fhir/claim-professional.json"))
        .arg("--members")
        .arg(&members)
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let line: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        (
            line["claim_id"].as_str(),
            line["status"].as_str(),
            line["source"].as_str()
        ),
        (Some("FHIR-1001"), Some("submitted"), Some("FHIR Claim"))
    );
    let eob = json(with("payer").args(["claims", "export-fhir", &claim, "--eob"]));
    assert_eq!(
        (
            eob["resourceType"].as_str(),
            eob["status"].as_str(),
            eob["insurance"][0]["focal"].as_bool()
        ),
        (Some("ExplanationOfBenefit"), Some("cancelled"), Some(true))
    );
    fails_with(
        &mut intake(&bad),
        &format!(
            "{} is not a readable X12 837: X12 segment 20 (CLM): CLM02 \"42.555\" is not an amount in dollars and cents",
            bad.display()
        ),
    );
}

#[test]
fn records_and_trials_commands_after_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (out, story) = demo_in(dir.path());
    let ledger = out.join("ledger");
    let with = |key: &str| as_party(dir.path(), &out, key);
    // Records: a directory of three records anchored in one batch, a proof beside each.
    let records = dir.path().join("records");
    std::fs::create_dir_all(&records).unwrap();
    for i in 1..=3 {
        std::fs::write(
            records.join(format!("obs-{i}.json")),
            format!(r#"{{"resourceType":"Observation","id":"o{i}","valueString":"{i}"}}"#),
        )
        .unwrap();
    }
    let a = json(with("provider").args(["records", "anchor"]).arg(&records));
    assert_eq!(a["records"].as_array().unwrap().len(), 3);
    assert_eq!(a["records"][0]["record_id"], "Observation/o1");
    assert!(a["signature"].is_string());
    let proof = records.join("obs-1.json.proof.json");
    assert!(proof.exists());
    // A re-run anchors nothing again; a changed file is refused with what to do.
    let again = json(with("provider").args(["records", "anchor"]).arg(&records));
    assert!(again["signature"].is_null(), "{again}");
    assert_eq!(again["batch"], a["batch"]);
    std::fs::write(
        records.join("obs-2.json"),
        r#"{"resourceType":"Observation","id":"o2","valueString":"22"}"#,
    )
    .unwrap();
    fails_with(
        with("provider").args(["records", "anchor"]).arg(&records),
        "--supersedes",
    );
    // The correction supersedes v1; v1 verifies superseded, v2 current, an altered file not.
    let fixed = dir.path().join("obs-2.fixed.json");
    std::fs::write(
        &fixed,
        r#"{"resourceType":"Observation","id":"o2","valueString":"22"}"#,
    )
    .unwrap();
    let c = json(
        with("provider")
            .args(["records", "anchor"])
            .arg(&fixed)
            .arg("--supersedes")
            .arg(records.join("obs-2.json.proof.json")),
    );
    assert_eq!(c["records"][0]["version"], 2);
    assert_eq!(c["links"].as_array().unwrap().len(), 1);
    let v = json(
        with("provider")
            .args(["records", "verify"])
            .arg(records.join("obs-1.json"))
            .arg("--proof")
            .arg(&proof),
    );
    assert_eq!(v["status"], "current");
    let p = json(
        with("provider")
            .args(["records", "provenance", "--proof"])
            .arg(dir.path().join("obs-2.fixed.json.proof.json")),
    );
    assert_eq!(p["resourceType"], "Provenance");
    let tampered = dir.path().join("obs-1.tampered.json");
    std::fs::write(&tampered, "{}").unwrap();
    let bad = json_alert(
        with("provider")
            .args(["records", "verify"])
            .arg(&tampered)
            .arg("--proof")
            .arg(&proof),
    );
    assert_eq!(bad["status"], "altered");

    // Trials: register, open, enrol through a research consent, lock, results, audit.
    let docs = dir.path().join("trial");
    std::fs::create_dir_all(docs.join("data")).unwrap();
    for (name, text) in [
        ("protocol", "p"),
        ("primary", "hba1c"),
        ("secondary", "glucose"),
        ("eligibility", "adults"),
        ("results", "r"),
        ("switched", "weight"),
    ] {
        std::fs::write(docs.join(name), text).unwrap();
    }
    std::fs::write(docs.join("data/row-1.csv"), "1,a\n").unwrap();
    let investigator = wallet(&story, "investigator");
    let r = json(
        with("sponsor")
            .args([
                "trials",
                "register",
                "--planned",
                "1",
                "--investigator",
                &investigator,
            ])
            .arg("--protocol")
            .arg(docs.join("protocol"))
            .arg("--primary")
            .arg(docs.join("primary"))
            .arg("--secondary")
            .arg(docs.join("secondary"))
            .arg("--eligibility")
            .arg(docs.join("eligibility")),
    );
    let trial = r["trial"].as_str().unwrap().to_string();
    assert_eq!(r["trial_id"], 3, "the demo registered trials 1 and 2");
    json(with("sponsor").args(["trials", "open", &trial]));
    let patient = dir.path().join("volunteer.json");
    json(
        caretrail(dir.path())
            .args(["keygen", "--outfile"])
            .arg(&patient),
    );
    json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .args(["airdrop", "1"])
            .arg(&patient),
    );
    let g = json(
        caretrail(dir.path())
            .arg("--ledger")
            .arg(&ledger)
            .arg("--keypair")
            .arg(&patient)
            .args([
                "consent",
                "grant",
                "--grantee",
                &investigator,
                "--classes",
                "labs",
                "--purposes",
                "HRESCH",
                "--days",
                "90",
            ]),
    );
    let grant = g["grant"].as_str().unwrap().to_string();
    let e = json(with("investigator").args(["trials", "enroll", &trial, "--grant", &grant]));
    assert!(e["enrolment"].is_string());
    fails_with(
        with("investigator").args(["trials", "enroll", &trial, "--grant", &grant]),
        "AlreadyEnrolled",
    );
    json(
        with("sponsor")
            .args(["trials", "lock", &trial, "--kind", "interim"])
            .arg(docs.join("data")),
    );
    json(
        with("sponsor")
            .args(["trials", "amend", &trial, "--reason", "4"])
            .arg("--primary")
            .arg(docs.join("switched")),
    );
    json(
        with("sponsor")
            .args(["trials", "lock", &trial, "--kind", "final"])
            .arg(docs.join("data")),
    );
    json(
        with("sponsor")
            .args(["trials", "results", &trial])
            .arg("--results")
            .arg(docs.join("results")),
    );
    let clean_data = format!("0={}", docs.join("data").display());
    let audit =
        json_alert(with("sponsor").args(["trials", "audit", &trial, "--data", &clean_data]));
    assert_eq!(
        finding_kinds(&audit),
        [
            "outcomes_changed_after_lock",
            "results_against_unspecified_outcomes"
        ]
    );
    assert_eq!(audit["locks"][0]["data_matches"], true);
    let shown = json(with("sponsor").args(["trials", "show", &trial]));
    assert_eq!(
        (
            shown["status"].as_str(),
            shown["versions"].as_array().unwrap().len()
        ),
        (Some("reported"), 2)
    );
    fails_with(
        with("sponsor").args(["trials", "audit", &trial, "--data", "x"]),
        "INDEX=PATH",
    );
}

/// `caretrail custody package …` on the demo's ledger: a tree, packages commissioned from a
/// file (a bad line refused with its number), shipped, received, shown, verified, refused
/// moves with the program's errors.
#[test]
fn compressed_package_commands_after_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let (out, story) = demo_in(dir.path());
    let m = || as_party(dir.path(), &out, "manufacturer");
    json(m().args([
        "custody",
        "lot",
        "register",
        "--gtin",
        "09501101020917",
        "--lot",
        "CMP-1",
        "--expiry",
        "2027-12-31",
    ]));
    let tree = json(m().args([
        "custody",
        "package",
        "tree",
        "--gtin",
        "09501101020917",
        "--lot",
        "CMP-1",
    ]));
    assert_eq!(tree["capacity"], 16384);
    let tree = tree["tree"].as_str().unwrap().to_string();
    let serials = dir.path().join("serials.txt");
    std::fs::write(
        &serials,
        "CP001\nCP002\n(01)09501101020917(10)CMP-1(21)CP003\n",
    )
    .unwrap();
    let done = json(
        m().args(["custody", "package", "commission", "--tree", &tree])
            .args(["--gtin", "09501101020917", "--lot", "CMP-1"])
            .arg(&serials),
    );
    assert_eq!(
        (
            done["packages"].as_u64(),
            done["transactions"].as_array().map(Vec::len)
        ),
        (Some(3), Some(1))
    );
    // A re-run sends nothing; a line of another lot is refused with its number.
    let again = json(
        m().args(["custody", "package", "commission", "--tree", &tree])
            .args(["--gtin", "09501101020917", "--lot", "CMP-1"])
            .arg(&serials),
    );
    assert_eq!(again["transactions"].as_array().map(Vec::len), Some(0));
    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "CP004\n(01)09501101020917(10)OTHER(21)CP005\n").unwrap();
    fails_with(
        m().args(["custody", "package", "commission", "--tree", &tree])
            .args(["--gtin", "09501101020917", "--lot", "CMP-1"])
            .arg(&bad),
        "line 2: the code is of lot \"OTHER\"",
    );
    let code = "(01)09501101020917(17)271231(10)CMP-1(21)CP002";
    let distributor = wallet(&story, "distributor");
    let shipped = json(m().args(["custody", "package", "ship", code, "--to", &distributor]));
    assert_eq!(shipped["to"], distributor.as_str());
    // Only the addressee receives.
    fails_with(
        as_party(dir.path(), &out, "pharmacy").args(["custody", "package", "receive", code]),
        "NotAddressee",
    );
    json(as_party(dir.path(), &out, "distributor").args(["custody", "package", "receive", code]));
    let shown = json(m().args(["custody", "package", "show", code]));
    assert_eq!(shown["status"], "active");
    assert_eq!(shown["holder"], distributor.as_str());
    assert_eq!(shown["hops"], 1);
    let v = json(as_party(dir.path(), &out, "distributor").args([
        "custody",
        "verify",
        code,
        "--expect-holder",
        &distributor,
    ]));
    assert_eq!(v["result"], "genuine");
    // The manufacturer no longer holds it.
    fails_with(
        m().args(["custody", "package", "ship", code, "--to", &distributor]),
        "NotHolder",
    );
    // `custody scan` verifies and moves it as a unit: shipped on to the pharmacy, received,
    // dispensed, each line naming the package as `tree#index`.
    let scans = dir.path().join("scans.txt");
    std::fs::write(&scans, format!("{code}\n")).unwrap();
    let verified = per_line(
        as_party(dir.path(), &out, "distributor")
            .args(["--output", "json", "custody", "scan", "--verify"])
            .arg(&scans),
    );
    assert_eq!(verified[0]["verification"], "genuine", "{verified:?}");
    let package = verified[0]["unit"].as_str().unwrap().to_string();
    assert!(package.starts_with(&format!("{tree}#")), "{package}");
    let pharmacy = wallet(&story, "pharmacy");
    for (who, action) in [
        ("distributor", vec!["--ship-to", pharmacy.as_str()]),
        ("pharmacy", vec!["--receive"]),
        ("pharmacy", vec!["--dispense"]),
    ] {
        let moved = per_line(
            as_party(dir.path(), &out, who)
                .args(["--output", "json", "custody", "scan"])
                .args(&action)
                .arg(&scans),
        );
        assert_eq!(
            (moved[0]["status"].as_str(), moved[0]["unit"].as_str()),
            (Some("done"), Some(package.as_str())),
            "{who} {action:?}: {moved:?}"
        );
    }
    let shown = json(m().args(["custody", "package", "show", code]));
    assert_eq!(shown["status"], "dispensed");
    assert_eq!(shown["holder"], pharmacy.as_str());
    fails_with(
        m().args([
            "custody",
            "package",
            "show",
            "(01)09501101020917(10)CMP-1(21)NOPE",
        ]),
        "holds serial NOPE",
    );
    // The kept index sits next to the ledger.
    assert!(out
        .join(format!("ledger/indexes/{tree}.package-index"))
        .exists());
    // The demo's case was emptied at the distributor: the manufacturer cannot close it, the
    // distributor can, and the rent goes back to the manufacturer (the SSCC's company).
    let sscc = story["custody"]["case"]["sscc"].as_str().unwrap();
    fails_with(m().args(["custody", "close", sscc]), "NotHolder");
    let closed = json(as_party(dir.path(), &out, "distributor").args(["custody", "close", sscc]));
    assert_eq!(closed["unit"], story["custody"]["case"]["address"]);
}
