//! Opening the persisted embedded ledger at up to a million packages: in this process and as
//! the `caretrail` process a user runs for one command.

use crate::Table;
use caretrail_sdk::custody as cus;
use caretrail_sdk::{EmbeddedLedger, Ledger};
use caretrail_tests::{Harness, GTIN, LOT};
use solana_sdk::{account::Account, pubkey::Pubkey};
use std::path::Path;
use std::time::Instant;

/// Real packages commissioned on every ledger; the rest are copies of their accounts at other
/// addresses (the ledger then holds `n` package accounts of the real size and owner, without
/// commissioning a million packages first).
const REAL: usize = 200;

pub(crate) fn open(quick: bool) -> Table {
    let sizes: &[usize] = if quick {
        &[1_000, 10_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let mut t = Table::new(
        "Opening the persisted embedded ledger (each package a `Unit` account)",
        &[
            "packages",
            "ledger file (MB)",
            "open in this process (s, median of 3)",
            "first package read (ms)",
            "`caretrail address` process (s)",
            "`caretrail custody scan --verify`, 200 lines, process (s)",
            "`caretrail address`, baseline binary (s)",
            "`caretrail ledger check`, every page read (s)",
        ],
    );
    // An older `caretrail` to compare with (`CARETRAIL_BENCH_BASELINE=path`): the ledger
    // file format is the same, so it opens the same ledgers.
    let baseline = std::env::var_os("CARETRAIL_BENCH_BASELINE").map(std::path::PathBuf::from);
    let exe = std::env::current_exe()
        .expect("bench path")
        .with_file_name("caretrail");
    for &n in sizes {
        let dir =
            std::env::temp_dir().join(format!("caretrail-bench-open-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        let (key, file, probe) = build(&dir, n);
        let ledger_dir = dir.join("ledger");
        let mb = std::fs::metadata(ledger_dir.join("ledger.sqlite"))
            .map(|m| m.len() as f64 / 1e6)
            .unwrap_or(0.0);
        let mut opens = Vec::new();
        let mut first_read = 0.0;
        for _ in 0..3 {
            let tm = Instant::now();
            let ledger = EmbeddedLedger::open(&ledger_dir).expect("open");
            opens.push(tm.elapsed().as_secs_f64());
            let tm = Instant::now();
            assert!(ledger.get_account(&probe).expect("read").is_some());
            first_read = tm.elapsed().as_secs_f64() * 1e3;
        }
        opens.sort_by(f64::total_cmp);
        let run_with =
            |exe: &Path, args: &[&str]| super::cli_scan::run(exe, &dir, &ledger_dir, &key, args);
        let (address, scan, check) = if exe.exists() {
            let run = |args: &[&str]| run_with(&exe, args);
            let (address, _) = run(&["address"]);
            let (scan, out) = run(&["custody", "scan", file.to_str().unwrap(), "--verify"]);
            assert_eq!(super::cli_scan::done_lines(&out), REAL, "{out}");
            let (check, out) = run(&["ledger", "check"]);
            let answer: serde_json::Value = serde_json::from_str(&out).expect("JSON");
            assert_eq!(answer["ok"], true, "{out}");
            (
                format!("{address:.2}"),
                format!("{scan:.2}"),
                format!("{check:.2}"),
            )
        } else {
            let missing = format!("(build {} first)", exe.display());
            (missing.clone(), missing.clone(), missing)
        };
        let baseline = match &baseline {
            Some(old) => format!("{:.2}", run_with(old, &["address"]).0),
            None => "(set CARETRAIL_BENCH_BASELINE)".into(),
        };
        t.row(vec![
            n.to_string(),
            format!("{mb:.0}"),
            format!("{:.3}", opens[1]),
            format!("{first_read:.2}"),
            address,
            scan,
            baseline,
            check,
        ]);
        let _ = std::fs::remove_dir_all(&dir);
    }
    t
}

/// A persisted ledger in `dir/ledger` with a supply chain, `REAL` commissioned packages and
/// `n - REAL` copies of their accounts; returns the manufacturer's key file, a scan file of
/// the real packages and the address of a copy.
fn build(dir: &Path, n: usize) -> (std::path::PathBuf, std::path::PathBuf, Pubkey) {
    let h = Harness::with_ledger(EmbeddedLedger::open(&dir.join("ledger")).expect("open ledger"));
    let sc = h.supply_chain();
    let serials: Vec<String> = (0..REAL).map(|i| format!("R{i:06}")).collect();
    let units = h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
    let template = h.ledger.get_account(&units[0]).unwrap().expect("unit");
    assert_eq!(template.owner, cus::PROGRAM_ID);
    let mut probe = units[0];
    let mut left = n.saturating_sub(REAL);
    while left > 0 {
        let chunk: Vec<(Pubkey, Account)> = (0..left.min(50_000))
            .map(|_| (Pubkey::new_unique(), template.clone()))
            .collect();
        probe = chunk[chunk.len() / 2].0;
        h.ledger.set_accounts(&chunk).expect("write packages");
        left -= chunk.len();
    }
    let key = super::cli_scan::key_file(dir, "manufacturer", &sc.manufacturer);
    let file = dir.join("scanned.txt");
    let text: Vec<String> = serials
        .iter()
        .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
        .collect();
    std::fs::write(&file, text.join("\n")).unwrap();
    (key, file, probe)
}
