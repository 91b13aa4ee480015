//! The `caretrail custody scan` process end to end, at growing input sizes.

use crate::{rate, Table};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_tests::{ship_args, Harness, GTIN, LOT};
use solana_sdk::signature::Signer;
use std::path::Path;
use std::time::Instant;

/// `caretrail custody scan --receive` as a user runs it: a separate process that opens the
/// persisted embedded ledger (n existing units), receives 200 scanned lines and commits them.
/// Needs the `caretrail` binary next to this bench binary (`cargo build --profile bench -p
/// caretrail-cli` for the optimized run; CI's quick run uses the dev build).
pub(crate) fn cli_scan(sizes: &[usize]) -> Table {
    let mut t = Table::new(
        "`caretrail custody scan --receive` end to end (a CLI process on the persisted embedded ledger)",
        &[
            "existing units",
            "lines",
            "process start + ledger open (s)",
            "scan run (s)",
            "lines/s",
        ],
    );
    let Some(exe) = caretrail_exe(&mut t) else {
        return t;
    };
    for &n in sizes {
        let dir =
            std::env::temp_dir().join(format!("caretrail-bench-cli-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench dir");
        let lines = 200.min(n);
        let (key, file) = {
            let h = Harness::with_ledger(
                caretrail_sdk::EmbeddedLedger::open(&dir.join("ledger")).expect("open ledger"),
            );
            let sc = h.supply_chain();
            let serials: Vec<String> = (0..n).map(|i| format!("C{i:06}")).collect();
            h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
            let text = serials[..lines]
                .iter()
                .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
                .collect::<Vec<_>>()
                .join("\n");
            ship_by_scan(&h, &sc, &scan::scan_lines(&text));
            let key = key_file(&dir, "distributor", &sc.distributor);
            let file = dir.join("incoming.txt");
            std::fs::write(&file, text).unwrap();
            (key, file)
        }; // the harness (and its lock on the ledger) is gone here
        let caretrail = |args: &[&str]| run(&exe, &dir, &dir.join("ledger"), &key, args);
        let (start, _) = caretrail(&["address"]);
        let (secs, out) = caretrail(&["custody", "scan", file.to_str().unwrap(), "--receive"]);
        assert_eq!(done_lines(&out), lines, "{out}");
        t.row(vec![
            n.to_string(),
            lines.to_string(),
            format!("{start:.2}"),
            format!("{secs:.2}"),
            rate(lines, secs),
        ]);
        let _ = std::fs::remove_dir_all(&dir);
    }
    t
}

/// The `caretrail` binary next to this bench binary; without it, a row of `t` says to build it.
fn caretrail_exe(t: &mut Table) -> Option<std::path::PathBuf> {
    let exe = std::env::current_exe()
        .expect("bench path")
        .with_file_name("caretrail");
    if exe.exists() {
        return Some(exe);
    }
    let mut row = vec![format!("(not measured: build {} first)", exe.display())];
    row.resize(t.columns(), String::new());
    t.row(row);
    None
}

/// Runs `exe` (a `caretrail` binary) with `home` as its home directory, on `ledger`, signing
/// with `key`, JSON output: the seconds the process took and its stdout. Panics when it fails.
pub(crate) fn run(
    exe: &Path,
    home: &Path,
    ledger: &Path,
    key: &Path,
    args: &[&str],
) -> (f64, String) {
    let tm = Instant::now();
    let o = std::process::Command::new(exe)
        .env("HOME", home)
        .arg("--ledger")
        .arg(ledger)
        .arg("--keypair")
        .arg(key)
        .args(["--output", "json"])
        .args(args)
        .output()
        .expect("run caretrail");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        tm.elapsed().as_secs_f64(),
        String::from_utf8(o.stdout).unwrap(),
    )
}

/// Writes `keypair` as the key file `dir/<name>.json` for `--keypair`.
pub(crate) fn key_file(
    dir: &Path,
    name: &str,
    keypair: &solana_sdk::signature::Keypair,
) -> std::path::PathBuf {
    let path = dir.join(format!("{name}.json"));
    std::fs::write(
        &path,
        serde_json::to_string(&keypair.to_bytes().to_vec()).unwrap(),
    )
    .expect("write key file");
    path
}

