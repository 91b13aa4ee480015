use super::*;

#[test]
fn ship_creates_the_hop_and_puts_the_unit_in_transit() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.warp(60);
    let out = h
        .custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
    let hop = cus::fetch_hop(&h.ledger, &u, 0).unwrap().unwrap();
    assert_eq!(hop.status, HopStatus::Shipped);
    assert_eq!(
        (hop.from, hop.to),
        (sc.manufacturer.pubkey(), sc.distributor.pubkey())
    );
    assert_eq!((hop.shipped_at, hop.received_at), (T0 + 60, 0));
    assert_eq!(&hop.read_point, b"0614141000005");
    assert_eq!(hop.shipment_ref, cus::shipment_ref("ASN-0001"));
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::InTransit, sc.manufacturer.pubkey(), 0)
    );
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::Shipped(e))] => {
            assert_eq!((e.unit, e.hop, e.index), (u, cus::hop_pda(&u, 0).0, 0));
            assert_eq!(
                (e.from, e.to, e.timestamp),
                (sc.manufacturer.pubkey(), sc.distributor.pubkey(), T0 + 60)
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn receive_moves_custody_and_advances_the_chain() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    h.warp(3600);
    let hop_key = cus::hop_pda(&u, 0).0;
    let rent = h.ledger_account(&hop_key).lamports;
    let paid = h.ledger.get_balance(&h.payer.pubkey()).unwrap();
    cus::CustodyClient::new(&h.ledger, &sc.distributor)
        .receive(&sc.distributor, &u)
        .unwrap();
    // The hop closes; its rent goes back to who paid it; the events keep it.
    assert!(h.ledger.get_account(&hop_key).unwrap().is_none());
    assert_eq!(
        h.ledger.get_balance(&h.payer.pubkey()).unwrap(),
        paid + rent
    );
    let hops = cus::epcis::completed_hops(&h.ledger, &u).unwrap();
    assert_eq!(hops.len(), 1);
    assert_eq!(
        (
            hops[0].index,
            hops[0].status,
            hops[0].shipped_at,
            hops[0].received_at
        ),
        (0, HopStatus::Received, T0, T0 + 3600)
    );
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Active, sc.distributor.pubkey(), 1)
    );
    assert_eq!(x.chain_head, cus::epcis::chain_of(&hops));
}

#[test]
fn shipping_by_a_non_holder_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let r = h
        .custody()
        .ship(&sc.distributor, &sc.pharmacy.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, CustodyError::NotHolder);
}

#[test]
fn shipping_to_an_unauthorized_receiver_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let payer = h.participant(&sc.authority, roles::PAYER);
    expect_error(
        h.custody()
            .ship(&sc.manufacturer, &payer.pubkey(), &u, ship_args()),
        &CUSTODY,
        CustodyError::RoleNotAllowed,
    );
    h.registry()
        .suspend(&sc.authority, &sc.distributor.pubkey(), 1)
        .unwrap();
    let r = h
        .custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, CustodyError::ParticipantSuspended);
    let unknown = Keypair::new();
    let r = h
        .custody()
        .ship(&sc.manufacturer, &unknown.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
    expect_error(
        h.custody()
            .ship(&sc.manufacturer, &sc.manufacturer.pubkey(), &u, ship_args()),
        &CUSTODY,
        CustodyError::SelfShipment,
    );
}

#[test]
fn shipping_a_unit_in_transit_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    let r = h
        .custody()
        .ship(&sc.manufacturer, &sc.pharmacy.pubkey(), &u, ship_args());
    expect_error(r, &CUSTODY, CustodyError::UnitInTransit);
}

#[test]
fn receiving_a_shipment_addressed_to_someone_else_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    expect_error(
        h.custody().receive(&sc.pharmacy, &u),
        &CUSTODY,
        CustodyError::NotAddressee,
    );
    assert_eq!(unit(&h, &u).holder, sc.manufacturer.pubkey());
}

#[test]
fn receiving_twice_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    let payer = h.payer.pubkey();
    let pending = cus::PendingHop {
        unit: &u,
        hop_index: 0,
        payer: &payer,
    };
    let again = cus::receive_ix(&sc.distributor.pubkey(), &pending, Some(sc.lot));
    h.send(&[&sc.distributor], std::slice::from_ref(&again))
        .unwrap();
    // The hop closed when it was received: there is nothing to receive again.
    expect_error(
        h.send(&[&sc.distributor], &[again]),
        &CUSTODY,
        AnchorError::AccountNotInitialized,
    );
    expect_error(
        h.custody().receive(&sc.distributor, &u),
        &CUSTODY,
        AnchorError::AccountNotInitialized,
    );
    assert_eq!(unit(&h, &u).hop_count, 1);
}

#[test]
fn receiving_an_active_unit_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let r = h.send(
        &[&sc.distributor],
        &[cus::receive_ix(
            &sc.distributor.pubkey(),
            &cus::PendingHop {
                unit: &u,
                hop_index: 0,
                payer: &h.payer.pubkey(),
            },
            Some(sc.lot),
        )],
    );
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
}

#[test]
fn refusing_a_shipment_addressed_to_someone_else_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    expect_error(
        h.custody().refuse(&sc.pharmacy, &u, 1),
        &CUSTODY,
        CustodyError::NotAddressee,
    );
}
