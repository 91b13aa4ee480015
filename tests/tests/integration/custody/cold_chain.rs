//! Cold chain: the manufacturer's storage condition, a receipt whose logger summary breaks it
//! quarantines the unit in the same instruction (an item, and a case through the item inside),
//! an in-range log does not, and the attempts to dodge or forge the check are refused.

use super::*;
use caretrail_sdk::custody::cold_chain::{self as cc, Readings};
use caretrail_sdk::custody::{Governing, SensorSummary, StorageConditionArgs};

/// 2–8 °C, no tolerated minutes outside.
pub(super) const FRIDGE: StorageConditionArgs = StorageConditionArgs {
    min_centi_celsius: 200,
    max_centi_celsius: 800,
    tolerated_minutes: 0,
};

pub(super) fn log(temperatures: &[&str]) -> Readings {
    let mut csv = String::from("time,temperature_c\n");
    for (i, t) in temperatures.iter().enumerate() {
        csv.push_str(&format!("{},{t}\n", 1_764_576_000 + 600 * i as i64));
    }
    cc::read_logger_csv(csv.as_bytes()).unwrap()
}

fn sensor_events(out: &caretrail_sdk::TxOutcome) -> Vec<custody::events::SensorRecorded> {
    out.events()
        .into_iter()
        .filter_map(|e| match e {
            CaretrailEvent::Custody(CustodyEvent::SensorRecorded(s)) => Some(s),
            _ => None,
        })
        .collect()
}

/// Packages of the supply chain's lot commissioned and shipped to the distributor.
fn shipped(h: &Harness, sc: &SupplyChain, serials: &[&str]) -> Vec<Pubkey> {
    let units = h.commission(sc, serials);
    for u in &units {
        h.custody()
            .ship(&sc.manufacturer, &sc.distributor.pubkey(), u, ship_args())
            .unwrap();
    }
    units
}

#[test]
fn only_the_lots_manufacturer_sets_a_valid_storage_condition() {
    let h = Harness::new();
    let sc = h.supply_chain();
    expect_error(
        h.custody()
            .set_storage_condition(&sc.distributor, &sc.lot, FRIDGE),
        &CUSTODY,
        CustodyError::Unauthorized,
    );
    expect_error(
        h.custody().set_storage_condition(
            &sc.manufacturer,
            &sc.lot,
            StorageConditionArgs {
                min_centi_celsius: 800,
                max_centi_celsius: 800,
                tolerated_minutes: 0,
            },
        ),
        &CUSTODY,
        CustodyError::InvalidStorageCondition,
    );
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let c = cc::fetch_storage(&h.ledger, &sc.lot).unwrap().unwrap();
    assert_eq!(
        (
            c.lot,
            c.min_centi_celsius,
            c.max_centi_celsius,
            c.tolerated_minutes,
            c.set_by
        ),
        (sc.lot, 200, 800, 0, sc.manufacturer.pubkey())
    );
    // Changed later: the same account, rewritten.
    h.custody()
        .set_storage_condition(
            &sc.manufacturer,
            &sc.lot,
            StorageConditionArgs {
                tolerated_minutes: 30,
                ..FRIDGE
            },
        )
        .unwrap();
    assert_eq!(
        cc::fetch_storage(&h.ledger, &sc.lot)
            .unwrap()
            .unwrap()
            .tolerated_minutes,
        30
    );
}

#[test]
fn an_excursion_quarantines_at_receipt_and_an_in_range_log_does_not() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let units = shipped(&h, &sc, &["COLD1", "COLD2"]);
    // In range all the way: received, active.
    let fine = log(&["4.0", "5.5", "7.9", "2.0"]);
    let out = h
        .custody()
        .receive_with_sensor(&sc.distributor, &units[0], &fine)
        .unwrap();
    let u = unit(&h, &units[0]);
    assert_eq!(
        (u.status, u.holder),
        (UnitStatus::Active, sc.distributor.pubkey())
    );
    assert!(cus::fetch_quarantine(&h.ledger, &units[0])
        .unwrap()
        .is_none());
    let ev = sensor_events(&out);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (
            ev[0].stage,
            ev[0].excursion,
            ev[0].min_centi_celsius,
            ev[0].max_centi_celsius
        ),
        (1, false, 200, 790)
    );
    assert_eq!(ev[0].storage, cus::storage_pda(&sc.lot).0);
    assert_eq!(ev[0].logger_hash, fine.file_hash);

    // 20 minutes at 11 °C: quarantined in the receiving instruction, the receiver named.
    let warm = log(&["4.0", "11.0", "11.0", "6.0"]);
    let out = h
        .custody()
        .receive_with_sensor(&sc.distributor, &units[1], &warm)
        .unwrap();
    let u = unit(&h, &units[1]);
    assert_eq!(
        (u.status, u.holder, u.status_before_quarantine, u.hop_count),
        (
            UnitStatus::Quarantined,
            sc.distributor.pubkey(),
            UnitStatus::Active,
            1
        )
    );
    let record = cus::fetch_quarantine(&h.ledger, &units[1])
        .unwrap()
        .unwrap();
    assert_eq!(
        (record.flagged_by, record.reason_code, record.by_regulator),
        (
            sc.distributor.pubkey(),
            custody::constants::REASON_TEMPERATURE_EXCURSION,
            false
        )
    );
    let ev = sensor_events(&out);
    assert_eq!((ev[0].excursion, ev[0].minutes_outside), (true, 20));
    assert!(out.events().iter().any(|e| matches!(e,
        CaretrailEvent::Custody(CustodyEvent::SuspectFlagged(f)) if f.reason_code == 900)));
    assert_eq!(
        cus::verify(&h.ledger, &code("COLD2"), None).unwrap().name(),
        "quarantined"
    );
    // Nothing moves until the investigation clears it (the receiver flagged it).
    expect_error(
        h.custody().ship(
            &sc.distributor,
            &sc.pharmacy.pubkey(),
            &units[1],
            ship_args(),
        ),
        &CUSTODY,
        CustodyError::UnitQuarantined,
    );
    h.custody()
        .clear_suspect(&sc.distributor, &units[1])
        .unwrap();
    assert_eq!(unit(&h, &units[1]).status, UnitStatus::Active);
}

