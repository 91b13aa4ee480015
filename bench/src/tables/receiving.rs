//! Receiving a pallet against its shipment document (`custody scan --receive --expect`), and
//! the DSCSA VRS over loopback.

use crate::{rate, Table};
use caretrail_sdk::custody::epcis_export::{shipment_document, Codes};
use caretrail_sdk::custody::master_data::MasterData;
use caretrail_sdk::custody::reconcile::{receive_against, Expected};
use caretrail_sdk::custody::vrs::{Requester, Responder};
use caretrail_sdk::custody::{self as cus, epcis_import, UnitKind};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_sdk::Ledger;
use caretrail_tests::{ship_args, sscc, Harness, GTIN, LOT};
use solana_sdk::signature::Signer;
use std::sync::Arc;
use std::time::Instant;

/// A pallet of `n` packages in cases of 20, shipped to the distributor under ASN-0001, and the
/// packages' codes (the dock scans every package, then the pallet).
fn pallet(h: &Harness, sc: &caretrail_tests::SupplyChain, n: usize) -> Vec<String> {
    let serials: Vec<String> = (0..n).map(|i| format!("P{i:06}")).collect();
    let units = h.commission(sc, &serials.iter().map(String::as_str).collect::<Vec<_>>());
    let pallet_sscc = sscc("999999");
    h.custody()
        .create_aggregate(&sc.manufacturer, pallet_sscc, UnitKind::Pallet)
        .unwrap();
    let pallet = cus::sscc_pda(&pallet_sscc).0;
    let mut cases = Vec::new();
    for (i, chunk) in units.chunks(20).enumerate() {
        let s = sscc(&format!("{}", i + 1));
        h.custody()
            .create_aggregate(&sc.manufacturer, s, UnitKind::Case)
            .unwrap();
        let case = cus::sscc_pda(&s).0;
        h.custody()
            .aggregate(&sc.manufacturer, &case, chunk)
            .unwrap();
        cases.push(case);
    }
    for chunk in cases.chunks(20) {
        h.custody()
            .aggregate(&sc.manufacturer, &pallet, chunk)
            .unwrap();
    }
    h.custody()
        .ship(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &pallet,
            ship_args(),
        )
        .unwrap();
    let mut codes: Vec<String> = serials
        .iter()
        .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
        .collect();
    codes.push(format!("(00){}", String::from_utf8_lossy(&pallet_sscc)));
    codes
}

/// Receiving a pallet of n packages by scanning every package: against the sender's EPCIS
/// document (export, import, reconcile, receive) and without one.
pub(crate) fn receiving(quick: bool) -> Table {
    let mut t = Table::new(
        "Receiving a pallet against its shipment document (every package scanned, cases of 20)",
        &[
            "packages",
            "document: export + import (s)",
            "--expect: lines/s",
            "plain --receive: lines/s",
            "received",
            "shortage",
        ],
    );
    let sizes: &[usize] = if quick { &[100] } else { &[100, 1_000] };
    for &n in sizes {
        let mut rates = Vec::new();
        let mut doc_secs = 0.0;
        let mut outcome = (0, 0);
        for against in [true, false] {
            let h = Harness::new();
            let sc = h.supply_chain();
            let codes = pallet(&h, &sc, n);
            let lines = scan::scan_lines(&codes.join("\n"));
            if against {
                let tm = Instant::now();
                let doc = shipment_document(
                    &h.ledger,
                    &sc.manufacturer.pubkey(),
                    "ASN-0001",
                    &Codes::from_lines(&codes.join("\n")).unwrap(),
                    &MasterData::default(),
                )
                .unwrap();
                let imported = epcis_import::import(doc.to_xml().as_bytes()).unwrap();
                let expected = Expected::from_document(&imported).unwrap();
                doc_secs = tm.elapsed().as_secs_f64();
                let tm = Instant::now();
                let r = receive_against(
                    &h.ledger,
                    &sc.distributor,
                    &sc.distributor,
                    &expected,
                    false,
                    &lines,
                    &mut Quiet,
                )
                .unwrap();
                rates.push(rate(lines.len(), tm.elapsed().as_secs_f64()));
                outcome = (r.received.len(), r.shortage.len());
                assert!(r.is_clean(), "{:?}", r.reports()[0].summary);
            } else {
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
                rates.push(rate(lines.len(), tm.elapsed().as_secs_f64()));
                assert!(r.iter().all(|x| x.status != LineStatus::Rejected));
            }
        }
        t.row(vec![
            n.to_string(),
            format!("{doc_secs:.2}"),
            rates[0].clone(),
            rates[1].clone(),
            outcome.0.to_string(),
            outcome.1.to_string(),
        ]);
    }
    t
}

/// VRS verifications over loopback: `caretrail serve`'s responder, the SDK's requester, one
/// request after another (a new connection each).
pub(crate) fn vrs(quick: bool) -> Table {
    let mut t = Table::new(
        "DSCSA VRS over loopback (caretrail serve responder, SDK requester, sequential)",
        &["requests", "verifications/s", "all genuine"],
    );
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["V1"]);
    h.hop(&sc.manufacturer, &sc.distributor, &units[0]);
    let responder = Responder::new(&h.ledger, sc.manufacturer.pubkey()).unwrap();
    let gln = caretrail_sdk::registry::gln_str(
        &caretrail_sdk::registry::fetch_participant(&h.ledger, &sc.distributor.pubkey())
            .unwrap()
            .unwrap()
            .gln,
    );
    let ledger: Arc<dyn Ledger> = h.ledger.clone();
    let app = caretrail_serve::router(
        ledger,
        caretrail_serve::Config {
            log_requests: false,
            vrs: Some(Arc::new(
                caretrail_serve::vrs::VrsConfig::new(responder, None).unwrap(),
            )),
            ..Default::default()
        },
    )
    .unwrap();
    let server = caretrail_serve::Background::start(app).unwrap();
    let requester = Requester::new(&format!("http://{}/vrs", server.addr), &gln).unwrap();
    let code = caretrail_sdk::gs1::parse(&format!("(01){GTIN}(17)271231(10){LOT}(21)V1")).unwrap();
    let n = if quick { 50 } else { 500 };
    let tm = Instant::now();
    let genuine = (0..n)
        .filter(|_| requester.verify(&code).unwrap().result == "genuine")
        .count();
    t.row(vec![
        n.to_string(),
        rate(n, tm.elapsed().as_secs_f64()),
        (genuine == n).to_string(),
    ]);
    t
}
