use super::*;

#[test]
fn a_serial_number_never_reaches_the_ledger() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let serial = "SERIAL-SECRET-42";
    let u = h.commission(&sc, &[serial])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    let dump = serde_json::to_string(&h.ledger.dump().unwrap()).unwrap();
    assert!(!dump.contains(serial));
    for a in h.ledger.dump().unwrap().accounts {
        assert!(!a
            .data_base64
            .windows(serial.len())
            .any(|w| w == serial.as_bytes()));
    }
}

#[test]
fn verification_names_every_counterfeit_and_diversion_signal() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["G1", "G2", "G3", "G4"]);
    h.hop(&sc.manufacturer, &sc.distributor, &units[0]);
    assert_eq!(
        verify(&h, &code("G1"), Some(&sc.distributor)).name(),
        "genuine"
    );
    assert_eq!(
        verify(&h, &code("G1"), Some(&sc.pharmacy)).name(),
        "held_by_another"
    );
    assert_eq!(
        verify(&h, &code("NEVER-MADE"), None).name(),
        "unknown_serial"
    );
    let mut relabelled = code("G2");
    relabelled.lot = Some("LOT-Z".into());
    assert_eq!(
        verify(&h, &relabelled, None),
        cus::Verification::LabelMismatch {
            unit: units[1].to_string(),
            field: "lot"
        }
    );
    relabelled = code("G2");
    relabelled.expiry = Some(caretrail_sdk::gs1::Date {
        year: 2029,
        month: 1,
        day: 31,
    });
    assert_eq!(verify(&h, &relabelled, None).name(), "label_mismatch");
    h.custody()
        .flag_suspect(&sc.manufacturer, &units[1], 1)
        .unwrap();
    assert_eq!(verify(&h, &code("G2"), None).name(), "quarantined");
    h.hop(&sc.manufacturer, &sc.pharmacy, &units[2]);
    h.custody().dispense(&sc.pharmacy, &units[2]).unwrap();
    assert_eq!(verify(&h, &code("G3"), None).name(), "already_dispensed");
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 4)
        .unwrap();
    assert_eq!(
        verify(&h, &code("G4"), None),
        cus::Verification::LotRecalled {
            unit: units[3].to_string(),
            lot: sc.lot.to_string(),
            reason_code: 4
        }
    );
}

#[test]
fn verification_of_expired_and_packed_units() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["E1", "E2"]);
    let c = sscc("9");
    h.custody()
        .create_aggregate(&sc.manufacturer, c, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&c).0;
    h.custody()
        .aggregate(&sc.manufacturer, &case, &units[..1])
        .unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &case);
    match verify(&h, &code("E1"), Some(&sc.distributor)) {
        cus::Verification::Genuine { inside, holder, .. } => {
            assert_eq!(inside, Some(case.to_string()));
            assert_eq!(holder, sc.distributor.pubkey().to_string());
        }
        other => panic!("{other:?}"),
    }
    let case_code =
        caretrail_sdk::gs1::parse_with_year(&format!("00{}", String::from_utf8_lossy(&c)), 2026)
            .unwrap();
    assert!(verify(&h, &case_code, Some(&sc.distributor)).is_genuine());
    h.ledger.set_clock(lot(&h, &sc.lot).expires_at).unwrap();
    assert_eq!(
        verify(&h, &code("E2"), None),
        cus::Verification::Expired {
            unit: units[1].to_string(),
            expired_on: "2027-12-31".into()
        }
    );
}

