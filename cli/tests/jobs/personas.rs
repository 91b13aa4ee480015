//! Jobs done with the `caretrail` binary alone, on a fresh embedded ledger, from `keygen` on:
//! no SDK call and no demo shortcut.

use super::{caretrail, json};
use serde_json::Value;
use std::path::Path;

const GTIN: &str = "09501101020917";

fn keygen(dir: &Path, name: &str) -> (String, String) {
    let path = dir.join(format!("{name}.json"));
    let out = json(caretrail(dir).args(["keygen", "--outfile"]).arg(&path));
    (
        path.display().to_string(),
        out["pubkey"].as_str().unwrap().to_string(),
    )
}

/// `caretrail --keypair KEY ARGS… --output json`.
fn as_(dir: &Path, key: &str, args: &[&str]) -> Value {
    json(caretrail(dir).arg("--keypair").arg(key).args(args))
}

/// A fresh registry whose authority registers `parties` (`(wallet, roles, GLN)`).
fn registry(dir: &Path, authority: &str, parties: &[(&str, &str, &str)]) {
    as_(dir, authority, &["registry", "init"]);
    let commitment = "11".repeat(32);
    for (wallet, roles, gln) in parties {
        as_(
            dir,
            authority,
            &[
                "registry",
                "register",
                wallet,
                "--roles",
                roles,
                "--gln",
                gln,
                "--credential-commitment",
                &commitment,
            ],
        );
    }
}

/// The authority assigns the GS1 `prefixes` to the manufacturer (key file, pubkey), which
/// registers lot L1 of [`GTIN`] expiring 2030-12-31: the lot as JSON.
fn lot_l1(dir: &Path, authority: &str, manufacturer: (&str, &str), prefixes: &[&str]) -> Value {
    let (key, pubkey) = manufacturer;
    for prefix in prefixes {
        let assign = ["registry", "prefix", "assign", prefix, "--holder", pubkey];
        as_(dir, authority, &assign);
    }
    as_(
        dir,
        key,
        &[
            "custody",
            "lot",
            "register",
            "--gtin",
            GTIN,
            "--lot",
            "L1",
            "--expiry",
            "2030-12-31",
        ],
    )
}

fn sscc(serial_ref: u32) -> String {
    caretrail_sdk::custody::complete_sscc(&format!("10614141{serial_ref:09}")).unwrap()
}

fn package(serial: &str) -> String {
    format!("(01){GTIN}(10)L1(21){serial}")
}