#[test]
fn a_case_is_checked_against_the_lot_travelling_in_it() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let units = h.commission(&sc, &["CASE1", "CASE2"]);
    let s = sscc("77");
    h.custody()
        .create_aggregate(&sc.manufacturer, s, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&s).0;
    h.custody()
        .aggregate(&sc.manufacturer, &case, &units)
        .unwrap();
    h.custody()
        .ship(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &case,
            ship_args(),
        )
        .unwrap();
    assert_eq!(
        cc::governing(&h.ledger, &case).unwrap(),
        Governing::Inside {
            path: vec![*units.iter().min().unwrap()],
            lot: sc.lot
        }
    );
    h.custody()
        .receive_with_sensor(&sc.distributor, &case, &log(&["4", "-1.5", "3"]))
        .unwrap();
    assert_eq!(unit(&h, &case).status, UnitStatus::Quarantined);
    for u in &units {
        assert_eq!(
            cus::verify(
                &h.ledger,
                &code(if *u == units[0] { "CASE1" } else { "CASE2" }),
                None
            )
            .unwrap()
            .name(),
            "quarantined"
        );
    }
}

#[test]
fn the_check_cannot_be_dodged_or_fed_a_forged_summary() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    // Another lot, without a condition.
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "WARM", (2027, 12, 31)),
        )
        .unwrap();
    let other = cus::lot_pda(&sc.gtin, "WARM").0;
    let u = shipped(&h, &sc, &["DODGE"])[0];
    let warm = log(&["12", "12"]).summary(Some((200, 800)));
    let send = |governing: &Governing, summary: SensorSummary| {
        let payer = h.payer.pubkey();
        let pending = cus::PendingHop {
            unit: &u,
            hop_index: 0,
            payer: &payer,
        };
        let mut ix =
            cus::receive_with_sensor_ix(&sc.distributor.pubkey(), &pending, governing, summary);
        // Keep the item's own lot account; only the storage condition is swapped.
        meta(&mut ix, "lot").pubkey = sc.lot;
        h.send(&[&sc.distributor], &[ix])
    };
    // Another lot's (empty) condition address, or the system program: refused.
    expect_error(
        send(&Governing::Item { lot: other }, warm),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    expect_error(
        send(&Governing::Nothing, warm),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    // A summary no logger writes.
    for forged in [
        SensorSummary {
            readings: 0,
            ..warm
        },
        SensorSummary {
            mean_centi_celsius: 2000,
            ..warm
        },
        SensorSummary {
            logger_hash: [0; 32],
            ..warm
        },
    ] {
        expect_error(
            send(&Governing::Item { lot: sc.lot }, forged),
            &CUSTODY,
            CustodyError::InvalidSensorSummary,
        );
    }
    // Only the addressee receives; only the sender records at shipping.
    expect_error(
        h.send(
            &[&sc.pharmacy],
            &[cus::receive_with_sensor_ix(
                &sc.pharmacy.pubkey(),
                &cus::PendingHop {
                    unit: &u,
                    hop_index: 0,
                    payer: &h.payer.pubkey(),
                },
                &Governing::Item { lot: sc.lot },
                warm,
            )],
        ),
        &CUSTODY,
        CustodyError::NotAddressee,
    );
    expect_error(
        h.custody().record_sensor(&sc.pharmacy, &u, warm),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    let shipped = h
        .custody()
        .record_sensor(&sc.manufacturer, &u, warm)
        .unwrap();
    assert_eq!(sensor_events(&shipped)[0].stage, 0);
    // Shipping with a logger: the shipment and its summary in one transaction.
    let v = h.commission(&sc, &["SHIPLOG"])[0];
    let out = h
        .custody()
        .ship_with_sensor(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &v,
            ship_args(),
            &log(&["4", "5"]),
        )
        .unwrap();
    let ev = sensor_events(&out);
    assert_eq!((ev[0].stage, ev[0].index, ev[0].excursion), (0, 0, false));
    assert_eq!(unit(&h, &v).status, UnitStatus::InTransit);
    // The honest receipt quarantines it.
    send(&Governing::Item { lot: sc.lot }, warm).unwrap();
    assert_eq!(unit(&h, &u).status, UnitStatus::Quarantined);
}

#[test]
fn a_receiving_scan_with_a_logger_file_checks_every_receipt() {
    use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let units = shipped(&h, &sc, &["SCAN1", "SCAN2"]);
    let lines = scan::scan_lines(
        &["SCAN1", "SCAN2"]
            .iter()
            .map(|s| format!("(01){GTIN}(17)271231(10){LOT}(21){s}"))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let action = ScanAction::ReceiveSensed(Box::new(log(&["5", "9", "9", "5"])));
    let results = scan::run(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &action,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(
        results.iter().all(|r| r.status == LineStatus::Done),
        "{results:?}"
    );
    for u in &units {
        let u = unit(&h, u);
        assert_eq!(
            (u.status, u.holder),
            (UnitStatus::Quarantined, sc.distributor.pubkey())
        );
    }
    // Safe to re-run: both already received.
    let again = scan::run(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &action,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(
        again.iter().all(|r| r.status == LineStatus::AlreadyDone),
        "{again:?}"
    );
}
