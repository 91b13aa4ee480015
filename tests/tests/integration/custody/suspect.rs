use super::*;

#[test]
fn quarantine_blocks_movement_until_cleared() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    h.custody().flag_suspect(&sc.distributor, &u, 7).unwrap();
    assert_eq!(unit(&h, &u).status, UnitStatus::Quarantined);
    let r = h
        .custody()
        .ship(&sc.distributor, &sc.pharmacy.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, CustodyError::UnitQuarantined);
    // Only the party that quarantined it, or a regulator, clears it (audit finding 9): not
    // the manufacturer, not another partner.
    expect_error(
        h.custody().clear_suspect(&sc.manufacturer, &u),
        &CUSTODY,
        CustodyError::NotTheFlagger,
    );
    expect_error(
        h.custody().clear_suspect(&sc.pharmacy, &u),
        &CUSTODY,
        CustodyError::NotTheFlagger,
    );
    let record = cus::fetch_quarantine(&h.ledger, &u)
        .unwrap()
        .expect("record");
    assert_eq!(
        (record.flagged_by, record.by_regulator, record.reason_code),
        (sc.distributor.pubkey(), false, 7)
    );
    h.custody().clear_suspect(&sc.regulator, &u).unwrap();
    assert_eq!(unit(&h, &u).status, UnitStatus::Active);
    assert!(cus::fetch_quarantine(&h.ledger, &u).unwrap().is_none());
    // The flagger clears its own quarantine; the record's rent goes back to it.
    h.custody().flag_suspect(&sc.distributor, &u, 8).unwrap();
    let before = h.ledger.get_balance(&sc.distributor.pubkey()).unwrap();
    h.custody().clear_suspect(&sc.distributor, &u).unwrap();
    assert!(h.ledger.get_balance(&sc.distributor.pubkey()).unwrap() > before);
    h.hop(&sc.distributor, &sc.pharmacy, &u);
}

#[test]
fn flagging_by_a_stranger_is_rejected_and_a_regulator_may_flag() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    expect_error(
        h.custody().flag_suspect(&sc.pharmacy, &u, 1),
        &CUSTODY,
        CustodyError::RoleNotAllowed,
    );
    h.custody().flag_suspect(&sc.regulator, &u, 1).unwrap();
    expect_error(
        h.custody().flag_suspect(&sc.regulator, &u, 1),
        &CUSTODY,
        CustodyError::UnitQuarantined,
    );
    // The manufacturer cannot clear a regulator's quarantine (audit finding 9); the regulator
    // does.
    expect_error(
        h.custody().clear_suspect(&sc.manufacturer, &u),
        &CUSTODY,
        CustodyError::NotTheFlagger,
    );
    h.custody().clear_suspect(&sc.regulator, &u).unwrap();
    expect_error(
        h.custody().clear_suspect(&sc.regulator, &u),
        &CUSTODY,
        CustodyError::NotQuarantined,
    );
}

#[test]
fn illegitimate_product_is_terminal() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    h.custody().flag_suspect(&sc.distributor, &u, 1).unwrap();
    let out = h
        .custody()
        .declare_illegitimate(&sc.regulator, &u, 99)
        .unwrap();
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::DeclaredIllegitimate(e))] if e.reason_code == 99)
    );
    assert_eq!(unit(&h, &u).status, UnitStatus::Illegitimate);
    let r = h
        .custody()
        .ship(&sc.distributor, &sc.pharmacy.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, CustodyError::UnitIllegitimate);
    expect_error(
        h.custody().flag_suspect(&sc.distributor, &u, 1),
        &CUSTODY,
        CustodyError::UnitIllegitimate,
    );
    // Illegitimate product is terminal: it is not decommissioned or destroyed on chain.
    expect_error(
        h.custody().decommission(&sc.distributor, &u, true, 1),
        &CUSTODY,
        CustodyError::UnitIllegitimate,
    );
}

#[test]
fn decommission_and_destroy_are_terminal_and_holder_only() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1", "S2"]);
    expect_error(
        h.custody()
            .decommission(&sc.distributor, &units[0], false, 1),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    h.custody()
        .decommission(&sc.manufacturer, &units[0], false, 5)
        .unwrap();
    assert_eq!(unit(&h, &units[0]).status, UnitStatus::Decommissioned);
    h.custody()
        .flag_suspect(&sc.manufacturer, &units[1], 1)
        .unwrap();
    // A quarantined unit is neither decommissioned nor destroyed (audit finding 9) until it
    // is cleared.
    expect_error(
        h.custody()
            .decommission(&sc.manufacturer, &units[1], true, 6),
        &CUSTODY,
        CustodyError::UnitQuarantined,
    );
    h.custody()
        .clear_suspect(&sc.manufacturer, &units[1])
        .unwrap();
    h.custody()
        .decommission(&sc.manufacturer, &units[1], true, 6)
        .unwrap();
    assert_eq!(unit(&h, &units[1]).status, UnitStatus::Destroyed);
    let r = h.custody().ship(
        &sc.manufacturer,
        &sc.distributor.pubkey(),
        &units[0],
        ship_args(),
    );
    expect_error(r, &CUSTODY, CustodyError::UnitDecommissioned);
}
