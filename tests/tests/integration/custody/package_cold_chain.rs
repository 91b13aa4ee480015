//! Cold chain for compressed packages: a loose package received with a logger summary that
//! breaks its lot's storage condition is quarantined in the receiving instruction, an
//! in-range log is not; a case or pallet of packages is checked against the lot of a package
//! proven to travel in it; and the attempts to dodge the check are refused with exact codes.

use super::cold_chain::{log, FRIDGE};
use super::packages::{cases_of_packages, leaf, tree_with};
use super::*;
use caretrail_sdk::custody::cold_chain as cc;
use caretrail_sdk::custody::{Governing, PackageTreeIndex, Resolution, SensorSummary};
use custody::events::PackageSensorRecorded;

fn package_sensor_events(out: &caretrail_sdk::TxOutcome) -> Vec<PackageSensorRecorded> {
    out.events()
        .into_iter()
        .filter_map(|e| match e {
            CaretrailEvent::Custody(CustodyEvent::PackageSensorRecorded(s)) => Some(s),
            _ => None,
        })
        .collect()
}

fn package_quarantine(
    h: &Harness,
    tree: &Pubkey,
    index: u32,
) -> Option<custody::state::Quarantine> {
    caretrail_sdk::account::fetch_owned(
        &h.ledger,
        &cus::package_quarantine_pda(tree, index).0,
        &CUSTODY,
    )
    .unwrap()
}

/// A tree of `n` loose packages of the fixture lot, all shipped to the distributor.
fn shipped_packages(h: &Harness, sc: &SupplyChain, n: usize) -> (Pubkey, Vec<[u8; 32]>) {
    let (tree, hs) = tree_with(h, sc, n);
    for p in &hs {
        h.custody()
            .ship_package(
                &sc.manufacturer,
                &tree,
                p,
                &sc.distributor.pubkey(),
                &package_shipment(),
            )
            .unwrap();
    }
    (tree, hs)
}

#[test]
fn a_loose_package_is_quarantined_at_receipt_on_an_excursion_and_not_in_range() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let (tree, hs) = shipped_packages(&h, &sc, 2);
    let dist = sc.distributor.pubkey();

    // In range all the way: received, active, the hop closed.
    let fine = log(&["4.0", "5.5", "7.9", "2.0"]);
    let out = h
        .custody()
        .receive_package_with_sensor(&sc.distributor, &tree, &hs[0], &fine)
        .unwrap();
    let (i, l) = leaf(&h, &tree, &hs[0]);
    assert_eq!(
        (l.status, l.holder, l.hop_count),
        (UnitStatus::Active, dist, 1)
    );
    assert!(package_quarantine(&h, &tree, i).is_none());
    assert!(h
        .ledger
        .get_account(&cus::package_hop_pda(&tree, i, 0).0)
        .unwrap()
        .is_none());
    let ev = package_sensor_events(&out);
    assert_eq!(ev.len(), 1);
    assert_eq!(
        (
            ev[0].tree,
            ev[0].index,
            ev[0].hop_index,
            ev[0].by,
            ev[0].excursion,
            ev[0].min_centi_celsius,
            ev[0].max_centi_celsius,
            ev[0].minutes_outside,
            ev[0].storage,
            ev[0].logger_hash
        ),
        (
            tree,
            i,
            0,
            dist,
            false,
            200,
            790,
            0,
            cus::storage_pda(&sc.lot).0,
            fine.file_hash
        )
    );

    // 20 minutes at 11 °C: quarantined in the receiving instruction, the receiver named.
    let warm = log(&["4.0", "11.0", "11.0", "6.0"]);
    let out = h
        .custody()
        .receive_package_with_sensor(&sc.distributor, &tree, &hs[1], &warm)
        .unwrap();
    let (j, l) = leaf(&h, &tree, &hs[1]);
    assert_eq!(
        (l.status, l.status_before_quarantine, l.holder, l.hop_count),
        (UnitStatus::Quarantined, UnitStatus::Active, dist, 1)
    );
    let record = package_quarantine(&h, &tree, j).unwrap();
    assert_eq!(
        (
            record.unit,
            record.flagged_by,
            record.reason_code,
            record.by_regulator
        ),
        (
            tree,
            dist,
            custody::constants::REASON_TEMPERATURE_EXCURSION,
            false
        )
    );
    let ev = package_sensor_events(&out);
    assert_eq!((ev[0].excursion, ev[0].minutes_outside), (true, 20));
    assert!(out.events().iter().any(|e| matches!(e,
        CaretrailEvent::Custody(CustodyEvent::PackageStatusChanged(c))
            if c.reason_code == 900 && c.leaf.status == UnitStatus::Quarantined)));
    // The index rebuilt from the events agrees with the chain.
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    assert_eq!(index.leaf(j).unwrap().status, UnitStatus::Quarantined);
    let serial = (0..2)
        .map(|k| format!("P{k:05}"))
        .find(|s| cus::serial_hash(&sc.gtin, s) == hs[1])
        .unwrap();
    assert_eq!(verify(&h, &code(&serial), None).name(), "quarantined");
    // Nothing moves until the investigation clears it (the receiver flagged it).
    expect_error(
        h.custody().ship_package(
            &sc.distributor,
            &tree,
            &hs[1],
            &sc.pharmacy.pubkey(),
            &package_shipment(),
        ),
        &CUSTODY,
        CustodyError::UnitQuarantined,
    );
    h.custody()
        .resolve_package(&sc.distributor, &tree, &hs[1], Resolution::Clear)
        .unwrap();
    assert_eq!(leaf(&h, &tree, &hs[1]).1.status, UnitStatus::Active);
    assert!(package_quarantine(&h, &tree, j).is_none());
}

