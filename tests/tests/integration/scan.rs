//! Shipment scanning: a 2,000-line receiving file mixing packages, cases, duplicates,
//! malformed lines, recalled and unknown serials; an interrupted run resumed; packing.

use caretrail_sdk::custody::{self as cus, UnitKind, UnitStatus};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_tests::*;
use solana_sdk::{pubkey::Pubkey, signature::Signer};

fn element_string(serial: &str) -> String {
    format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{serial}")
}

fn sscc(n: u32) -> [u8; 18] {
    cus::parse_sscc(&cus::complete_sscc(&format!("10614141{n:09}")).unwrap()).unwrap()
}

/// Deterministic shuffle (xorshift).
fn shuffle<T>(v: &mut [T], mut seed: u64) {
    for i in (1..v.len()).rev() {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        v.swap(i, (seed % (i as u64 + 1)) as usize);
    }
}

struct Shipment {
    lines: Vec<(usize, String)>,
    singles: Vec<Pubkey>,
    cases: Vec<Pubkey>,
}

/// The manufacturer ships, by scanning, 1,530 single packages, 20 cases of 20 and 50 packages
/// of a lot recalled in transit, to the distributor; the receiving file adds duplicates,
/// packages scanned inside their case, malformed lines and unknown serials.
fn shipment(h: &Harness, sc: &SupplyChain) -> Shipment {
    let singles: Vec<String> = (0..1530).map(|i| format!("U{i:05}")).collect();
    let packed: Vec<String> = (0..400).map(|i| format!("C{i:05}")).collect();
    let all: Vec<&str> = singles.iter().chain(&packed).map(String::as_str).collect();
    let single_units = h.commission(sc, &all[..1530]);
    let packed_units = h.commission(sc, &all[1530..]);
    let mut cases = Vec::new();
    for (n, chunk) in packed_units.chunks(20).enumerate() {
        let s = sscc(n as u32 + 1);
        h.custody()
            .create_aggregate(&sc.manufacturer, s, UnitKind::Case)
            .unwrap();
        let case = cus::sscc_pda(&s).0;
        h.custody()
            .aggregate(&sc.manufacturer, &case, chunk)
            .unwrap();
        cases.push(case);
    }
    // A second lot, recalled while in transit.
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "RECALLED", (2027, 6, 30)),
        )
        .unwrap();
    let rlot = cus::lot_pda(&sc.gtin, "RECALLED").0;
    let recalled: Vec<String> = (0..50).map(|i| format!("R{i:05}")).collect();
    for chunk in recalled.chunks(10) {
        h.custody()
            .commission(
                &sc.manufacturer,
                &rlot,
                chunk
                    .iter()
                    .map(|s| cus::serial_hash(&sc.gtin, s))
                    .collect(),
            )
            .unwrap();
    }
    let recalled_code = |s: &str| format!("(01){GTIN}(17)270630(10)RECALLED(21){s}");

    // The manufacturer ships everything by scanning.
    let mut outgoing: Vec<String> = singles.iter().map(|s| element_string(s)).collect();
    outgoing.extend((1..=20).map(|n| format!("(00){}", String::from_utf8_lossy(&sscc(n)))));
    outgoing.extend(recalled.iter().map(|s| recalled_code(s)));
    let out_lines = scan::scan_lines(&outgoing.join("\n"));
    let action = ScanAction::ShipTo {
        receiver: sc.distributor.pubkey(),
        args: ship_args(),
    };
    let shipped = scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &action,
        &out_lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(
        shipped.iter().all(|r| r.status == LineStatus::Done),
        "{:?}",
        shipped.iter().find(|r| r.status != LineStatus::Done)
    );
    h.custody().recall_lot(&sc.manufacturer, &rlot, 5).unwrap();

    // The receiving dock's file.
    let mut incoming = outgoing.clone();
    incoming.extend(packed[..100].iter().map(|s| element_string(s))); // packages inside their cases
    incoming.extend(
        singles[..100]
            .iter()
            .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}")),
    ); // duplicates, other notation
    incoming.extend((0..100).map(|i| match i % 4 {
        0 => format!("01{GTIN}21"),                   // empty serial
        1 => "0109501101020918\u{1d}21X".to_string(), // bad check digit
        2 => format!("(17)271331(21)X{i}"),           // bad month
        _ => format!("hello world {i}"),              // not a barcode
    }));
    incoming.extend((0..100).map(|i| element_string(&format!("NEVER{i}"))));
    shuffle(&mut incoming, 42);
    assert_eq!(incoming.len(), 2000);
    Shipment {
        lines: scan::scan_lines(&incoming.join("\n")),
        singles: single_units,
        cases,
    }
}

