//! Patients decide from their own wallets through `caretrail serve`: the binary serves a
//! ledger set up by the CLI alone; the reference clients (`@solana/pay`, `@solana/actions`)
//! approve one request in a node test and Debian's headless chromium approves and revokes
//! another from a Wallet Standard wallet in the patient portal. Needs `scripts/web-deps.sh`
//! (node packages and chromium), which the README's test command runs first.

use super::json;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PUBLIC: &str = "https://clinic.example";

pub(crate) fn web_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/web");
    assert!(
        dir.join("node_modules/@solana/actions").exists() && dir.join("node_modules/playwright-core").exists(),
        "the web tests' node packages are missing: run scripts/web-deps.sh (the README's test command does)"
    );
    dir
}

/// Runs one node test file; its output is shown when it fails.
pub(crate) fn node_test(web: &Path, file: &str, env: &[(&str, String)]) {
    let mut cmd = Command::new("node");
    cmd.current_dir(web)
        .args(["--test", "--test-reporter=spec", file]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .output()
        .expect("node (scripts/web-deps.sh installs the web test tools)");
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "node --test {file} failed:\n{text}");
    println!("{text}");
}

/// A `caretrail serve` process; interrupted (Ctrl-C) when dropped.
pub(crate) struct Served {
    child: std::process::Child,
    pub url: String,
    rest: Option<std::thread::JoinHandle<String>>,
    /// Where the server's stderr (its request log) goes.
    pub log: PathBuf,
}

impl Served {
    pub(crate) fn start(net: &Net, args: &[&str]) -> Served {
        let mut all = vec!["serve", "--bind", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Served::spawn(net, &all).0
    }

    /// Runs `caretrail ARGS…` until it says where it listens; returns what it printed before.
    fn spawn(net: &Net, args: &[&str]) -> (Served, String) {
        let mut cmd = net.env(Command::new(assert_cmd::cargo::cargo_bin("caretrail")));
        let log = net.dir.join(format!(
            "serve-{}.log",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos()
        ));
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&log).unwrap());
        // Owned by the guard at once: killed and waited for if this fails.
        let mut served = Served {
            log,
            child: cmd.spawn().unwrap(),
            url: String::new(),
            rest: None,
        };
        let mut reader = BufReader::new(served.child.stdout.take().unwrap());
        let mut said = String::new();
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "it never listened: {said}"
            );
            said.push_str(&line);
            if line.starts_with("caretrail serve: listening on") {
                let url = line
                    .split_whitespace()
                    .find(|w| w.starts_with("http://127.0.0.1:"))
                    .unwrap()
                    .to_string();
                // Keep reading so the server never blocks on a full pipe.
                let rest = std::thread::spawn(move || {
                    let mut s = String::new();
                    let _ = std::io::Read::read_to_string(&mut reader, &mut s);
                    s
                });
                served.url = url;
                served.rest = Some(rest);
                return (served, said);
            }
        }
    }

    /// Ctrl-C: the server finishes and exits 0.
    pub(crate) fn interrupt(mut self) -> String {
        let status = Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let status = self.child.wait().unwrap();
        assert!(status.success(), "serve exited with {status:?}");
        self.rest.take().unwrap().join().unwrap()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where the flow runs: a directory (keys, and the embedded ledger unless `url`) and the
/// cluster's URL for the validator run.
pub(crate) struct Net {
    pub dir: PathBuf,
    pub url: Option<String>,
}

impl Net {
    fn env<C: CommandEnv>(&self, mut cmd: C) -> C {
        cmd.set("HOME", self.dir.as_os_str());
        cmd.set("CARETRAIL_KEYPAIR", self.dir.join("id.json").as_os_str());
        cmd.set("CARETRAIL_CREATE_KEYPAIR", "true".as_ref());
        match &self.url {
            Some(u) => {
                cmd.remove("CARETRAIL_LEDGER");
                cmd.set("CARETRAIL_URL", u.as_ref());
            }
            None => {
                cmd.remove("CARETRAIL_URL");
                cmd.set("CARETRAIL_LEDGER", self.dir.join("ledger").as_os_str());
                cmd.set("CARETRAIL_CREATE_LEDGER", "true".as_ref());
            }
        }
        cmd
    }

    pub(crate) fn run(&self, key: &str, args: &[&str]) -> Value {
        json(
            self.env(assert_cmd::Command::cargo_bin("caretrail").unwrap())
                .arg("--keypair")
                .arg(key)
                .args(args),
        )
    }

    /// `caretrail --output json ARGS…` as `key`: the JSON it printed (stdout, or stderr's
    /// `{"error"}` when it failed) and its exit status.
    pub(crate) fn run_status(&self, key: &str, args: &[&str]) -> (Value, i32) {
        let out = self
            .env(assert_cmd::Command::cargo_bin("caretrail").unwrap())
            .arg("--keypair")
            .arg(key)
            .args(["--output", "json"])
            .args(args)
            .output()
            .unwrap();
        let status = out.status.code().unwrap_or(-1);
        let text = if status == 0 || status == 1 {
            out.stdout
        } else {
            out.stderr
        };
        let mut v: Value = serde_json::from_slice(&text).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&text));
        });
        if let Some(m) = v.get("error").cloned() {
            v["message"] = m;
        }
        (v, status)
    }

    /// `patient` grants `grantee` TREAT access to `classes` for 30 days; the grant's address.
    pub(crate) fn grant(&self, patient: &str, grantee: &str, classes: &str) -> String {
        let args = [
            "consent",
            "grant",
            "--grantee",
            grantee,
            "--classes",
            classes,
            "--purposes",
            "TREAT",
            "--days",
            "30",
        ];
        self.run(patient, &args)["grant"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// `provider` asks `patient` for TREAT access to medications and labs for 30 days (with
    /// `extra` arguments); the command's JSON.
    fn request(&self, provider: &str, patient: &str, extra: &[&str]) -> Value {
        let mut args = vec![
            "consent",
            "request",
            "--patient",
            patient,
            "--classes",
            "medications,labs",
            "--purposes",
            "TREAT",
            "--days",
            "30",
        ];
        args.extend_from_slice(extra);
        self.run(provider, &args)
    }

    /// The names of the consent events of `address`'s audit trail, oldest first.
    fn audit_events(&self, key: &str, address: &str) -> Vec<String> {
        self.run(key, &["consent", "audit", address])
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["event"].as_str().unwrap().to_string())
            .collect()
    }

    pub(crate) fn keygen(&self, name: &str) -> (String, String) {
        let path = self.dir.join(format!("{name}.json"));
        let out = self.run(
            "unused",
            &["keygen", "--force", "--outfile", path.to_str().unwrap()],
        );
        (
            path.display().to_string(),
            out["pubkey"].as_str().unwrap().to_string(),
        )
    }
}