#[test]
fn a_case_or_pallet_of_packages_is_checked_against_the_lot_of_a_package_inside() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    let (tree, cases, _) = cases_of_packages(&h, &sc, 2, 500);
    // Case 0 travels alone; case 1 on a pallet.
    let p = sscc("900");
    h.custody()
        .create_aggregate(&sc.manufacturer, p, UnitKind::Pallet)
        .unwrap();
    let pallet = cus::sscc_pda(&p).0;
    h.custody()
        .aggregate(&sc.manufacturer, &pallet, &cases[1..])
        .unwrap();
    for agg in [&cases[0], &pallet] {
        h.custody()
            .ship(&sc.manufacturer, &sc.distributor.pubkey(), agg, ship_args())
            .unwrap();
    }
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    match cc::governing(&h.ledger, &cases[0]).unwrap() {
        Governing::Package {
            tree: t,
            case,
            package,
            lot,
        } => {
            assert_eq!((t, case, lot), (tree, None, sc.lot));
            assert_eq!(package.leaf.parent, cases[0]);
            assert_eq!(package, Box::new(index.prove(package.index).unwrap()));
        }
        other => panic!("a case of packages governs by a package inside: {other:?}"),
    }
    match cc::governing(&h.ledger, &pallet).unwrap() {
        Governing::Package { case, package, .. } => {
            assert_eq!(case, Some(cases[1]));
            assert_eq!(package.leaf.parent, cases[1]);
        }
        other => panic!("a pallet of cases of packages: {other:?}"),
    }
    // An excursion quarantines the case (and so every package in it); the pallet's in-range
    // log leaves it active.
    let out = h
        .custody()
        .receive_with_sensor(&sc.distributor, &cases[0], &log(&["4", "-1.5", "3"]))
        .unwrap();
    let sensed: Vec<_> = out
        .events()
        .into_iter()
        .filter_map(|e| match e {
            CaretrailEvent::Custody(CustodyEvent::SensorRecorded(s)) => Some(s),
            _ => None,
        })
        .collect();
    assert_eq!(
        (sensed[0].unit, sensed[0].excursion, sensed[0].storage),
        (cases[0], true, cus::storage_pda(&sc.lot).0)
    );
    let case = unit(&h, &cases[0]);
    assert_eq!(
        (case.status, case.holder, case.hop_count),
        (UnitStatus::Quarantined, sc.distributor.pubkey(), 1)
    );
    assert_eq!(
        cus::fetch_quarantine(&h.ledger, &cases[0])
            .unwrap()
            .unwrap()
            .reason_code,
        custody::constants::REASON_TEMPERATURE_EXCURSION
    );
    h.custody()
        .receive_with_sensor(&sc.distributor, &pallet, &log(&["3", "4", "5"]))
        .unwrap();
    let pal = unit(&h, &pallet);
    assert_eq!(
        (pal.status, pal.holder),
        (UnitStatus::Active, sc.distributor.pubkey())
    );
    let packed = index
        .leaves()
        .iter()
        .find(|l| l.parent == cases[0])
        .unwrap()
        .serial_hash;
    let serial = (0..40)
        .map(|k| format!("P{k:05}"))
        .find(|s| cus::serial_hash(&sc.gtin, s) == packed)
        .unwrap();
    assert_eq!(verify(&h, &code(&serial), None).name(), "quarantined");
}