#[test]
fn a_2000_line_receiving_file_is_reported_line_by_line_and_safe_to_rerun() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let s = shipment(&h, &sc);
    assert_eq!(s.lines.len(), 2000);

    // An interrupted first run: only the first 700 lines got through.
    let first = scan::run(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &ScanAction::Receive,
        &s.lines[..700],
        &mut Quiet,
    )
    .unwrap();
    assert!(first.iter().any(|r| r.status == LineStatus::Done));

    let before = h.ledger.transaction_count().unwrap();
    let results = scan::run(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &ScanAction::Receive,
        &s.lines,
        &mut Quiet,
    )
    .unwrap();
    let txs = h.ledger.transaction_count().unwrap() - before;
    assert_eq!(results.len(), 2000);
    let count = |st: LineStatus| results.iter().filter(|r| r.status == st).count();
    let first_done = first
        .iter()
        .filter(|r| r.status == LineStatus::Done)
        .count();
    assert_eq!(
        count(LineStatus::Done) + first_done,
        1530 + 20,
        "every package and case received exactly once"
    );
    assert_eq!(
        count(LineStatus::Rejected),
        100 + 100 + 50,
        "malformed, unknown and recalled"
    );
    assert_eq!(
        count(LineStatus::AlreadyDone),
        2000 - 250 - count(LineStatus::Done)
    );
    // Reasons name the problem.
    for r in &results {
        let reason = r.reason.clone().unwrap_or_default();
        if r.code.starts_with("hello") {
            assert!(
                reason.starts_with("malformed barcode: position 0"),
                "{reason}"
            );
        } else if r.code.contains("NEVER") {
            assert_eq!(r.verification, Some("unknown_serial"));
            assert!(reason.starts_with("unknown serial"), "{reason}");
        } else if r.code.contains("RECALLED") {
            assert_eq!(r.verification, Some("lot_recalled"));
            assert!(reason.contains("is recalled"), "{reason}");
        } else if r.code.contains("0109501101020918") {
            assert!(
                reason.contains("AI (01) at position 2: check digit is 8, expected 7"),
                "{reason}"
            );
        }
    }
    // Receives are packed many per transaction.
    let received_now = count(LineStatus::Done);
    assert!(
        txs * 5 < received_now as u64,
        "{received_now} receives in {txs} transactions"
    );
    // No duplicated hop: every package and case moved exactly once.
    for u in s.singles.iter().chain(&s.cases) {
        let x = cus::fetch_unit(&h.ledger, u).unwrap().unwrap();
        assert_eq!(
            (x.hop_count, x.holder, x.status),
            (1, sc.distributor.pubkey(), UnitStatus::Active),
            "{u}"
        );
    }
    // A third run has nothing left to do.
    let again = scan::run(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &ScanAction::Receive,
        &s.lines,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(
        again
            .iter()
            .filter(|r| r.status == LineStatus::Done)
            .count(),
        0
    );
    assert_eq!(
        again
            .iter()
            .filter(|r| r.status == LineStatus::Rejected)
            .count(),
        250
    );
}

#[test]
fn a_shipment_addressed_to_another_party_is_flagged_as_diversion() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.commission(&sc, &["D1"]);
    let lines = scan::scan_lines(&element_string("D1"));
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
    .unwrap();
    let r = scan::run(
        &h.ledger,
        &sc.pharmacy,
        &sc.pharmacy,
        &ScanAction::Receive,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(r[0].status, LineStatus::Rejected);
    assert!(
        r[0].reason
            .as_deref()
            .unwrap()
            .starts_with("diversion: in transit to"),
        "{:?}",
        r[0].reason
    );
    // Shipping again is already done.
    let again = scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &ship,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    assert_eq!(again[0].status, LineStatus::AlreadyDone);
}

#[test]
fn verify_and_dispense_scans() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["V1", "V2"]);
    for u in &units {
        h.hop(&sc.manufacturer, &sc.pharmacy, u);
    }
    let lines = scan::scan_lines(
        &[
            element_string("V1"),
            element_string("V2"),
            element_string("V9"),
        ]
        .join("\n"),
    );
    let v = scan::run(
        &h.ledger,
        &sc.pharmacy,
        &sc.pharmacy,
        &ScanAction::Verify,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    let got: Vec<(LineStatus, &str)> = v
        .iter()
        .map(|r| (r.status.clone(), r.verification.unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (LineStatus::Done, "genuine"),
            (LineStatus::Done, "genuine"),
            (LineStatus::Rejected, "unknown_serial")
        ]
    );
    let d = scan::run(
        &h.ledger,
        &sc.pharmacy,
        &sc.pharmacy,
        &ScanAction::Dispense,
        &lines[..2],
        &mut Quiet,
    )
    .unwrap();
    assert!(d.iter().all(|r| r.status == LineStatus::Done));
    assert_eq!(
        d[0].signature, d[1].signature,
        "both dispensed in one transaction"
    );
    let d = scan::run(
        &h.ledger,
        &sc.pharmacy,
        &sc.pharmacy,
        &ScanAction::Dispense,
        &lines[..2],
        &mut Quiet,
    )
    .unwrap();
    assert!(d.iter().all(|r| r.status == LineStatus::AlreadyDone));
}

