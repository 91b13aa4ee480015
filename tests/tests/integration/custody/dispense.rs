use super::*;

#[test]
fn manufacturer_to_distributor_to_pharmacy_to_patient() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    h.hop(&sc.distributor, &sc.pharmacy, &u);
    let out = h.custody().dispense(&sc.pharmacy, &u).unwrap();
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Dispensed, sc.pharmacy.pubkey(), 2)
    );
    // The chain head is reproducible from the hops.
    let hops = cus::epcis::completed_hops(&h.ledger, &u).unwrap();
    assert_eq!(hops.len(), 2);
    assert_eq!(x.chain_head, hops[1].chain(&hops[0].chain(&[0; 32])));
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::Dispensed(e))] if e.unit == u)
    );
    // Terminal: nothing moves it again.
    expect_error(
        h.custody().dispense(&sc.pharmacy, &u),
        &CUSTODY,
        CustodyError::AlreadyDispensed,
    );
    expect_error(
        h.custody()
            .ship(&sc.pharmacy, &sc.distributor.pubkey(), &u, ship_args()),
        &CUSTODY,
        CustodyError::AlreadyDispensed,
    );
}

#[test]
fn dispensing_requires_a_dispenser_that_holds_the_unit() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    expect_error(
        h.custody().dispense(&sc.distributor, &u),
        &CUSTODY,
        CustodyError::RoleNotAllowed,
    );
    expect_error(
        h.custody().dispense(&sc.pharmacy, &u),
        &CUSTODY,
        CustodyError::NotHolder,
    );
}
