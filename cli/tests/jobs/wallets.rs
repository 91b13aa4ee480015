//! Patients decide from their own wallets through `caretrail serve`: the binary serves a
//! ledger set up by the CLI alone; the reference clients (`@solana/pay`, `@solana/actions`)
//! approve one request in a node test and Debian's headless chromium approves and revokes
//! another from a Wallet Standard wallet in the patient portal. Needs `scripts/web-deps.sh`
//! (node packages and chromium), which the README's test command runs first.

use super::{caretrail, json};
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PUBLIC: &str = "https://clinic.example";

fn keygen(dir: &Path, name: &str) -> (String, String) {
    let path = dir.join(format!("{name}.json"));
    let out = json(caretrail(dir).args(["keygen", "--outfile"]).arg(&path));
    (
        path.display().to_string(),
        out["pubkey"].as_str().unwrap().to_string(),
    )
}

fn as_(dir: &Path, key: &str, args: &[&str]) -> Value {
    json(caretrail(dir).arg("--keypair").arg(key).args(args))
}

fn web_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/web");
    assert!(
        dir.join("node_modules/@solana/actions").exists() && dir.join("node_modules/playwright-core").exists(),
        "the web tests' node packages are missing: run scripts/web-deps.sh (the README's test command does)"
    );
    dir
}

/// Runs one node test file; its output is shown when it fails.
fn node_test(web: &Path, file: &str, env: &[(&str, String)]) {
    let mut cmd = Command::new("node");
    cmd.current_dir(web).args(["--test", "--test-reporter=spec", file]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("node (scripts/web-deps.sh installs the web test tools)");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node --test {file} failed:\n{text}");
    println!("{text}");
}

/// A `caretrail serve` process; interrupted (Ctrl-C) when dropped.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Served {
    fn start(dir: &Path, args: &[&str]) -> Served {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("caretrail"));
        cmd.env_remove("CARETRAIL_URL")
            .env("CARETRAIL_LEDGER", dir.join("ledger"))
            .env("CARETRAIL_KEYPAIR", dir.join("id.json"))
            .env("HOME", dir)
            .arg("serve")
            .args(["--bind", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_string();
        Served { child, url }
    }

    /// Ctrl-C: the server finishes and exits 0.
    fn interrupt(mut self) -> String {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let out = std::mem::replace(&mut self.child, Command::new("true").spawn().unwrap())
            .wait_with_output()
            .unwrap();
        assert!(out.status.success(), "serve exited with {:?}", out.status);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn patients_approve_and_revoke_from_their_own_wallets() {
    let web = web_dir();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (authority, _) = keygen(d, "authority");
    let (provider, provider_pk) = keygen(d, "provider");
    let (lab, lab_pk) = keygen(d, "lab");
    let (patient, patient_pk) = keygen(d, "patient");
    let (sponsor, sponsor_pk) = keygen(d, "sponsor");
    as_(d, &authority, &["registry", "init"]);
    let commitment = "11".repeat(32);
    for (wallet, gln) in [(&provider_pk, "0614141000005"), (&lab_pk, "0614141000012")] {
        as_(
            d,
            &authority,
            &[
                "registry", "register", wallet, "--roles", "provider", "--gln", gln,
                "--credential-commitment", &commitment,
            ],
        );
    }
    // History for the portal's timeline: the patient lets a lab read results, it reads twice.
    let lab_grant = as_(
        d,
        &patient,
        &["consent", "grant", "--grantee", &lab_pk, "--classes", "labs", "--purposes", "TREAT", "--days", "30"],
    )["grant"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..2 {
        as_(d, &lab, &["consent", "access", &lab_grant, "--class", "labs", "--purpose", "TREAT"]);
    }
    // Two requests of the provider: one answered through Solana Pay / Actions (its QR code
    // printed at the desk), one in the portal.
    let desk = d.join("desk.png");
    let first = as_(
        d,
        &provider,
        &[
            "consent", "request", "--patient", &patient_pk, "--classes", "medications,labs",
            "--purposes", "TREAT", "--days", "30", "--qr", desk.to_str().unwrap(), "--qr-url", PUBLIC,
        ],
    );
    let first_grant = first["grant"].as_str().unwrap().to_string();
    let pay_url = first["qr"]["solana_pay_url"].as_str().unwrap().to_string();
    assert_eq!(
        first["qr"]["link"],
        format!("{PUBLIC}/api/actions/consent/approve?grant={first_grant}")
    );
    assert!(pay_url.starts_with("solana:https%3A%2F%2Fclinic.example%2F"));
    assert!(std::fs::read(d.join("desk.png")).unwrap().starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(d.join("desk.svg")).unwrap().contains("<svg"));
    let second_grant = as_(
        d,
        &provider,
        &[
            "consent", "request", "--patient", &patient_pk, "--classes", "medications,labs",
            "--purposes", "TREAT", "--days", "30",
        ],
    )["grant"]
        .as_str()
        .unwrap()
        .to_string();
    let balance = |d: &Path| as_(d, &patient, &["address"])["balance"].as_u64().unwrap();
    let before = balance(d);

    let served = Served::start(d, &["--sponsor", &sponsor, "--public-url", PUBLIC]);
    let shots = std::env::var("CARETRAIL_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| d.join("screenshots"));
    let env = [
        ("CARETRAIL_SERVER", served.url.clone()),
        ("CARETRAIL_PUBLIC", PUBLIC.to_string()),
        ("CARETRAIL_PAY_URL", pay_url),
        ("CARETRAIL_PATIENT", patient.clone()),
        ("CARETRAIL_SPONSOR", sponsor_pk.clone()),
        ("CARETRAIL_CONSENT", caretrail_sdk::consent::PROGRAM_ID.to_string()),
        ("CARETRAIL_GRANT", second_grant.clone()),
        ("CARETRAIL_SCREENSHOTS", shots.display().to_string()),
    ];
    node_test(&web, "actions.test.mjs", &env);
    node_test(&web, "portal.test.mjs", &env);
    for shot in ["portal-pending.png", "portal-confirm.png", "portal-approved.png", "portal-revoked.png", "portal-phone.png"] {
        assert!(shots.join(shot).exists(), "{shot}");
    }
    let said = served.interrupt();
    assert!(said.contains("stopped"), "{said}");

    // The chain, read by the CLI once the server let go of the ledger.
    let grants = as_(d, &patient, &["consent", "list", "--patient", &patient_pk]);
    let status = |g: &str| {
        grants
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["address"] == g)
            .unwrap()["status"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(status(&first_grant), "active", "approved through Solana Actions");
    assert_eq!(status(&second_grant), "inactive", "approved, then revoked, in the portal");
    let audit = as_(d, &patient, &["consent", "audit", &second_grant]);
    let events: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["GrantCreated", "GrantApproved", "GrantRevoked"]);
    assert_eq!(balance(d), before, "three sponsored decisions cost the patient 0 lamports");
}
