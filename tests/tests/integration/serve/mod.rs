//! `caretrail serve` over real HTTP on loopback: a server on its own runtime thread over the
//! harness's bank, and a plain HTTP/1.1 client on a TCP socket (so tests can also send what no
//! well-behaved client would: oversized and malformed bodies).

mod decisions;
mod ehr;
mod errors;
mod vrs;

use caretrail_sdk::solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::Transaction,
};
use caretrail_sdk::{offline, Ledger};
use caretrail_tests::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;

/// A server that stops when dropped.
pub struct TestServer {
    pub addr: SocketAddr,
    _running: caretrail_serve::Background,
}

impl TestServer {
    pub fn start(h: &Harness, config: caretrail_serve::Config) -> TestServer {
        let ledger: Arc<dyn Ledger> = h.ledger.clone();
        let app = caretrail_serve::router(ledger, config).expect("router");
        let running = caretrail_serve::Background::start(app).expect("serve");
        TestServer {
            addr: running.addr,
            _running: running,
        }
    }

    pub fn sponsored(h: &Harness) -> (TestServer, Arc<Keypair>) {
        let sponsor = Arc::new(h.funded());
        let server = TestServer::start(
            h,
            caretrail_serve::Config {
                sponsor: Some(sponsor.clone()),
                log_requests: false,
                ..Default::default()
            },
        );
        (server, sponsor)
    }

    pub fn get(&self, path: &str) -> Response {
        self.request("GET", path, &[], None)
    }

    pub fn post(&self, path: &str, body: &Value) -> Response {
        self.request(
            "POST",
            path,
            &[("content-type", "application/json")],
            Some(body.to_string().as_bytes()),
        )
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Response {
        let mut s = TcpStream::connect(self.addr).unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nhost: {}\r\nconnection: close\r\n",
            self.addr
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!("content-length: {}\r\n", b.len()));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).unwrap();
        if let Some(b) = body {
            // A server may answer (413) and close before it read everything.
            let _ = s.write_all(b);
        }
        let mut raw = Vec::new();
        let _ = s.read_to_end(&mut raw);
        Response::parse(&raw)
    }

    /// POSTs the decision for `account`, returns the transaction and the response.
    pub fn decision(&self, path: &str, account: &Pubkey) -> (Transaction, Value) {
        let r = self.post(path, &json!({ "account": account.to_string() }));
        assert_eq!(r.status, 200, "{path}: {}", r.text());
        let v = r.json();
        assert_eq!(v["type"], "transaction");
        (
            offline::from_base64(v["transaction"].as_str().unwrap()).unwrap(),
            v,
        )
    }

    /// Signs `tx` as `signer` (the wallet) and submits it through `/api/transactions`.
    pub fn sign_and_submit(&self, mut tx: Transaction, signer: &Keypair) -> String {
        let blockhash = tx.message.recent_blockhash;
        tx.partial_sign(&[signer], blockhash);
        let r = self.post(
            "/api/transactions",
            &json!({ "transaction": offline::to_base64(&tx) }),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        r.json()["signature"].as_str().unwrap().to_string()
    }
}

pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    fn parse(raw: &[u8]) -> Response {
        let end = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .expect("an HTTP response head");
        let head = String::from_utf8_lossy(&raw[..end]).to_string();
        let mut lines = head.split("\r\n");
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[end + 4..].to_vec();
        if headers
            .iter()
            .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"))
        {
            body = dechunk(&body);
        }
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// A JSON error with this status and a message containing `words`.
    pub fn assert_error(&self, status: u16, words: &str) {
        assert_eq!(self.status, status, "{}", self.text());
        let v = self.json();
        assert_eq!(v["status"], status);
        let m = v["message"].as_str().unwrap();
        assert!(m.contains(words), "{m:?} should say {words:?}");
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(i) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(String::from_utf8_lossy(&b[..i]).trim(), 16).unwrap_or(0);
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[i + 2..i + 2 + n]);
        b = &b[i + 2 + n + 2..];
    }
}

/// The provider asks the patient for treatment access (a pending request).
pub fn request(h: &Harness, team: &CareTeam, grant_id: u64) -> Pubkey {
    use caretrail_sdk::consent::{self as con, GrantArgs};
    con::ConsentClient::new(&h.ledger, &team.provider)
        .request(
            &team.provider,
            &team.patient.pubkey(),
            grant_id,
            GrantArgs {
                scope: treatment_scope(),
                not_before: h.now(),
                expires_at: h.now() + 30 * DAY,
                policy_hash: [3; 32],
            },
        )
        .expect("request");
    con::grant_pda(&team.patient.pubkey(), &team.provider.pubkey(), grant_id).0
}
