use super::*;

#[test]
fn refuse_returns_custody_to_the_sender() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    let out = h.custody().refuse(&sc.distributor, &u, 3).unwrap();
    assert!(
        cus::fetch_hop(&h.ledger, &u, 0).unwrap().is_none(),
        "closed"
    );
    let hops = cus::epcis::completed_hops(&h.ledger, &u).unwrap();
    assert_eq!(hops[0].status, HopStatus::Refused);
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Active, sc.manufacturer.pubkey(), 1)
    );
    assert_eq!(x.chain_head, cus::epcis::chain_of(&hops));
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::Refused(e))] if e.reason_code == 3)
    );
    // The next shipment uses hop 1.
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    assert_eq!(unit(&h, &u).hop_count, 2);
    assert_eq!(
        cus::epcis::completed_hops(&h.ledger, &u).unwrap()[1].status,
        HopStatus::Received
    );
}

/// A sender takes back a shipment its receiver never answered, but only after the timeout;
/// the hop ends `Cancelled` in the chain and the unit is the sender's again.
#[test]
fn an_unanswered_shipment_is_cancelled_by_its_sender_after_the_timeout() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S-CXL"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    expect_error(
        h.custody().cancel_shipment(&sc.manufacturer, &u),
        &CUSTODY,
        CustodyError::ShipmentNotTimedOut,
    );
    h.warp(custody::constants::SHIPMENT_TIMEOUT);
    // Only the sender cancels.
    expect_error(
        h.custody().cancel_shipment(&sc.distributor, &u),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    let out = h.custody().cancel_shipment(&sc.manufacturer, &u).unwrap();
    assert!(matches!(
        out.events().as_slice(),
        [CaretrailEvent::Custody(CustodyEvent::ShipmentCancelled(e))] if e.unit == u && e.index == 0
    ));
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Active, sc.manufacturer.pubkey(), 1)
    );
    assert!(
        cus::fetch_hop(&h.ledger, &u, 0).unwrap().is_none(),
        "closed"
    );
    assert_eq!(
        cus::epcis::completed_hops(&h.ledger, &u).unwrap()[0].status,
        HopStatus::Cancelled
    );
    // The receiver can no longer receive it (the cancelled hop is closed, and a next hop does
    // not exist); the sender can ship it again.
    let payer = h.payer.pubkey();
    let ix = cus::receive_ix(
        &sc.distributor.pubkey(),
        &cus::PendingHop {
            unit: &u,
            hop_index: 0,
            payer: &payer,
        },
        Some(sc.lot),
    );
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        AnchorError::AccountNotInitialized,
    );
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    assert_eq!(unit(&h, &u).hop_count, 2);
}