#[test]
fn receives_per_transaction_fit_the_packet_limit() {
    let sc_payer = solana_sdk::signature::Keypair::new().pubkey();
    let lot = Pubkey::new_unique();
    let ixs: Vec<_> = (0..40)
        .map(|_| {
            cus::receive_ix(
                &sc_payer,
                &cus::PendingHop {
                    unit: &Pubkey::new_unique(),
                    hop_index: 0,
                    payer: &sc_payer,
                },
                Some(lot),
            )
        })
        .collect();
    let mut n = 1;
    while n < ixs.len() && scan::transaction_size(&ixs[..n + 1], &sc_payer) <= scan::MAX_TX_SIZE {
        n += 1;
    }
    println!("receives per 1,232-byte transaction: {n}");
    assert!(n >= 10, "{n}");
    assert!(scan::transaction_size(&ixs[..n], &sc_payer) <= scan::MAX_TX_SIZE);
}

/// A tree of the fixture lot with `loose` loose packages (`L…`) and one case of 20 (`K…`,
/// SSCC `sscc(9000)`); returns the tree, the case, and the serials.
fn compressed_stock(
    h: &Harness,
    sc: &SupplyChain,
    loose: usize,
) -> (Pubkey, Pubkey, Vec<String>, Vec<String>) {
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let sorted = |prefix: &str, n: usize| {
        let mut v: Vec<String> = (0..n).map(|i| format!("{prefix}{i:04}")).collect();
        v.sort_by_key(|s| cus::serial_hash(&sc.gtin, s));
        v
    };
    let singles = sorted("L", loose);
    let packed = sorted("K", 20);
    // One tree takes ascending hashes: commission the case's and the loose packages in one
    // sorted run, each to its place.
    let mut all: Vec<(&String, bool)> = singles
        .iter()
        .map(|s| (s, false))
        .chain(packed.iter().map(|s| (s, true)))
        .collect();
    all.sort_by_key(|(s, _)| cus::serial_hash(&sc.gtin, s));
    let s = sscc(9000);
    h.custody()
        .create_aggregate(&sc.manufacturer, s, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&s).0;
    for (s, in_case) in all {
        h.custody()
            .commission_packages(
                &sc.manufacturer,
                &tree,
                in_case.then_some(&case),
                vec![cus::serial_hash(&sc.gtin, s)],
            )
            .unwrap();
    }
    (tree, case, singles, packed)
}