/// Exit status and stdout of a command.
fn status(cmd: &mut assert_cmd::Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// A manufacturer registers a lot, commissions 50 packages from its serialization export,
/// packs them ten to a case and the five cases on a pallet, and ships the pallet; the
/// distributor receives it, breaks it down and ships the cases to a pharmacy, which receives
/// them, verifies a package and dispenses it.
#[test]
fn manufacturer_to_distributor_to_pharmacy_custody_of_fifty_packages() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, _) = keygen(d, "authority");
    let (manufacturer, manufacturer_pk) = keygen(d, "manufacturer");
    let (distributor, distributor_pk) = keygen(d, "distributor");
    let (pharmacy, pharmacy_pk) = keygen(d, "pharmacy");
    registry(
        d,
        &authority,
        &[
            (manufacturer_pk.as_str(), "manufacturer", "0614141000012"),
            (distributor_pk.as_str(), "distributor", "0614141000029"),
            (pharmacy_pk.as_str(), "dispenser", "0614141000036"),
        ],
    );
    // The manufacturer.
    let lot = lot_l1(
        d,
        &authority,
        (&manufacturer, &manufacturer_pk),
        &["9501101", "0614141"],
    );
    assert_eq!(lot["expiry"], "2030-12-31");
    let serials: Vec<String> = (1..=50).map(|i| format!("S{i:03}")).collect();
    let export = d.join("serials.txt");
    std::fs::write(&export, serials.join("\n") + "\n").unwrap();
    let commission = |expect: &str| {
        let out = caretrail(d)
            .arg("--keypair")
            .arg(&manufacturer)
            .args([
                "--output",
                "json",
                "custody",
                "commission",
                "--gtin",
                GTIN,
                "--lot",
                "L1",
            ])
            .arg(&export)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines = super::json_lines(&String::from_utf8_lossy(&out.stdout));
        assert_eq!(lines.len(), 50);
        assert!(lines.iter().all(|l| l["status"] == expect), "{lines:?}");
    };
    commission("commissioned");
    // A re-run (after a crash, say) loses nothing and does nothing twice.
    commission("already_commissioned");

    let cases: Vec<String> = (1..=5).map(sscc).collect();
    for (c, chunk) in cases.iter().zip(serials.chunks(10)) {
        let mut args = vec!["custody", "pack", c.as_str(), "--kind", "case"];
        let codes: Vec<String> = chunk.iter().map(|s| package(s)).collect();
        args.extend(codes.iter().map(String::as_str));
        let packed = as_(d, &manufacturer, &args);
        assert_eq!(packed["packed"].as_array().unwrap().len(), 10);
    }
    let pallet = sscc(100);
    let case_codes: Vec<String> = cases.iter().map(|c| format!("(00){c}")).collect();
    let mut args = vec!["custody", "pack", pallet.as_str(), "--kind", "pallet"];
    args.extend(case_codes.iter().map(String::as_str));
    as_(d, &manufacturer, &args);
    let pallet_code = format!("(00){pallet}");
    as_(
        d,
        &manufacturer,
        &[
            "custody",
            "ship",
            &pallet_code,
            "--to",
            &distributor_pk,
            "--shipment",
            "ASN-1",
        ],
    );

    // The distributor.
    as_(d, &distributor, &["custody", "receive", &pallet_code]);
    let v = as_(
        d,
        &distributor,
        &[
            "custody",
            "verify",
            &package("S001"),
            "--expect-holder",
            "me",
        ],
    );
    assert_eq!(v["result"], "genuine");
    assert_eq!(v["inside"], caretrail_pda(&pallet));
    let mut args = vec!["custody", "unpack", pallet.as_str()];
    args.extend(case_codes.iter().map(String::as_str));
    as_(d, &distributor, &args);
    for c in &case_codes {
        as_(
            d,
            &distributor,
            &["custody", "ship", c, "--to", &pharmacy_pk],
        );
    }

    // The pharmacy.
    for c in &case_codes {
        as_(d, &pharmacy, &["custody", "receive", c]);
    }
    let v = as_(
        d,
        &pharmacy,
        &[
            "custody",
            "verify",
            &package("S050"),
            "--expect-holder",
            "me",
        ],
    );
    assert_eq!(v["result"], "genuine");
    as_(
        d,
        &pharmacy,
        &["custody", "unpack", &cases[4], &package("S050")],
    );
    let dispensed = as_(d, &pharmacy, &["custody", "dispense", &package("S050")]);
    assert!(dispensed["signature"].is_string());
    let history = as_(d, &pharmacy, &["custody", "history", &package("S050")]);
    let events: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events.first(), Some(&"UnitsCommissioned"));
    assert_eq!(events.last(), Some(&"Dispensed"));
    // Each step names its parties: the hop into the pharmacy, who dispensed.
    let parties: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["parties"].as_str().unwrap())
        .collect();
    assert!(parties.contains(&format!("from {distributor_pk} to {pharmacy_pk}").as_str()));
    assert_eq!(
        parties.last(),
        Some(&format!("dispenser {pharmacy_pk}").as_str())
    );
    let (code, out) =
        status(caretrail(d).args(["--output", "json", "custody", "history", &package("NEVER")]));
    assert_eq!(
        (code, out.trim()),
        (1, "[]"),
        "an unknown code has no history"
    );
    let (code, out) = status(caretrail(d).args(["custody", "history", &package("NEVER")]));
    assert!(code == 1 && out.starts_with("unknown"), "{out}");

    // A dispensed package verified again, and a serial nobody commissioned, are alerts: exit 1.
    let (code, out) = status(caretrail(d).arg("--keypair").arg(&pharmacy).args([
        "custody",
        "verify",
        &package("S050"),
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("already_dispensed"), "{out}");
    let (code, out) = status(caretrail(d).arg("--keypair").arg(&pharmacy).args([
        "custody",
        "verify",
        &package("NEVER"),
    ]));
    assert_eq!((code, out.contains("unknown_serial")), (1, true), "{out}");
}

fn caretrail_pda(sscc: &str) -> String {
    caretrail_sdk::custody::sscc_pda(&caretrail_sdk::custody::parse_sscc(sscc).unwrap())
        .0
        .to_string()
}

/// Exit statuses scripts rely on: 0 done, 1 a negative answer, 2 bad usage, 3 a failure.
#[test]
fn exit_statuses_tell_a_negative_answer_from_bad_usage_and_failure() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, authority_pk) = keygen(d, "authority");
    as_(d, &authority, &["registry", "init"]);
    // Not authorized: a negative answer.
    let (code, out) =
        status(caretrail(d).args(["registry", "check", &authority_pk, "--role", "distributor"]));
    assert_eq!(code, 1, "{out}");
    // A consent check that finds no grant: DENY.
    let (code, out) = status(caretrail(d).args([
        "consent",
        "check",
        "--patient",
        &authority_pk,
        "--grantee",
        &authority_pk,
        "--class",
        "labs",
        "--purpose",
        "TREAT",
    ]));
    assert_eq!((code, out.contains("DENY")), (1, true), "{out}");
    // Bad usage: a GLN with a wrong check digit is refused before anything runs.
    let (code, _) = status(caretrail(d).args(["registry", "list", "--gln", "0614141000006"]));
    assert_eq!(code, 2);
    // Out-of-range values are usage errors that name the limit.
    let out = caretrail(d)
        .args([
            "registry",
            "register",
            &authority_pk,
            "--roles",
            "payer",
            "--gln",
            "0614141000005",
            "--credential-commitment",
            &"11".repeat(32),
            "--valid-days",
            "999999999",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1..=36500"));
    let out = caretrail(d)
        .args([
            "consent",
            "grant",
            "--grantee",
            &authority_pk,
            "--classes",
            "labs",
        ])
        .args(["--purposes", "TREAT", "--days", "99999999"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("outside 1..=3650"));
    let out = caretrail(d).args(["airdrop", "-5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an amount of SOL"));
    // A failure: the program refuses a second registry, and says which instruction failed.
    let out = caretrail(d)
        .arg("--keypair")
        .arg(&authority)
        .args(["registry", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("(registry initialize)"), "{err}");
}

/// An insurer creates its own mint (cents, 2 decimals), funds a payer vault from it, enrols a
/// patient, and pays a provider's claim into a token account the provider never opened.
#[test]
fn an_insurer_with_its_own_mint_pays_a_provider() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, _) = keygen(d, "authority");
    let (insurer, insurer_pk) = keygen(d, "insurer");
    let (provider, provider_pk) = keygen(d, "provider");
    let (patient, _) = keygen(d, "patient");
    registry(
        d,
        &authority,
        &[
            (insurer_pk.as_str(), "payer", "0614141000043"),
            (provider_pk.as_str(), "provider", "0614141000050"),
        ],
    );
    let mint_file = d.join("mint.json");
    let mint = as_(
        d,
        &insurer,
        &[
            "token",
            "create-mint",
            "--decimals",
            "2",
            "--outfile",
            mint_file.to_str().unwrap(),
        ],
    );
    let mint = mint["mint"].as_str().unwrap().to_string();
    let minted = as_(
        d,
        &insurer,
        &[
            "token",
            "mint-to",
            "--mint",
            &mint,
            "--to-owner",
            &insurer_pk,
            "1000000",
        ],
    );
    assert_eq!(minted["balance"], 1_000_000);
    let own = minted["account"].as_str().unwrap().to_string();
    as_(
        d,
        &insurer,
        &[
            "claims",
            "payer-init",
            "--mint",
            &mint,
            "--auto-approve-limit",
            "100000",
            "--daily-limit",
            "1000000",
        ],
    );
    as_(
        d,
        &insurer,
        &[
            "claims",
            "fund",
            "--payer",
            &insurer_pk,
            "--from",
            &own,
            "500000",
        ],
    );
    let coverage = as_(
        d,
        &insurer,
        &[
            "claims",
            "enroll",
            "--patient-keypair",
            &patient,
            "--member-id",
            "M-1",
            "--annual-max",
            "100000",
        ],
    );
    let coverage = coverage["coverage"].as_str().unwrap().to_string();
    let claim = as_(
        d,
        &provider,
        &[
            "claims",
            "submit",
            "--payer",
            &insurer_pk,
            "--coverage",
            &coverage,
            "--claim-id",
            "CLM-1",
            "--billed",
            "4250",
        ],
    );
    let claim = claim["claim"].as_str().unwrap().to_string();
    let decided = as_(
        d,
        &insurer,
        &["claims", "adjudicate", &claim, "--allowed", "4250"],
    );
    assert_eq!(decided["claim"]["status"], "approved");
    // Paying into the wrong token account is refused, naming the error and the account.
    let wrong = caretrail(d)
        .arg("--keypair")
        .arg(&insurer)
        .args(["claims", "pay", &claim, "--to", &own])
        .output()
        .unwrap();
    assert_eq!(wrong.status.code(), Some(3));
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(
        said.contains("TokenMismatch")
            && said.contains("(claims pay)")
            && said.contains("account `provider_token`"),
        "{said}"
    );
    let paid = as_(d, &insurer, &["claims", "pay", &claim]);
    assert_eq!(paid["amount"], 4250);
    let balance = as_(
        d,
        &insurer,
        &["token", "balance", &provider_pk, "--mint", &mint],
    );
    assert_eq!(
        (balance["amount"].as_u64(), balance["ui_amount"].as_str()),
        (Some(4250), Some("42.50"))
    );
    let vault = as_(d, &insurer, &["token", "balance", &own]);
    assert_eq!(vault["amount"], 500_000);
}

/// A patient approves a provider's request and later revokes it, each time signing on their own
/// device: the clinic builds the transaction (`--sign-only`, no nonce named), the patient's
/// wallet sees what it signs and signs, the clinic submits; a replay is refused as already
/// submitted. Each step is a separate process, so the embedded ledger restarts in between.
#[test]
fn a_patient_approves_and_revokes_by_signing_offline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, _) = keygen(d, "authority");
    let (clinic, _) = keygen(d, "clinic");
    let (provider, provider_pk) = keygen(d, "provider");
    let (patient, patient_pk) = keygen(d, "patient");
    registry(
        d,
        &authority,
        &[(provider_pk.as_str(), "provider", "0614141000050")],
    );
    let request = as_(
        d,
        &provider,
        &[
            "consent",
            "request",
            "--patient",
            &patient_pk,
            "--classes",
            "labs",
            "--purposes",
            "TREAT",
        ],
    );
    let grant = request["grant"].as_str().unwrap().to_string();
    let offline = |decision: &str| {
        let built = as_(
            d,
            &clinic,
            &[
                "consent",
                decision,
                &grant,
                "--sign-only",
                "--authority",
                &patient_pk,
            ],
        );
        assert_eq!(built["missing"], serde_json::json!([patient_pk]));
        let tx = built["transaction"].as_str().unwrap().to_string();
        let out = caretrail(d)
            .arg("--keypair")
            .arg(&patient)
            .args(["--output", "json", "tx", "sign", &tx])
            .output()
            .unwrap();
        assert!(out.status.success());
        // The wallet is told what it signs before it signs.
        let shown = String::from_utf8_lossy(&out.stderr);
        assert!(shown.contains(&format!("grant {grant}")), "{shown}");
        assert!(shown.contains("durable nonce"), "{shown}");
        let signed: Value = serde_json::from_slice(&out.stdout).unwrap();
        let pair = signed["signers"][0].as_str().unwrap().to_string();
        as_(d, &clinic, &["tx", "submit", &tx, "--signer", &pair]);
        (tx, pair)
    };
    let (tx, pair) = offline("approve");
    let listed = as_(d, &provider, &["consent", "list", "--patient", &patient_pk]);
    assert_eq!(listed[0]["status"], "active");
    // The same transaction again: refused, not applied twice.
    let again = caretrail(d)
        .arg("--keypair")
        .arg(&clinic)
        .args(["tx", "submit", &tx, "--signer", &pair])
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already submitted"));
    offline("revoke");
    let listed = as_(d, &provider, &["consent", "list", "--patient", &patient_pk]);
    assert_eq!(listed[0]["status"], "inactive");
}