#[test]
fn the_package_check_cannot_be_dodged() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.custody()
        .set_storage_condition(&sc.manufacturer, &sc.lot, FRIDGE)
        .unwrap();
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "WARM", (2027, 12, 31)),
        )
        .unwrap();
    let other = cus::lot_pda(&sc.gtin, "WARM").0;
    let warm = log(&["12", "12"]).summary(Some((200, 800)));
    let dist = sc.distributor.pubkey();

    // A loose package: another lot's condition address or the system program is refused; a
    // forged summary too; only the addressee receives.
    let (tree, hs) = shipped_packages(&h, &sc, 1);
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let package = index.prove(index.find(&hs[0]).unwrap()).unwrap();
    let loose = |receiver: &Pubkey, summary: SensorSummary| {
        cus::receive_package_with_sensor_ix(
            receiver,
            &h.payer.pubkey(),
            &tree,
            &sc.lot,
            package.clone(),
            summary,
        )
    };
    for storage in [cus::storage_pda(&other).0, anchor_lang::system_program::ID] {
        let mut ix = loose(&dist, warm);
        meta(&mut ix, "storage").pubkey = storage;
        expect_error(
            h.send(&[&sc.distributor], &[ix]),
            &CUSTODY,
            CustodyError::StorageMismatch,
        );
    }
    expect_error(
        h.send(
            &[&sc.distributor],
            &[loose(
                &dist,
                SensorSummary {
                    readings: 0,
                    ..warm
                },
            )],
        ),
        &CUSTODY,
        CustodyError::InvalidSensorSummary,
    );
    expect_error(
        h.send(&[&sc.pharmacy], &[loose(&sc.pharmacy.pubkey(), warm)]),
        &CUSTODY,
        CustodyError::NotAddressee,
    );
    // A forged state (not the one the tree holds) fails its proof.
    let mut forged = loose(&dist, warm);
    let mut lie = package.clone();
    lie.leaf.hop_count = 0;
    lie.leaf.holder = dist;
    forged.data =
        anchor_lang::InstructionData::data(&custody::instruction::ReceivePackageWithSensor {
            package: lie,
            summary: warm,
        });
    expect_error(
        h.send(&[&sc.distributor], &[forged]),
        &CUSTODY,
        CustodyError::InvalidProof,
    );

    // A case of packages: the proven package must travel in it, its lot's condition applies.
    let (ctree, cases, _) = cases_of_packages(&h, &sc, 2, 700);
    h.custody()
        .ship(&sc.manufacturer, &dist, &cases[0], ship_args())
        .unwrap();
    let cindex = PackageTreeIndex::sync(&h.ledger, &ctree).unwrap();
    let prove_in = |case: &Pubkey| {
        let i = cindex
            .leaves()
            .iter()
            .position(|l| l.parent == *case)
            .unwrap();
        Box::new(cindex.prove(i as u32).unwrap())
    };
    let pending = cus::PendingHop {
        unit: &cases[0],
        hop_index: 0,
        payer: &h.payer.pubkey(),
    };
    let case_ix =
        |governing: &Governing| cus::receive_with_sensor_ix(&dist, &pending, governing, warm);
    let governed = |package, case| Governing::Package {
        tree: ctree,
        case,
        package,
        lot: sc.lot,
    };
    // A package of another case, or a loose package of another tree, proves nothing here.
    expect_error(
        h.send(
            &[&sc.distributor],
            &[case_ix(&governed(prove_in(&cases[1]), None))],
        ),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    let mut ix = case_ix(&governed(Box::new(package.clone()), None));
    meta(&mut ix, "tree").pubkey = tree;
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    // A case named on the path that is not on the aggregate.
    expect_error(
        h.send(
            &[&sc.distributor],
            &[case_ix(&governed(prove_in(&cases[1]), Some(cases[1])))],
        ),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    // Another lot's condition for a package of this lot.
    let mut ix = case_ix(&governed(prove_in(&cases[0]), None));
    meta(&mut ix, "storage").pubkey = cus::storage_pda(&other).0;
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        CustodyError::StorageMismatch,
    );
    // The honest receipt quarantines the case.
    h.send(
        &[&sc.distributor],
        &[case_ix(&governed(prove_in(&cases[0]), None))],
    )
    .unwrap();
    assert_eq!(unit(&h, &cases[0]).status, UnitStatus::Quarantined);
}