/// The two command types the flow drives.
trait CommandEnv {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr);
    fn remove(&mut self, k: &str);
}

impl CommandEnv for assert_cmd::Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}

impl CommandEnv for Command {
    fn set(&mut self, k: &str, v: &std::ffi::OsStr) {
        self.env(k, v);
    }
    fn remove(&mut self, k: &str) {
        self.env_remove(k);
    }
}

#[test]
fn patients_approve_and_revoke_from_their_own_wallets() {
    let tmp = tempfile::tempdir().unwrap();
    let net = Net {
        dir: tmp.path().to_path_buf(),
        url: None,
    };
    let (authority, _) = net.keygen("authority");
    let (provider, provider_pk) = net.keygen("provider");
    let (lab, lab_pk) = net.keygen("lab");
    net.run(&authority, &["registry", "init"]);
    let commitment = "11".repeat(32);
    for (wallet, gln) in [(&provider_pk, "0614141000005"), (&lab_pk, "0614141000012")] {
        net.run(
            &authority,
            &[
                "registry",
                "register",
                wallet,
                "--roles",
                "provider",
                "--gln",
                gln,
                "--credential-commitment",
                &commitment,
            ],
        );
    }
    wallet_flow(&net, &provider, &lab);
}

/// The patients' side end to end with `provider` and `lab`, two registered participants'
/// keypair files: the lab reads under a grant (history for the portal's timeline), the
/// provider asks twice; one request is approved through Solana Pay / Actions by the reference
/// clients, the other approved and revoked in the portal in headless chromium; the chain is
/// read back by the CLI after the server stopped; the sponsored patient paid 0 lamports.
pub(crate) fn wallet_flow(net: &Net, provider: &str, lab: &str) {
    let web = web_dir();
    let (patient, patient_pk) = net.keygen("patient");
    let (sponsor, sponsor_pk) = net.keygen("sponsor");
    if net.url.is_some() {
        net.run(&patient, &["airdrop", "2"]);
        net.run(&sponsor, &["airdrop", "2"]);
    }
    let lab_pk = net.run(lab, &["address"])["pubkey"]
        .as_str()
        .unwrap()
        .to_string();
    // History for the portal's timeline: the patient lets the lab read results, it reads twice.
    let lab_grant = net.grant(&patient, &lab_pk, "labs");
    for _ in 0..2 {
        net.run(
            lab,
            &[
                "consent",
                "access",
                &lab_grant,
                "--class",
                "labs",
                "--purpose",
                "TREAT",
            ],
        );
    }
    // Two requests of the provider: one answered through Solana Pay / Actions (its QR code
    // printed at the desk), one in the portal.
    let desk = net.dir.join("desk.png");
    let first = net.request(
        provider,
        &patient_pk,
        &["--qr", desk.to_str().unwrap(), "--qr-url", PUBLIC],
    );
    let first_grant = first["grant"].as_str().unwrap().to_string();
    let pay_url = first["qr"]["solana_pay_url"].as_str().unwrap().to_string();
    assert_eq!(
        first["qr"]["link"],
        format!("{PUBLIC}/api/actions/consent/approve?grant={first_grant}")
    );
    assert!(pay_url.starts_with("solana:https%3A%2F%2Fclinic.example%2F"));
    assert!(std::fs::read(net.dir.join("desk.png"))
        .unwrap()
        .starts_with(b"\x89PNG"));
    assert!(std::fs::read_to_string(net.dir.join("desk.svg"))
        .unwrap()
        .contains("<svg"));
    let second_grant = net.request(provider, &patient_pk, &[])["grant"]
        .as_str()
        .unwrap()
        .to_string();
    let balance = || net.run(&patient, &["address"])["balance"].as_u64().unwrap();
    let before = balance();

    let served = Served::start(net, &["--sponsor", &sponsor, "--public-url", PUBLIC]);
    let shots = std::env::var("CARETRAIL_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| net.dir.join("screenshots"));
    let env = [
        ("CARETRAIL_SERVER", served.url.clone()),
        ("CARETRAIL_PUBLIC", PUBLIC.to_string()),
        ("CARETRAIL_PAY_URL", pay_url),
        ("CARETRAIL_PATIENT", patient.clone()),
        ("CARETRAIL_SPONSOR", sponsor_pk.clone()),
        (
            "CARETRAIL_CONSENT",
            caretrail_sdk::consent::PROGRAM_ID.to_string(),
        ),
        ("CARETRAIL_GRANT", second_grant.clone()),
        ("CARETRAIL_SCREENSHOTS", shots.display().to_string()),
    ];
    node_test(&web, "actions.test.mjs", &env);
    node_test(&web, "portal.test.mjs", &env);
    for shot in [
        "portal-pending.png",
        "portal-confirm.png",
        "portal-approved.png",
        "portal-revoked.png",
        "portal-phone.png",
    ] {
        assert!(shots.join(shot).exists(), "{shot}");
    }
    let log = served.log.clone();
    let said = served.interrupt();
    assert!(said.contains("stopped"), "{said}");
    // One JSON line per request: time, client, method, path (no query), status, duration.
    let lines: Vec<Value> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(lines.len() >= 10, "{} request log lines", lines.len());
    let submit = lines
        .iter()
        .find(|l| l["path"] == "/api/transactions")
        .expect("the submissions are logged");
    assert_eq!(submit["method"], "POST");
    assert_eq!(submit["status"], 200);
    assert_eq!(submit["client"], "127.0.0.1");
    assert!(submit["ms"].as_f64().unwrap() >= 0.0 && submit["time"].is_string());
    assert!(
        lines
            .iter()
            .all(|l| !l["path"].as_str().unwrap().contains('?')),
        "no query strings in the log"
    );

    // The chain, read by the CLI once the server let go of the ledger.
    let grants = net.run(&patient, &["consent", "list", "--patient", &patient_pk]);
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
    assert_eq!(
        status(&first_grant),
        "active",
        "approved through Solana Actions"
    );
    assert_eq!(
        status(&second_grant),
        "inactive",
        "approved, then revoked, in the portal"
    );
    assert_eq!(
        net.audit_events(&patient, &second_grant),
        ["GrantCreated", "GrantApproved", "GrantRevoked"]
    );
    assert_eq!(
        balance(),
        before,
        "three sponsored decisions cost the patient 0 lamports"
    );
}

#[test]
fn demo_serve_leaves_a_request_for_the_patient_and_keeps_the_portal_up() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let out = d.join("demo");
    let net = Net {
        dir: d.to_path_buf(),
        url: None,
    };
    let (served, said) = Served::spawn(
        &net,
        &[
            "demo",
            "--out",
            out.to_str().unwrap(),
            "--serve",
            "--bind",
            &bind,
        ],
    );
    assert_eq!(served.url, format!("http://{bind}"));
    let patient = said
        .split_whitespace()
        .find_map(|w| w.split_once("/portal?patient=").map(|(_, p)| p.to_string()))
        .unwrap_or_else(|| panic!("no portal link: {said}"));
    assert!(out.join("keys/patient-treatment-key.json").exists());
    assert!(out.join("desk-qr.png").exists() && out.join("desk-qr.svg").exists());
    let body = http_get(&bind, &format!("/api/patients/{patient}"));
    let o: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(o["pending"].as_array().unwrap().len(), 1, "{o}");
    assert_eq!(
        o["pending"][0]["classes"],
        serde_json::json!(["medications", "labs"])
    );
    assert!(o["sponsor"].is_string());
    let page = http_get(&bind, "/portal");
    assert!(page.contains("My consents"));
    assert!(served.interrupt().contains("stopped"));
}

/// The body of `GET path` (a plain HTTP/1.1 request).
fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nhost: {addr}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    body.to_string()
}
