//! Throughput on the embedded ledger at growing ledger sizes, against one action per transaction.

use super::cli_scan::ship_by_scan;
use crate::{rate, Table};
use caretrail_sdk::consent::{self as con, GrantArgs};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_sdk::Ledger;
use caretrail_tests::{access, ship_args, treatment_scope, Harness, DAY, GTIN, LOT};
use solana_sdk::{pubkey::Pubkey, signature::Signer};
use std::time::Instant;

/// Throughput on the embedded ledger with `n` existing units / grants, vs the naive baseline.
pub(crate) fn throughput(sizes: &[usize], quick: bool) -> Table {
    let mut t = Table::new(
        "Throughput on the embedded ledger (this machine)",
        &[
            "existing records",
            "hops/s",
            "scan lines/s (packed)",
            "receives/s one per tx (naive)",
            "packed / naive",
            "accesses/s",
            "claims paid/s",
        ],
    );
    for &n in sizes {
        let h = Harness::new();
        let sc = h.supply_chain();
        // n existing units.
        let serials: Vec<String> = (0..n).map(|i| format!("E{i:06}")).collect();
        let all_units = h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
        // Timed windows of several hundred actions (the quick run: a hundred), for stable rates.
        let work = if quick { 200 } else { 1_000 }.min(n);
        let units = &all_units[..work];
        let tm = Instant::now();
        for u in &units[..work / 2] {
            h.hop(&sc.manufacturer, &sc.distributor, u);
        }
        let hops = rate(work / 2, tm.elapsed().as_secs_f64());
        // Scan the second half: ship by scan, then receive by scan (timed).
        let text: Vec<String> = serials[work / 2..work]
            .iter()
            .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
            .collect();
        let lines = scan::scan_lines(&text.join("\n"));
        ship_by_scan(&h, &sc, &lines);
        let tm = Instant::now();
        let r = scan::run(
            &h.ledger,
            &sc.distributor,
            &sc.distributor,
            &ScanAction::Receive,
            &lines,
            &mut Quiet,
        )
        .unwrap();
        assert!(r.iter().all(|x| x.status == LineStatus::Done));
        let scan_per_s = lines.len() as f64 / tm.elapsed().as_secs_f64();
        let scan_rate = format!("{scan_per_s:.0}");
        // Naive: ship then receive one per transaction (receives timed), back to the manufacturer.
        for u in &units[work / 2..work] {
            h.custody()
                .ship(&sc.distributor, &sc.manufacturer.pubkey(), u, ship_args())
                .unwrap();
        }
        let tm = Instant::now();
        for u in &units[work / 2..work] {
            h.custody().receive(&sc.manufacturer, u).unwrap();
        }
        let naive_per_s = (work - work / 2) as f64 / tm.elapsed().as_secs_f64();
        let naive = format!("{naive_per_s:.0}");
        // Accesses with n existing grants (one per patient).
        let h = Harness::new();
        let team = h.care_team();
        let grants = n;
        for i in 0..grants {
            let patient = solana_sdk::signature::Keypair::new();
            let args = GrantArgs {
                scope: treatment_scope(),
                not_before: h.now(),
                expires_at: h.now() + 30 * DAY,
                policy_hash: [1; 32],
            };
            h.consent()
                .grant(
                    &patient,
                    &patient.pubkey(),
                    &team.provider.pubkey(),
                    i as u64,
                    args,
                )
                .unwrap_or_else(|_| {
                    h.ledger
                        .request_airdrop(&patient.pubkey(), 1_000_000_000)
                        .unwrap();
                    let args = GrantArgs {
                        scope: treatment_scope(),
                        not_before: h.now(),
                        expires_at: h.now() + 30 * DAY,
                        policy_hash: [1; 32],
                    };
                    h.consent()
                        .grant(
                            &patient,
                            &patient.pubkey(),
                            &team.provider.pubkey(),
                            i as u64,
                            args,
                        )
                        .unwrap()
                });
        }
        let g = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
        let tm = Instant::now();
        let accesses = if quick { 100 } else { 500 };
        for i in 0..accesses {
            let mut a = access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT);
            a.resource_hash = caretrail_sdk::hash::sha256(&[&(i as u64).to_le_bytes()]);
            h.consent().record_access(&team.provider, &g, a).unwrap();
        }
        let access_rate = rate(accesses, tm.elapsed().as_secs_f64());
        // Claims paid, with n existing claims at the payer.
        let h2 = Harness::new();
        let p = h2.plan(&caretrail_sdk::tokens::TOKEN);
        // The provider pays each claim's rent.
        h2.ledger
            .request_airdrop(&p.provider.pubkey(), (n as u64 + 100) * 3_000_000)
            .unwrap();
        for i in 0..n {
            h2.submit(&p, &format!("X{i}"), 1_000);
        }
        // 150 x 1,100 stays within the harness payer's daily limit (200,000) and the annual
        // maximum, and exceeds the deductible (1,000) from the first claim on.
        let claims: Vec<Pubkey> = (0..if quick { 50 } else { 150 })
            .map(|i| {
                let c = h2.submit(&p, &format!("T{i}"), 1_100);
                h2.claims()
                    .adjudicate(&p.insurer, None, &c, 1_100, 0)
                    .unwrap();
                c
            })
            .collect();
        let tm = Instant::now();
        for c in &claims {
            h2.claims().pay(&p.insurer, c, &p.provider_token).unwrap();
        }
        let paid = rate(claims.len(), tm.elapsed().as_secs_f64());
        t.row(vec![
            format!("{n} units, {grants} grants, {n} claims"),
            hops,
            scan_rate,
            naive,
            format!("{:.2}x", scan_per_s / naive_per_s),
            access_rate,
            paid,
        ]);
    }
    t
}
