//! Off-chain hot paths (barcode parsing, verification, EPCIS export).

use crate::{rate, Table};
use caretrail_sdk::consent::{self as con};
use caretrail_tests::{treatment_scope, Harness, GTIN, LOT};
use solana_sdk::signature::Signer;
use std::time::Instant;

/// Off-chain hot paths.
pub(crate) fn hot_paths(quick: bool) -> Table {
    let mut t = Table::new("Off-chain hot paths", &["operation", "rate or latency"]);
    let codes = [
        format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21SN0001"),
        format!("(01){GTIN}(17)271231(10){LOT}(21)SN0001"),
        format!("https://id.gs1.org/01/{GTIN}/10/{LOT}/21/SN0001?17=271231"),
        "(00)106141411234567897".to_string(),
    ];
    let n = if quick { 20_000 } else { 400_000 };
    let tm = Instant::now();
    for i in 0..n {
        assert!(caretrail_sdk::gs1::parse_with_year(&codes[i % codes.len()], 2026).is_ok());
    }
    t.row(vec![
        "GS1 parse (mixed notations)".into(),
        format!("{} parses/s", rate(n, tm.elapsed().as_secs_f64())),
    ]);
    // EPCIS export of a 100-hop history.
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["HIST"])[0];
    for _ in 0..50 {
        h.hop(&sc.manufacturer, &sc.distributor, &u);
        h.hop(&sc.distributor, &sc.manufacturer, &u);
    }
    let code = caretrail_sdk::gs1::parse_with_year(
        &format!("(01){GTIN}(17)271231(10){LOT}(21)HIST"),
        2026,
    )
    .unwrap();
    let tm = Instant::now();
    let doc = caretrail_sdk::epcis::export_unit_history(&h.ledger, &code).unwrap();
    let events = doc["epcisBody"]["eventList"].as_array().unwrap().len();
    t.row(vec![
        format!("EPCIS export of a 100-hop history ({events} events)"),
        format!("{:.1} ms", tm.elapsed().as_secs_f64() * 1e3),
    ]);
    // FHIR exports and check_access.
    let h = Harness::new();
    let team = h.care_team();
    let g = h.grant(&team, &team.provider, 1, treatment_scope(), 30);
    let grant = con::fetch_grant(&h.ledger, &g).unwrap().unwrap();
    let tm = Instant::now();
    for _ in 0..10_000 {
        std::hint::black_box(caretrail_sdk::fhir::consent_resource(&g, &grant, 0));
    }
    t.row(vec![
        "FHIR Consent export".into(),
        format!("{:.1} µs", tm.elapsed().as_secs_f64() * 1e6 / 10_000.0),
    ]);
    let tm = Instant::now();
    let k = 200;
    for _ in 0..k {
        assert!(con::check_access(
            &h.ledger,
            &team.patient.pubkey(),
            &team.provider.pubkey(),
            con::class::LABS,
            con::action::ACCESS,
            con::purpose::TREAT
        )
        .unwrap()
        .is_permit());
    }
    t.row(vec![
        "check_access (embedded ledger)".into(),
        format!("{:.2} ms", tm.elapsed().as_secs_f64() * 1e3 / k as f64),
    ]);
    t
}
