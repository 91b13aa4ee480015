//! caretrail benchmarks. `cargo run --profile bench -p caretrail-bench [-- --json FILE] [--quick]`
//! prints a Markdown table of what was measured on this machine, and writes the same as JSON.
//!
//! So far: GS1 parsing throughput, custody receives packed per 1,232-byte transaction, and an
//! end-to-end receiving scan on the embedded ledger against the naive one-receive-per-
//! transaction baseline. (The benchmarks issue extends it.)

use caretrail_sdk::custody as cus;
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_tests::{ship_args, Harness, GTIN, LOT};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signature::Signer};
use std::io::Write;
use std::time::Instant;

struct Row {
    name: String,
    value: f64,
    unit: &'static str,
    note: String,
}

fn main() {
    let mut out: Box<dyn std::io::Write> = match caretrail_sdk::programs::reserve_stdout() {
        Some(f) => Box::new(f),
        None => Box::new(std::io::stdout()),
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let json_path = args
        .iter()
        .position(|a| a == "--json")
        .and_then(|i| args.get(i + 1))
        .cloned();
    let mut rows = Vec::new();

    // GS1 parsing.
    let codes = [
        format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21SN0001"),
        format!("(01){GTIN}(17)271231(10){LOT}(21)SN0001"),
        format!("https://id.gs1.org/01/{GTIN}/10/{LOT}/21/SN0001?17=271231"),
        "(00)106141411234567897".to_string(),
    ];
    let n = if quick { 20_000 } else { 400_000 };
    let t = Instant::now();
    let mut ok = 0usize;
    for i in 0..n {
        ok += caretrail_sdk::gs1::parse_with_year(&codes[i % codes.len()], 2026).is_ok() as usize;
    }
    assert_eq!(ok, n);
    rows.push(Row {
        name: "GS1 parses per second".into(),
        value: n as f64 / t.elapsed().as_secs_f64(),
        unit: "parses/s",
        note: "element strings, HRI, Digital Link, SSCC mixed".into(),
    });

    // Packing.
    let receiver = Pubkey::new_unique();
    let lot = Pubkey::new_unique();
    let ixs: Vec<_> = (0..64)
        .map(|_| cus::receive_ix(&receiver, &Pubkey::new_unique(), 0, Some(lot)))
        .collect();
    let mut per_tx = 1;
    while per_tx < ixs.len()
        && scan::transaction_size(&ixs[..per_tx + 1], &receiver) <= scan::MAX_TX_SIZE
    {
        per_tx += 1;
    }
    rows.push(Row {
        name: "receives per 1,232-byte transaction".into(),
        value: per_tx as f64,
        unit: "receives/tx",
        note: format!(
            "same lot; {} bytes",
            scan::transaction_size(&ixs[..per_tx], &receiver)
        ),
    });

    // End-to-end receiving scan vs. the naive baseline (one receive per transaction).
    let units = if quick { 120 } else { 1_000 };
    let (scan_rate, scan_txs, scan_per_tx) = receiving_scan(units, true);
    let (naive_rate, naive_txs, _) = receiving_scan(units, false);
    rows.push(Row {
        name: format!("receiving scan, {units} packages (embedded ledger)"),
        value: scan_rate,
        unit: "lines/s",
        note: format!("{scan_txs} transactions, {scan_per_tx:.1} receives/tx"),
    });
    rows.push(Row {
        name: format!("naive baseline, {units} packages, one receive per transaction"),
        value: naive_rate,
        unit: "lines/s",
        note: format!(
            "{naive_txs} transactions ({:.1}x the scan's, so {:.1}x its fees); scan/naive lines/s = {:.2} (the scan also verifies every code)",
            naive_txs as f64 / scan_txs as f64,
            naive_txs as f64 / scan_txs as f64,
            scan_rate / naive_rate
        ),
    });

    let mut table =
        String::from("| measurement | value | unit | note |\n| --- | ---: | --- | --- |\n");
    for r in &rows {
        table.push_str(&format!(
            "| {} | {:.1} | {} | {} |\n",
            r.name, r.value, r.unit, r.note
        ));
    }
    write!(out, "{table}").expect("write table");
    if let Some(path) = json_path {
        let v: Vec<Value> = rows
            .iter()
            .map(|r| json!({ "name": r.name, "value": r.value, "unit": r.unit, "note": r.note }))
            .collect();
        std::fs::write(
            &path,
            serde_json::to_string_pretty(&json!({ "quick": quick, "rows": v })).unwrap(),
        )
        .expect("write JSON");
    }
}

/// Ships `units` packages to the distributor, then receives them by scanning (packed) or one
/// transaction each. Returns (lines/s, transactions, receives per transaction).
fn receiving_scan(units: usize, packed: bool) -> (f64, u64, f64) {
    let h = Harness::new();
    let sc = h.supply_chain();
    let serials: Vec<String> = (0..units).map(|i| format!("B{i:06}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let addresses = h.commission(&sc, &refs);
    let text: Vec<String> = serials
        .iter()
        .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
        .collect();
    let lines = scan::scan_lines(&text.join("\n"));
    let ship = ScanAction::ShipTo {
        receiver: sc.distributor.pubkey(),
        args: ship_args(),
    };
    scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &ship,
        &lines,
        &mut Quiet,
    )
    .expect("ship");
    let before = h.ledger.transaction_count().unwrap();
    let t = Instant::now();
    if packed {
        let r = scan::run(
            &h.ledger,
            &sc.distributor,
            &sc.distributor,
            &ScanAction::Receive,
            &lines,
            &mut Quiet,
        )
        .expect("scan");
        assert!(r.iter().all(|x| x.status == LineStatus::Done));
    } else {
        for u in &addresses {
            h.custody().receive(&sc.distributor, u).expect("receive");
        }
    }
    let secs = t.elapsed().as_secs_f64();
    let txs = h.ledger.transaction_count().unwrap() - before;
    (units as f64 / secs, txs, units as f64 / txs as f64)
}