/// A scanner is a keyboard: `custody scan` from a pipe answers each line while the pipe is
/// still open, and ignores a byte order mark and the tabs around a code.
#[test]
fn a_scan_from_a_pipe_answers_each_line_as_it_arrives() {
    use std::io::{BufRead, Write};
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (key, _) = keygen(d, "scanner");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("caretrail"))
        .env_remove("CARETRAIL_URL")
        .env("CARETRAIL_LEDGER", d.join("ledger"))
        .env("HOME", d)
        .args([
            "--keypair",
            &key,
            "--create",
            "--output",
            "json",
            "custody",
            "scan",
            "--verify",
        ])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    writeln!(stdin, "\u{feff}\t(01)09501101020917(21)FIRST\t").unwrap();
    stdin.flush().unwrap();
    let first: Value =
        serde_json::from_str(&rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap())
            .unwrap();
    // Answered while the pipe is still open: the code, not the BOM or the tabs.
    assert_eq!(first["line"], 1);
    assert_eq!(first["code"], "(01)09501101020917(21)FIRST");
    assert_eq!(first["status"], "rejected");
    writeln!(stdin, "(01)09501101020917(21)SECOND").unwrap();
    drop(stdin);
    let second: Value =
        serde_json::from_str(&rx.recv_timeout(std::time::Duration::from_secs(60)).unwrap())
            .unwrap();
    assert_eq!(second["line"], 2);
    // Unknown packages are alerts: exit 1.
    assert_eq!(child.wait().unwrap().code(), Some(1));
}

