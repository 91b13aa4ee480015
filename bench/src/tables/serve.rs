//! `caretrail serve` over loopback with the load generator of `crate::load`: consent decisions
//! (CDS Hooks) per second and their latency with 1k / 10k / 100k grants on the ledger, and
//! JSON-RPC getAccountInfo / sendTransaction rates on the served embedded ledger.

use crate::load::{self, Load};
use crate::Table;
use anchor_lang::AccountSerialize;
use caretrail_sdk::consent::{self as con, ConsentGrant, GrantStatus};
use caretrail_sdk::{offline, Ledger};
use caretrail_tests::{treatment_scope, Harness, DAY};
use consent::state::NewGrant;
use serde_json::json;
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signer};
use std::sync::Arc;

/// The decision service's latency target: p99 at most this at `TARGET_RATE`.
const TARGET_P99_MS: f64 = 10.0;
const TARGET_RATE: f64 = 500.0;

/// The service over the harness's ledger, on a loopback port.
fn start(h: &Harness) -> caretrail_serve::Background {
    let ledger: Arc<dyn Ledger> = h.ledger.clone();
    let app = caretrail_serve::router(
        ledger,
        caretrail_serve::Config {
            log_requests: false,
            rate_per_minute: u32::MAX,
            ..Default::default()
        },
    )
    .expect("router");
    caretrail_serve::Background::start(app).expect("serve")
}

/// `n` grants of other patients to the same provider, written straight into the ledger (as
/// the program would lay them out), so a decision has that many grants of the program to sift.
fn fill(h: &Harness, grantee: &Pubkey, n: usize) {
    let rent = h
        .ledger
        .minimum_balance_for_rent_exemption(8 + <ConsentGrant as anchor_lang::Space>::INIT_SPACE)
        .unwrap();
    for _ in 0..n {
        let g = ConsentGrant::new(NewGrant {
            bump: 255,
            status: GrantStatus::Active,
            emergency: false,
            delegate: Pubkey::default(),
            scope: treatment_scope(),
            patient: Pubkey::new_unique(),
            grantee: *grantee,
            not_before: h.now(),
            expires_at: h.now() + 30 * DAY,
            policy_hash: [1; 32],
            now: h.now(),
        });
        let mut data = Vec::new();
        g.try_serialize(&mut data).unwrap();
        h.ledger
            .set_account(
                &Pubkey::new_unique(),
                Account {
                    lamports: rent,
                    data,
                    owner: con::PROGRAM_ID,
                    executable: false,
                    rent_epoch: 0,
                },
            )
            .unwrap();
    }
}

fn ms(v: f64) -> String {
    format!("{v:.2}")
}

pub(crate) fn serve(sizes: &[usize], quick: bool) -> Vec<Table> {
    let mut decisions = Table::new(
        "Consent decisions over loopback (CDS Hooks `patient-consent-consult`, this machine)",
        &[
            "grants on the ledger",
            "offered/s",
            "answered/s",
            "p50 ms",
            "p99 ms",
            "max ms",
            "errors",
            "p99 ≤ 10 ms at 500/s",
            "closed loop, 4 connections: decisions/s",
        ],
    );
    let mut rpc = Table::new(
        "JSON-RPC on the served embedded ledger (loopback, 4 connections, closed loop)",
        &[
            "method",
            "requests",
            "requests/s",
            "p50 ms",
            "p99 ms",
            "errors",
        ],
    );
    let seconds = if quick { 1.0 } else { 10.0 };
    for (k, &n) in sizes.iter().enumerate() {
        let h = Harness::new();
        let team = h.care_team();
        let grant = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
        fill(&h, &team.provider.pubkey(), n.saturating_sub(1));
        let server = start(&h);
        let body = json!({
            "hook": "patient-consent-consult",
            "hookInstance": "bench",
            "context": {
                "patientId": [{ "system": "urn:solana:pubkey", "value": team.patient.pubkey().to_string() }],
                "actor": [{ "system": "urn:solana:pubkey", "value": team.provider.pubkey().to_string() }],
                "purposeOfUse": ["TREAT"],
                "class": [{ "code": "labs" }],
            }
        })
        .to_string();
        let req = load::request(server.addr, "/cds-services/patient-consent-consult", &body);
        let make: Arc<dyn Fn(usize) -> Vec<u8> + Send + Sync> = Arc::new(move |_| req.clone());
        let total = (TARGET_RATE * seconds) as usize;
        let mut open: Load = load::run(server.addr, 8, total, Some(TARGET_RATE), make.clone());
        let closed_total = if quick { 200 } else { 2_000 };
        let closed = load::run(server.addr, 4, closed_total, None, make);
        let p99 = open.percentile_ms(99.0);
        decisions.row(vec![
            n.to_string(),
            format!("{TARGET_RATE:.0}"),
            format!("{:.0}", open.rate()),
            ms(open.percentile_ms(50.0)),
            ms(p99),
            ms(open.percentile_ms(100.0)),
            open.errors.to_string(),
            if p99 <= TARGET_P99_MS && open.errors == 0 {
                "yes"
            } else {
                "no"
            }
            .to_string(),
            format!("{:.0}", closed.rate()),
        ]);

        // JSON-RPC, once (at the smallest size).
        if k == 0 {
            let addr = server.addr;
            let account_body = json!({ "jsonrpc": "2.0", "id": 1, "method": "getAccountInfo", "params": [grant.to_string(), { "encoding": "base64" }] }).to_string();
            let req = load::request(addr, "/", &account_body);
            let count = if quick { 500 } else { 5_000 };
            let mut reads = load::run(addr, 4, count, None, Arc::new(move |_| req.clone()));
            rpc.row(vec![
                "getAccountInfo".into(),
                count.to_string(),
                format!("{:.0}", reads.rate()),
                ms(reads.percentile_ms(50.0)),
                ms(reads.percentile_ms(99.0)),
                reads.errors.to_string(),
            ]);
            // Distinct signed transfers, prepared before the clock starts.
            let payer = h.funded();
            let to = Pubkey::new_unique();
            let blockhash = h.ledger.latest_blockhash().unwrap();
            let sends = if quick { 100 } else { 1_000 };
            let bodies: Vec<Vec<u8>> = (0..sends)
                .map(|i| {
                    let tx = solana_sdk::transaction::Transaction::new_signed_with_payer(
                        &[anchor_lang::solana_program::system_instruction::transfer(
                            &payer.pubkey(),
                            &to,
                            1_000 + i as u64,
                        )],
                        Some(&payer.pubkey()),
                        &[&payer],
                        blockhash,
                    );
                    let b = json!({ "jsonrpc": "2.0", "id": i, "method": "sendTransaction", "params": [offline::to_base64(&tx), { "encoding": "base64" }] }).to_string();
                    load::request(addr, "/", &b)
                })
                .collect();
            let bodies = Arc::new(bodies);
            let mut sent = load::run(addr, 4, sends, None, Arc::new(move |i| bodies[i].clone()));
            rpc.row(vec![
                "sendTransaction (a transfer, processed before the answer)".into(),
                sends.to_string(),
                format!("{:.0}", sent.rate()),
                ms(sent.percentile_ms(50.0)),
                ms(sent.percentile_ms(99.0)),
                sent.errors.to_string(),
            ]);
        }
    }
    vec![decisions, rpc]
}
