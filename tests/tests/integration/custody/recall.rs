use super::*;

#[test]
fn recalled_lot_stops_hops_and_dispensing() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1", "S2"]);
    h.hop(&sc.manufacturer, &sc.pharmacy, &units[1]);
    let out = h
        .custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 11)
        .unwrap();
    let l = lot(&h, &sc.lot);
    assert_eq!(
        (l.status, l.recalled_at, l.recall_reason),
        (LotStatus::Recalled, T0, 11)
    );
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::LotRecalled(e))] if e.reason_code == 11)
    );
    let r = h.custody().ship(
        &sc.manufacturer,
        &sc.distributor.pubkey(),
        &units[0],
        ship_args(),
    );
    expect_error(r, &CUSTODY, CustodyError::LotRecalled);
    expect_error(
        h.custody().dispense(&sc.pharmacy, &units[1]),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
    let r = h.custody().commission(
        &sc.manufacturer,
        &sc.lot,
        vec![cus::serial_hash(&sc.gtin, "S3")],
    );
    expect_error(r, &CUSTODY, CustodyError::LotRecalled);
    expect_error(
        h.custody().recall_lot(&sc.regulator, &sc.lot, 1),
        &CUSTODY,
        CustodyError::AlreadyRecalled,
    );
}

#[test]
fn a_unit_recalled_in_transit_cannot_be_received() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    h.custody().recall_lot(&sc.regulator, &sc.lot, 2).unwrap();
    expect_error(
        h.custody().receive(&sc.distributor, &u),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
    // It can still be refused back to the sender.
    h.custody().refuse(&sc.distributor, &u, 2).unwrap();
}

#[test]
fn recall_by_anyone_else_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    expect_error(
        h.custody().recall_lot(&sc.distributor, &sc.lot, 1),
        &CUSTODY,
        CustodyError::RoleNotAllowed,
    );
}

#[test]
fn expired_units_do_not_move() {
    let h = Harness::new();
    let mut sc = h.supply_chain();
    // A short-dated lot, expiring while every party's credential is still valid.
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "SHORT", (2026, 12, 31)),
        )
        .unwrap();
    sc.lot = cus::lot_pda(&sc.gtin, "SHORT").0;
    let units = h.commission(&sc, &["S1", "S2"]);
    h.hop(&sc.manufacturer, &sc.pharmacy, &units[1]);
    h.ledger.set_clock(lot(&h, &sc.lot).expires_at - 1).unwrap();
    h.ship(&sc.manufacturer, &sc.distributor, &units[0]);
    h.custody().refuse(&sc.distributor, &units[0], 1).unwrap();
    h.ledger.set_clock(lot(&h, &sc.lot).expires_at).unwrap();
    let r = h.custody().ship(
        &sc.manufacturer,
        &sc.distributor.pubkey(),
        &units[0],
        ship_args(),
    );
    expect_error(r, &CUSTODY, CustodyError::UnitExpired);
    expect_error(
        h.custody().dispense(&sc.pharmacy, &units[1]),
        &CUSTODY,
        CustodyError::UnitExpired,
    );
}