/// Lines a JSON-lines scan answer reports done.
pub(crate) fn done_lines(out: &str) -> usize {
    out.lines()
        .filter(|l| l.contains("\"status\":\"done\""))
        .count()
}

/// The manufacturer ships every scanned line to the distributor, many per transaction.
pub(crate) fn ship_by_scan(
    h: &Harness,
    sc: &caretrail_tests::SupplyChain,
    lines: &[(usize, String)],
) {
    let ship = ScanAction::ShipTo {
        receiver: sc.distributor.pubkey(),
        args: ship_args(),
    };
    let shipped = scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &ship,
        lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(shipped.iter().all(|x| x.status == LineStatus::Done));
}

/// `caretrail custody scan --receive` of 200 loose packages on a persisted ledger holding
/// `n` of them, in each design: one `Unit` account per package, and compressed packages
/// (leaves of package trees, each line sent with its proof). The scan's own time is the
/// command's less a `caretrail address` process's (start and ledger open).
pub(crate) fn cli_scan_designs(sizes: &[usize]) -> Table {
    let mut t = Table::new(
        "`custody scan --receive` of 200 loose packages, units against compressed packages (a CLI process on the persisted embedded ledger)",
        &[
            "design",
            "packages on the ledger",
            "process start + ledger open (s)",
            "scan run in the process (s)",
            "lines/s",
            "transactions",
            "lines per transaction",
        ],
    );
    let Some(exe) = caretrail_exe(&mut t) else {
        return t;
    };
    for &n in sizes {
        for compressed in [false, true] {
            let dir = std::env::temp_dir().join(format!(
                "caretrail-bench-designs-{}-{n}-{compressed}",
                std::process::id()
            ));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("bench dir");
            let lines = 200.min(n);
            let (key, file, before) = {
                let h = Harness::with_ledger(
                    caretrail_sdk::EmbeddedLedger::open(&dir.join("ledger")).expect("open ledger"),
                );
                let sc = h.supply_chain();
                let serials: Vec<String> = (0..n).map(|i| format!("D{i:07}")).collect();
                if compressed {
                    commission_compressed(&h, &sc, &serials);
                } else {
                    h.commission(&sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
                }
                let text = serials[..lines]
                    .iter()
                    .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
                    .collect::<Vec<_>>()
                    .join("\n");
                ship_by_scan(&h, &sc, &scan::scan_lines(&text));
                let key = key_file(&dir, "distributor", &sc.distributor);
                let file = dir.join("incoming.txt");
                std::fs::write(&file, text).unwrap();
                let before = h.ledger.transaction_count().unwrap();
                (key, file, before)
            };
            let caretrail = |args: &[&str]| run(&exe, &dir, &dir.join("ledger"), &key, args);
            let (start, _) = caretrail(&["address"]);
            let (secs, out) = caretrail(&["custody", "scan", file.to_str().unwrap(), "--receive"]);
            assert_eq!(done_lines(&out), lines, "{out}");
            let after = caretrail_sdk::EmbeddedLedger::open(&dir.join("ledger"))
                .and_then(|l| l.transaction_count())
                .expect("reopen");
            let txs = after - before;
            let scan_secs = (secs - start).max(0.0);
            t.row(vec![
                if compressed {
                    "compressed packages".into()
                } else {
                    "a `Unit` account each".into()
                },
                n.to_string(),
                format!("{start:.2}"),
                format!("{scan_secs:.2}"),
                rate(lines, scan_secs),
                txs.to_string(),
                format!("{:.1}", lines as f64 / txs.max(1) as f64),
            ]);
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    t
}

/// Commissions loose compressed packages of the fixture lot with these serials, into as many
/// package trees as they fill.
fn commission_compressed(h: &Harness, sc: &caretrail_tests::SupplyChain, serials: &[String]) {
    let mut hashes: Vec<[u8; 32]> = serials
        .iter()
        .map(|s| caretrail_sdk::custody::serial_hash(&sc.gtin, s))
        .collect();
    hashes.sort_unstable();
    let capacity = caretrail_sdk::custody::TREE_CAPACITY as usize;
    for chunk in hashes.chunks(capacity) {
        let (tree, _) = h
            .custody()
            .create_package_tree(&sc.manufacturer, &sc.lot)
            .expect("package tree");
        h.custody()
            .commission_packages(&sc.manufacturer, &tree, None, chunk.to_vec())
            .expect("commission packages");
    }
}