#[test]
fn history_follows_the_unit_through_its_case_and_exports_epcis() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["H1", "H2"]);
    let c = sscc("7");
    h.custody()
        .create_aggregate(&sc.manufacturer, c, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&c).0;
    h.custody()
        .aggregate(&sc.manufacturer, &case, &units)
        .unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &case);
    h.custody()
        .disaggregate(&sc.distributor, &case, &units)
        .unwrap();
    h.hop(&sc.distributor, &sc.pharmacy, &units[0]);
    h.custody().dispense(&sc.pharmacy, &units[0]).unwrap();

    let history = caretrail_sdk::epcis::unit_history(&h.ledger, &units[0]).unwrap();
    let names: Vec<&str> = history
        .iter()
        .map(|e| caretrail_sdk::events::CaretrailEvent::Custody(e.event.clone()).name())
        .collect();
    assert_eq!(
        names,
        [
            "UnitsCommissioned",
            "Packed",
            "Shipped",
            "Received",
            "Unpacked",
            "Shipped",
            "Received",
            "Dispensed"
        ]
    );
    assert_eq!(history[2].via, Some(case));
    assert_eq!(history[5].via, None);

    let doc = caretrail_sdk::epcis::export_unit_history(&h.ledger, &code("H1")).unwrap();
    assert_eq!(doc["@context"][0], caretrail_sdk::epcis::EPCIS_CONTEXT);
    assert_eq!(
        (doc["type"].as_str(), doc["schemaVersion"].as_str()),
        (Some("EPCISDocument"), Some("2.0"))
    );
    let events = doc["epcisBody"]["eventList"].as_array().unwrap();
    let steps: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["type"].as_str().unwrap(), e["bizStep"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            ("ObjectEvent", "commissioning"),
            ("AggregationEvent", "packing"),
            ("ObjectEvent", "shipping"),
            ("ObjectEvent", "receiving"),
            ("AggregationEvent", "unpacking"),
            ("ObjectEvent", "shipping"),
            ("ObjectEvent", "receiving"),
            ("ObjectEvent", "dispensing"),
        ]
    );
    let epc = format!("https://id.gs1.org/01/{GTIN}/21/H1");
    assert_eq!(events[0]["epcList"][0], epc.as_str());
    assert_eq!(events[0]["ilmd"]["cbvmda:lotNumber"], LOT);
    assert_eq!(events[0]["ilmd"]["cbvmda:itemExpirationDate"], "2027-12-31");
    assert_eq!(
        events[1]["parentID"],
        format!("https://id.gs1.org/00/{}", String::from_utf8_lossy(&c)).as_str()
    );
    assert_eq!(
        events[2]["readPoint"]["id"],
        "https://id.gs1.org/414/0614141000005"
    );
    assert_eq!(
        events[2]["sourceList"][0]["source"],
        "https://id.gs1.org/417/0614141000005"
    );
    assert_eq!(events[7]["disposition"], "dispensed");
    for e in events {
        assert!(e["eventID"].as_str().unwrap().starts_with("ni:///sha-256;"));
        assert!(e["eventTime"].as_str().unwrap().ends_with('Z'));
    }
}

#[test]
fn a_saleable_return_is_verified_at_receipt() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["R1"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    h.hop(&sc.distributor, &sc.pharmacy, &u);
    let mut args = ship_args();
    args.is_return = true;
    let out = h
        .custody()
        .ship(&sc.pharmacy, &sc.distributor.pubkey(), &u, args.clone())
        .unwrap();
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::Shipped(e))] if e.is_return)
    );
    h.custody().receive(&sc.distributor, &u).unwrap();
    assert_eq!(unit(&h, &u).holder, sc.distributor.pubkey());
    // A return of a recalled unit fails verification at receipt and goes back.
    h.ship(&sc.distributor, &sc.pharmacy, &u);
    h.custody().receive(&sc.pharmacy, &u).unwrap();
    h.custody()
        .ship(&sc.pharmacy, &sc.distributor.pubkey(), &u, args)
        .unwrap();
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 8)
        .unwrap();
    expect_error(
        h.custody().receive(&sc.distributor, &u),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
}

/// A saleable return is verified per package: a case cannot be "returned" unchecked, and a
/// returned package whose lot was recalled (or that expired) in transit is refused at receipt.
#[test]
fn saleable_returns_are_items_and_verified_at_receipt() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["R1", "R2"]);
    for u in &units {
        h.hop(&sc.manufacturer, &sc.distributor, u);
        h.hop(&sc.distributor, &sc.pharmacy, u);
    }
    h.license_prefix(&sc.authority, "0614149", &sc.pharmacy.pubkey());
    let case_id = sscc_under("0614149", "55");
    h.custody()
        .create_aggregate(&sc.pharmacy, case_id, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&case_id).0;
    h.custody()
        .aggregate(&sc.pharmacy, &case, &[units[1]])
        .unwrap();
    expect_error(
        h.custody()
            .ship(&sc.pharmacy, &sc.distributor.pubkey(), &case, return_args()),
        &CUSTODY,
        CustodyError::ReturnNotAnItem,
    );
    // An item returned, then its lot recalled while in transit: the return is refused.
    h.custody()
        .ship(
            &sc.pharmacy,
            &sc.distributor.pubkey(),
            &units[0],
            return_args(),
        )
        .unwrap();
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 3)
        .unwrap();
    expect_error(
        h.custody().receive(&sc.distributor, &units[0]),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
}

/// Verification tells a code under a prefix nobody holds from an unknown serial of a real
/// company.
#[test]
fn verification_reports_a_code_whose_prefix_nobody_holds() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.commission(&sc, &["V1"]);
    let genuine_brand = caretrail_sdk::gs1::parse("(01)09501101020917(21)NEVER").unwrap();
    let v = cus::verify(&h.ledger, &genuine_brand, None).unwrap();
    assert_eq!(v.name(), "unknown_serial");
    let nobodys = caretrail_sdk::gs1::parse("(01)00361414123458(21)X1").unwrap();
    let v = cus::verify(&h.ledger, &nobodys, None).unwrap();
    assert_eq!(v.name(), "unknown_prefix");
}