/// Safe defaults: a keypair or a ledger that does not exist is an error that says how to make
/// one, never made silently (a typo in --ledger must not start a new ledger); a new wallet is
/// made only by `keygen` or `--create-keypair`; the demo never takes the user's key.
#[test]
fn missing_keys_and_ledgers_are_errors_not_silently_created() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = || {
        let mut c = assert_cmd::Command::cargo_bin("caretrail").unwrap();
        c.env_remove("CARETRAIL_URL")
            .env_remove("CARETRAIL_KEYPAIR")
            .env_remove("CARETRAIL_CREATE_KEYPAIR")
            .env_remove("CARETRAIL_CREATE_LEDGER")
            .env("CARETRAIL_LEDGER", d.join("ledger"))
            .env("HOME", d);
        c
    };
    let missing = d.join("typo.json");
    let out = plain()
        .arg("--keypair")
        .arg(&missing)
        .args(["registry", "init"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("caretrail keygen --outfile"));
    assert!(!missing.exists(), "no key was made");
    let (key, _) = keygen(d, "k");
    let out = plain()
        .arg("--keypair")
        .arg(&key)
        .args(["custody", "verify", "(01)09501101020917(21)X"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no caretrail ledger at"));
    assert!(!d.join("ledger").join("ledger.sqlite").exists());
    // `registry init` starts a ledger; `--create-keypair` makes the named key.
    let made = d.join("new.json");
    let out = plain()
        .arg("--keypair")
        .arg(&made)
        .args(["--create-keypair", "registry", "init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(made.exists());
    // The demo on the embedded ledger uses keys of its own, not the user's.
    let story = json(
        plain()
            .env_remove("CARETRAIL_LEDGER")
            .args(["demo", "--out"])
            .arg(d.join("story")),
    );
    assert!(story["registry"]["authority"].is_string());
    assert!(!d.join(".config/solana/id.json").exists());
    assert!(d.join("story/keys/authority.json").exists());
}

/// Mistakes a client can see are refused before anything is sent, in words: shipping to
/// oneself, granting to an unregistered party, a grantee approving its own request, enrolling
/// a patient twice.
#[test]
fn mistakes_a_client_can_see_are_refused_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, _) = keygen(d, "authority");
    let (provider, provider_pk) = keygen(d, "provider");
    let (insurer, insurer_pk) = keygen(d, "insurer");
    let (patient, patient_pk) = keygen(d, "patient");
    let (_, stranger_pk) = keygen(d, "stranger");
    registry(
        d,
        &authority,
        &[
            (
                provider_pk.as_str(),
                "provider,distributor",
                "0614141000050",
            ),
            (insurer_pk.as_str(), "payer", "0614141000043"),
        ],
    );
    let refused = |key: &str, args: &[&str], words: &str| {
        let out = caretrail(d)
            .arg("--keypair")
            .arg(key)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(words), "{args:?}: {err}");
        assert!(!err.contains("custom program error"), "{err}");
    };
    refused(
        &provider,
        &[
            "custody",
            "ship",
            "(01)09501101020917(21)X",
            "--to",
            &provider_pk,
        ],
        "not to its sender",
    );
    refused(
        &patient,
        &[
            "consent",
            "grant",
            "--grantee",
            &stranger_pk,
            "--classes",
            "labs",
            "--purposes",
            "TREAT",
        ],
        "is not registered",
    );
    let request = as_(
        d,
        &provider,
        &[
            "consent",
            "request",
            "--patient",
            &patient_pk,
            "--classes",
            "labs",
            "--purposes",
            "TREAT",
        ],
    );
    let grant = request["grant"].as_str().unwrap().to_string();
    refused(
        &provider,
        &["consent", "approve", &grant],
        "cannot decide on its own request",
    );
    let t22 = as_(
        d,
        &insurer,
        &["token", "create-mint", "--token-program", "token-2022"],
    )["mint"]
        .as_str()
        .unwrap()
        .to_string();
    refused(
        &insurer,
        &[
            "claims",
            "payer-init",
            "--mint",
            &t22,
            "--auto-approve-limit",
            "1",
            "--daily-limit",
            "1",
        ],
        "is a token-2022 mint: pass --token-program token-2022",
    );
    let mint = as_(d, &insurer, &["token", "create-mint"])["mint"]
        .as_str()
        .unwrap()
        .to_string();
    as_(
        d,
        &insurer,
        &[
            "claims",
            "payer-init",
            "--mint",
            &mint,
            "--auto-approve-limit",
            "1",
            "--daily-limit",
            "1",
        ],
    );
    let enroll = [
        "claims",
        "enroll",
        "--patient-keypair",
        &patient,
        "--member-id",
        "M",
        "--annual-max",
        "1",
    ];
    as_(d, &insurer, &enroll);
    refused(&insurer, &enroll, "already enrolled");
    // Funding from an account that does not exist says how to make one.
    refused(
        &insurer,
        &[
            "claims",
            "fund",
            "--payer",
            &insurer_pk,
            "--from",
            &stranger_pk,
            "10",
        ],
        "caretrail token create-account --mint",
    );
    // Absurd amounts are usage errors that name the limit.
    let out = caretrail(d)
        .args([
            "claims",
            "adjudicate",
            &grant,
            "--allowed",
            "18446744073709551615",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("more than the 1000000000000000"));
}

/// The rest of custody from the CLI: a receiver refuses a shipment, a holder flags a suspect
/// package that its flagger clears, a regulator declares another illegitimate, a holder
/// decommissions one, and the manufacturer recalls the lot; each is then what verify says.
#[test]
fn refuse_quarantine_illegitimate_decommission_and_recall_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (authority, _) = keygen(d, "authority");
    let (manufacturer, manufacturer_pk) = keygen(d, "manufacturer");
    let (distributor, distributor_pk) = keygen(d, "distributor");
    let (regulator, regulator_pk) = keygen(d, "regulator");
    registry(
        d,
        &authority,
        &[
            (manufacturer_pk.as_str(), "manufacturer", "0614141000012"),
            (distributor_pk.as_str(), "distributor", "0614141000029"),
            (regulator_pk.as_str(), "regulator", "0614141000067"),
        ],
    );
    lot_l1(
        d,
        &authority,
        (&manufacturer, &manufacturer_pk),
        &["9501101"],
    );
    let serials = d.join("s.txt");
    std::fs::write(&serials, "A\nB\nC\nD\n").unwrap();
    let out = caretrail(d)
        .arg("--keypair")
        .arg(&manufacturer)
        .args(["custody", "commission", "--gtin", GTIN, "--lot", "L1"])
        .arg(&serials)
        .output()
        .unwrap();
    assert!(out.status.success());
    let verify = |code: &str| -> String {
        let out = caretrail(d)
            .args(["--output", "json", "custody", "verify", code])
            .output()
            .unwrap();
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        v["result"].as_str().unwrap().to_string()
    };
    // Refused: custody returns to the manufacturer.
    as_(
        d,
        &manufacturer,
        &["custody", "ship", &package("A"), "--to", &distributor_pk],
    );
    as_(
        d,
        &distributor,
        &["custody", "refuse", &package("A"), "--reason", "2"],
    );
    assert_eq!(verify(&package("A")), "genuine");
    // Quarantined by its holder, then cleared by the same party.
    as_(d, &manufacturer, &["custody", "suspect", &package("B")]);
    assert_eq!(verify(&package("B")), "quarantined");
    as_(d, &manufacturer, &["custody", "clear", &package("B")]);
    assert_eq!(verify(&package("B")), "genuine");
    // Flagged by a regulator and declared illegitimate.
    as_(d, &regulator, &["custody", "suspect", &package("C")]);
    as_(d, &regulator, &["custody", "illegitimate", &package("C")]);
    assert_eq!(verify(&package("C")), "illegitimate");
    // Destroyed by its holder.
    as_(
        d,
        &manufacturer,
        &["custody", "decommission", &package("D"), "--destroyed"],
    );
    assert_eq!(verify(&package("D")), "decommissioned");
    // The lot recalled: every package of it says so.
    as_(
        d,
        &manufacturer,
        &["custody", "recall", "--gtin", GTIN, "--lot", "L1"],
    );
    assert_eq!(verify(&package("A")), "lot_recalled");
}

/// A second writer on a busy embedded ledger fails at once, or with --wait waits its turn.
#[test]
fn a_busy_ledger_is_waited_for_with_wait() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (key, _) = keygen(d, "k");
    as_(d, &key, &["registry", "init"]);
    // A scan from a pipe holds the ledger until its input ends. It waits for the ledger
    // itself, since the probing below may hold it for a moment when the scan starts.
    let mut holder = std::process::Command::new(assert_cmd::cargo::cargo_bin("caretrail"))
        .env_remove("CARETRAIL_URL")
        .env("CARETRAIL_LEDGER", d.join("ledger"))
        .env("HOME", d)
        .args(["--wait", "--keypair", &key, "custody", "scan", "--verify"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = holder.stdin.take().unwrap();
    writeln!(stdin, "(01){GTIN}(21)X").unwrap();
    stdin.flush().unwrap();
    // Until the holder has the ledger open, a second process may still get it: retry.
    let mut busy = None;
    for _ in 0..100 {
        let out = caretrail(d).args(["registry", "show"]).output().unwrap();
        if !out.status.success() {
            busy = Some(String::from_utf8_lossy(&out.stderr).into_owned());
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let busy = busy.expect("the scan holds the ledger");
    assert!(
        busy.contains("in use by another caretrail process") && busy.contains("--wait"),
        "{busy}"
    );
    let waiter = std::thread::spawn({
        let d = d.to_path_buf();
        move || {
            caretrail(&d)
                .args(["--wait", "registry", "show"])
                .output()
                .unwrap()
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    drop(stdin);
    holder.wait().unwrap();
    let out = waiter.join().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