#[test]
fn a_scan_moves_compressed_packages_as_it_moves_units() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, case, singles, packed) = compressed_stock(&h, &sc, 30);
    let case_line = format!("(00){}", String::from_utf8_lossy(&sscc(9000)));
    let leaf_of = |serial: &str| {
        let index = cus::PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
        let i = index.find(&cus::serial_hash(&sc.gtin, serial)).unwrap();
        (i, *index.leaf(i).unwrap())
    };
    let run = |who: &solana_sdk::signature::Keypair, action: &ScanAction, lines: &[String]| {
        let lines = scan::scan_lines(&lines.join("\n"));
        scan::run(&h.ledger, who, who, action, &lines, &mut Quiet).unwrap()
    };
    let statuses = |rs: &[scan::LineResult]| -> Vec<LineStatus> {
        rs.iter().map(|r| r.status.clone()).collect()
    };

    // The manufacturer ships the loose packages and the case; a package inside the case is
    // refused (scan the case), a duplicate is already done.
    let mut outgoing: Vec<String> = singles.iter().map(|s| element_string(s)).collect();
    outgoing.push(case_line.clone());
    outgoing.push(element_string(&packed[0]));
    outgoing.push(element_string(&singles[0]));
    let ship = ScanAction::ship_to(
        &h.ledger,
        &sc.manufacturer.pubkey(),
        sc.distributor.pubkey(),
        None,
        Some("ASN-COMPRESSED"),
        false,
    )
    .unwrap();
    let before = h.ledger.transaction_count().unwrap();
    let out = run(&sc.manufacturer, &ship, &outgoing);
    let txs = h.ledger.transaction_count().unwrap() - before;
    let mut expected = vec![LineStatus::Done; 31];
    expected.extend([LineStatus::Rejected, LineStatus::AlreadyDone]);
    assert_eq!(statuses(&out), expected, "{out:#?}");
    assert!(out[31]
        .reason
        .as_deref()
        .unwrap()
        .starts_with(&format!("packed in {case}")));
    assert_eq!(out[32].reason.as_deref(), Some("duplicate of line 1"));
    let (i0, l0) = leaf_of(&singles[0]);
    assert_eq!(out[0].unit, Some(format!("{tree}#{i0}")));
    assert_eq!(
        (l0.status, l0.holder, l0.hop_count),
        (UnitStatus::InTransit, sc.manufacturer.pubkey(), 0)
    );
    // A shipment carries the package's state and proof (412 bytes): one a transaction, the
    // case riding along with one of them.
    assert_eq!(txs, 30, "31 shipments");

    // The distributor receives every loose package and the case. A second run has nothing
    // left to do.
    let mut incoming = outgoing[..31].to_vec();
    incoming.insert(5, element_string(&packed[3]));
    let before = h.ledger.transaction_count().unwrap();
    let got = run(&sc.distributor, &ScanAction::Receive, &incoming);
    // A receipt carries the state and proof too (382 bytes): two a transaction, the case's
    // receipt riding along.
    assert_eq!(h.ledger.transaction_count().unwrap() - before, 15);
    assert_eq!(
        got.iter().filter(|r| r.status == LineStatus::Done).count(),
        31,
        "{got:#?}"
    );
    // The packed package's line, before its case's, receives the case; the case's own line
    // is then a duplicate of it.
    assert_eq!(
        got[5].unit,
        Some(format!("{tree}#{}", leaf_of(&packed[3]).0))
    );
    assert_eq!(got[5].status, LineStatus::Done);
    assert_eq!(got[31].status, LineStatus::AlreadyDone);
    assert_eq!(got[31].reason.as_deref(), Some("duplicate of line 6"));
    for s in &singles {
        let (_, l) = leaf_of(s);
        assert_eq!(
            (l.status, l.holder, l.hop_count),
            (UnitStatus::Active, sc.distributor.pubkey(), 1),
            "{s}"
        );
    }
    assert_eq!(
        cus::fetch_unit(&h.ledger, &case).unwrap().unwrap().holder,
        sc.distributor.pubkey()
    );
    let again = run(&sc.distributor, &ScanAction::Receive, &incoming);
    assert!(again.iter().all(|r| r.status == LineStatus::AlreadyDone));

    // On to the pharmacy, received with a logger that breaks the lot's range: quarantined at
    // receipt; then the in-range ones are dispensed by scan, once.
    h.custody()
        .set_storage_condition(
            &sc.manufacturer,
            &sc.lot,
            cus::StorageConditionArgs {
                min_centi_celsius: 200,
                max_centi_celsius: 800,
                tolerated_minutes: 0,
            },
        )
        .unwrap();
    let to_pharmacy = ScanAction::ship_to(
        &h.ledger,
        &sc.distributor.pubkey(),
        sc.pharmacy.pubkey(),
        None,
        None,
        false,
    )
    .unwrap();
    let five: Vec<String> = singles[..5].iter().map(|s| element_string(s)).collect();
    assert!(run(&sc.distributor, &to_pharmacy, &five)
        .iter()
        .all(|r| r.status == LineStatus::Done));
    let csv = "time,temperature_c\n1764576000,4\n1764576600,9\n1764577200,5\n";
    let readings = cus::cold_chain::read_logger_csv(csv.as_bytes()).unwrap();
    let sensed = ScanAction::ReceiveSensed(Box::new(readings));
    assert!(run(&sc.pharmacy, &sensed, &five[..2])
        .iter()
        .all(|r| r.status == LineStatus::Done));
    assert_eq!(leaf_of(&singles[0]).1.status, UnitStatus::Quarantined);
    assert!(run(&sc.pharmacy, &ScanAction::Receive, &five[2..])
        .iter()
        .all(|r| r.status == LineStatus::Done));
    let dispensed = run(&sc.pharmacy, &ScanAction::Dispense, &five);
    assert_eq!(
        statuses(&dispensed),
        [
            LineStatus::Rejected,
            LineStatus::Rejected,
            LineStatus::Done,
            LineStatus::Done,
            LineStatus::Done
        ]
    );
    assert_eq!(dispensed[0].verification, Some("quarantined"));
    assert_eq!(leaf_of(&singles[4]).1.status, UnitStatus::Dispensed);
    assert!(run(&sc.pharmacy, &ScanAction::Dispense, &five[2..])
        .iter()
        .all(|r| r.status == LineStatus::AlreadyDone));
    // A verify scan names the package as verification does.
    let v = run(&sc.pharmacy, &ScanAction::Verify, &five[..1]);
    assert_eq!(v[0].unit, Some(format!("{tree}#{i0}")));
    assert_eq!(v[0].verification, Some("quarantined"));
}
