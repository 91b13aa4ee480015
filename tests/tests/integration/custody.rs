//! custody: every instruction's happy path and its rejections, with exact error codes, the
//! manufacturer → distributor → pharmacy story, and a 1,000-unit pallet moved in one hop.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::custody::{self as cus, HopStatus, LotStatus, UnitKind, UnitStatus};
use caretrail_sdk::events::{CaretrailEvent, CustodyEvent};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use custody::error::CustodyError;
use solana_sdk::signature::{Keypair, Signer};

const CUSTODY: Pubkey = custody::ID;

fn unit(h: &Harness, u: &Pubkey) -> cus::Unit {
    cus::fetch_unit(&h.ledger, u).unwrap().expect("unit")
}

fn lot(h: &Harness, l: &Pubkey) -> cus::Lot {
    cus::fetch_lot(&h.ledger, l).unwrap().expect("lot")
}

// ----------------------------------------------------------------------------- lots

#[test]
fn register_lot_stores_exact_lot() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let l = lot(&h, &sc.lot);
    assert_eq!(l.version, 1);
    assert_eq!(l.bump, cus::lot_pda(&sc.gtin, LOT).1);
    assert_eq!(l.status, LotStatus::Released);
    assert_eq!(&l.gtin, GTIN.as_bytes());
    assert_eq!(l.lot_hash, cus::lot_hash(LOT));
    assert_eq!(l.manufacturer, sc.manufacturer.pubkey());
    assert_eq!(l.expiry_date, 20271231);
    assert_eq!(
        caretrail_sdk::util::rfc3339(l.expires_at),
        "2028-01-01T00:00:00Z"
    );
    assert_eq!(
        (
            l.registered_at,
            l.recalled_at,
            l.recall_reason,
            l.unit_count
        ),
        (T0, 0, 0, 0)
    );
}

#[test]
fn register_lot_by_a_non_manufacturer_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let r = h.custody().register_lot(
        &sc.distributor,
        cus::lot_args(&sc.gtin, "LOT-B", (2027, 1, 1)),
    );
    expect_error(r, &CUSTODY, CustodyError::RoleNotAllowed);
    let stranger = h.funded();
    let r = h
        .custody()
        .register_lot(&stranger, cus::lot_args(&sc.gtin, "LOT-B", (2027, 1, 1)));
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
}

#[test]
fn register_lot_with_bad_gtin_or_past_expiry_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let mut bad = *b"09501101020918";
    let r = h
        .custody()
        .register_lot(&sc.manufacturer, cus::lot_args(&bad, "LOT-B", (2027, 1, 1)));
    expect_error(r, &CUSTODY, CustodyError::InvalidGtin);
    bad = sc.gtin;
    let r = h.custody().register_lot(
        &sc.manufacturer,
        cus::lot_args(&bad, "LOT-B", (2026, 5, 31)),
    );
    expect_error(r, &CUSTODY, CustodyError::InvalidExpiry);
}

// ----------------------------------------------------------------------------- commissioning

#[test]
fn commission_creates_units_held_by_the_manufacturer() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1", "S2", "S3"]);
    for (u, serial) in units.iter().zip(["S1", "S2", "S3"]) {
        let x = unit(&h, u);
        assert_eq!(x.bump, cus::unit_pda(&sc.gtin, serial).1);
        assert_eq!((x.kind, x.status), (UnitKind::Item, UnitStatus::Active));
        assert_eq!(x.gtin, sc.gtin);
        assert_eq!(x.lot, sc.lot);
        assert_eq!(x.holder, sc.manufacturer.pubkey());
        assert_eq!(x.parent, Pubkey::default());
        assert_eq!((x.child_count, x.hop_count, x.chain_head), (0, 0, [0; 32]));
        assert_eq!(x.expires_at, lot(&h, &sc.lot).expires_at);
    }
    assert_eq!(lot(&h, &sc.lot).unit_count, 3);
}

#[test]
fn commissioning_a_duplicate_serial_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.commission(&sc, &["S1"]);
    let r = h.custody().commission(
        &sc.manufacturer,
        &sc.lot,
        vec![
            cus::serial_hash(&sc.gtin, "S2"),
            cus::serial_hash(&sc.gtin, "S1"),
        ],
    );
    expect_error(r, &CUSTODY, CustodyError::DuplicateSerial);
    // The same serial twice in one batch.
    let r = h.custody().commission(
        &sc.manufacturer,
        &sc.lot,
        vec![
            cus::serial_hash(&sc.gtin, "S3"),
            cus::serial_hash(&sc.gtin, "S3"),
        ],
    );
    expect_error(r, &CUSTODY, CustodyError::DuplicateSerial);
    assert!(
        cus::fetch_unit(&h.ledger, &cus::unit_pda(&sc.gtin, "S2").0)
            .unwrap()
            .is_none(),
        "the failed batch left nothing"
    );
    assert_eq!(lot(&h, &sc.lot).unit_count, 1);
}

#[test]
fn commissioning_into_another_manufacturers_lot_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let rival = h.participant(&sc.authority, roles::MANUFACTURER);
    let r = h
        .custody()
        .commission(&rival, &sc.lot, vec![cus::serial_hash(&sc.gtin, "FAKE")]);
    expect_error(r, &CUSTODY, CustodyError::Unauthorized);
}

#[test]
fn commissioning_with_a_mismatched_unit_account_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let mut ix = cus::commission_units_ix(
        &sc.manufacturer.pubkey(),
        &h.payer.pubkey(),
        &sc.lot,
        vec![cus::serial_hash(&sc.gtin, "S1")],
    );
    let last = ix.accounts.len() - 1;
    ix.accounts[last].pubkey = cus::unit_pda(&sc.gtin, "OTHER").0;
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &CUSTODY,
        CustodyError::UnitAddressMismatch,
    );
}

#[test]
fn commissioning_by_a_suspended_manufacturer_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.registry()
        .suspend(&sc.authority, &sc.manufacturer.pubkey(), 1)
        .unwrap();
    let r = h.custody().commission(
        &sc.manufacturer,
        &sc.lot,
        vec![cus::serial_hash(&sc.gtin, "S1")],
    );
    expect_error(r, &CUSTODY, CustodyError::ParticipantSuspended);
}

#[test]
fn empty_or_oversized_batches_are_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    expect_error(
        h.custody().commission(&sc.manufacturer, &sc.lot, vec![]),
        &CUSTODY,
        CustodyError::InvalidBatch,
    );
    let too_many: Vec<[u8; 32]> = (0..25)
        .map(|i| cus::serial_hash(&sc.gtin, &format!("X{i}")))
        .collect();
    let mut ix = cus::commission_units_ix(
        &sc.manufacturer.pubkey(),
        &h.payer.pubkey(),
        &sc.lot,
        too_many,
    );
    ix.accounts.truncate(5 + 1);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &CUSTODY,
        CustodyError::InvalidBatch,
    );
}

// ----------------------------------------------------------------------------- ship / receive / refuse

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
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
    h.warp(3600);
    h.custody().receive(&sc.distributor, &u).unwrap();
    let hop = cus::fetch_hop(&h.ledger, &u, 0).unwrap().unwrap();
    assert_eq!(
        (hop.status, hop.received_at),
        (HopStatus::Received, T0 + 3600)
    );
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Active, sc.distributor.pubkey(), 1)
    );
    assert_eq!(x.chain_head, hop.chain(&[0; 32], 0));
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
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
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
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
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
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
    let again = cus::receive_ix(&sc.distributor.pubkey(), &u, 0, Some(sc.lot));
    h.send(&[&sc.distributor], std::slice::from_ref(&again))
        .unwrap();
    expect_error(
        h.send(&[&sc.distributor], &[again]),
        &CUSTODY,
        CustodyError::NotInTransit,
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
            &u,
            0,
            Some(sc.lot),
        )],
    );
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
}

#[test]
fn refuse_returns_custody_to_the_sender() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
    let out = h.custody().refuse(&sc.distributor, &u, 3).unwrap();
    let hop = cus::fetch_hop(&h.ledger, &u, 0).unwrap().unwrap();
    assert_eq!(hop.status, HopStatus::Refused);
    let x = unit(&h, &u);
    assert_eq!(
        (x.status, x.holder, x.hop_count),
        (UnitStatus::Active, sc.manufacturer.pubkey(), 1)
    );
    assert_eq!(x.chain_head, hop.chain(&[0; 32], 0));
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::Refused(e))] if e.reason_code == 3)
    );
    // The next shipment uses hop 1.
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    assert_eq!(unit(&h, &u).hop_count, 2);
    assert_eq!(
        cus::fetch_hop(&h.ledger, &u, 1).unwrap().unwrap().status,
        HopStatus::Received
    );
}

#[test]
fn refusing_a_shipment_addressed_to_someone_else_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
    expect_error(
        h.custody().refuse(&sc.pharmacy, &u, 1),
        &CUSTODY,
        CustodyError::NotAddressee,
    );
}

// ----------------------------------------------------------------------------- the full story

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
    let h0 = cus::fetch_hop(&h.ledger, &u, 0).unwrap().unwrap();
    let h1 = cus::fetch_hop(&h.ledger, &u, 1).unwrap().unwrap();
    assert_eq!(x.chain_head, h1.chain(&h0.chain(&[0; 32], 0), 1));
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

// ----------------------------------------------------------------------------- recall, expiry, quarantine

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
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
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
    h.custody()
        .ship(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &units[0],
            ship_args(),
        )
        .unwrap();
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

// ----------------------------------------------------------------------------- aggregation

#[test]
fn a_case_moves_its_units_in_one_hop_and_unpacking_hands_them_over() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1", "S2", "S3"]);
    let case_id = sscc("1");
    h.custody()
        .create_aggregate(&sc.manufacturer, case_id, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&case_id).0;
    let out = h
        .custody()
        .aggregate(&sc.manufacturer, &case, &units)
        .unwrap();
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Custody(CustodyEvent::Packed(e))] if e.children == units)
    );
    assert_eq!(unit(&h, &case).child_count, 3);
    assert_eq!(unit(&h, &units[0]).parent, case);
    // A packed unit moves only with its case.
    let r = h.custody().ship(
        &sc.manufacturer,
        &sc.distributor.pubkey(),
        &units[0],
        ship_args(),
    );
    expect_error(r, &CUSTODY, CustodyError::InsideAggregate);
    h.hop(&sc.manufacturer, &sc.distributor, &case);
    let (top, top_unit) = cus::top_most(&h.ledger, &units[1]).unwrap().unwrap();
    assert_eq!((top, top_unit.holder), (case, sc.distributor.pubkey()));
    // The distributor unpacks; each unit takes the case's holder and chain.
    let case_head = unit(&h, &case).chain_head;
    h.custody()
        .disaggregate(&sc.distributor, &case, &units)
        .unwrap();
    for u in &units {
        let x = unit(&h, u);
        assert_eq!(
            (x.parent, x.holder),
            (Pubkey::default(), sc.distributor.pubkey())
        );
        assert_eq!(
            x.chain_head,
            custody::instructions::disaggregate::unpack_chain(&[0; 32], &case, &case_head)
        );
    }
    assert_eq!(unit(&h, &case).child_count, 0);
    h.hop(&sc.distributor, &sc.pharmacy, &units[0]);
    h.custody().dispense(&sc.pharmacy, &units[0]).unwrap();
}

#[test]
fn a_unit_already_in_a_case_cannot_be_packed_again() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1"]);
    let (a, b) = (sscc("1"), sscc("2"));
    h.custody()
        .create_aggregate(&sc.manufacturer, a, UnitKind::Case)
        .unwrap();
    h.custody()
        .create_aggregate(&sc.manufacturer, b, UnitKind::Case)
        .unwrap();
    h.custody()
        .aggregate(&sc.manufacturer, &cus::sscc_pda(&a).0, &units)
        .unwrap();
    let r = h
        .custody()
        .aggregate(&sc.manufacturer, &cus::sscc_pda(&b).0, &units);
    expect_error(r, &CUSTODY, CustodyError::AlreadyAggregated);
}

#[test]
fn nesting_is_bounded() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (c1, c2, p) = (sscc("1"), sscc("2"), sscc("3"));
    h.custody()
        .create_aggregate(&sc.manufacturer, c1, UnitKind::Case)
        .unwrap();
    h.custody()
        .create_aggregate(&sc.manufacturer, c2, UnitKind::Case)
        .unwrap();
    h.custody()
        .create_aggregate(&sc.manufacturer, p, UnitKind::Pallet)
        .unwrap();
    let (c1, c2, p) = (
        cus::sscc_pda(&c1).0,
        cus::sscc_pda(&c2).0,
        cus::sscc_pda(&p).0,
    );
    expect_error(
        h.custody().aggregate(&sc.manufacturer, &c1, &[c2]),
        &CUSTODY,
        CustodyError::InvalidNesting,
    );
    expect_error(
        h.custody().aggregate(&sc.manufacturer, &c1, &[p]),
        &CUSTODY,
        CustodyError::InvalidNesting,
    );
    expect_error(
        h.custody().aggregate(&sc.manufacturer, &p, &[p]),
        &CUSTODY,
        CustodyError::InvalidNesting,
    );
    h.custody()
        .aggregate(&sc.manufacturer, &p, &[c1, c2])
        .unwrap();
    let r = h
        .custody()
        .create_aggregate(&sc.manufacturer, sscc("4"), UnitKind::Item);
    expect_error(r, &CUSTODY, CustodyError::InvalidNesting);
}

#[test]
fn packing_or_unpacking_needs_the_holder() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1"]);
    h.license_prefix(&sc.authority, "0614143", &sc.distributor.pubkey());
    let c = sscc_under("0614143", "1");
    h.custody()
        .create_aggregate(&sc.distributor, c, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&c).0;
    expect_error(
        h.custody().aggregate(&sc.distributor, &case, &units),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    expect_error(
        h.custody().disaggregate(&sc.manufacturer, &case, &units),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    expect_error(
        h.custody().disaggregate(&sc.distributor, &case, &units),
        &CUSTODY,
        CustodyError::NotAChild,
    );
}

#[test]
fn an_invalid_sscc_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let mut bad = sscc("1");
    bad[17] = if bad[17] == b'9' { b'0' } else { bad[17] + 1 };
    expect_error(
        h.custody()
            .create_aggregate(&sc.manufacturer, bad, UnitKind::Case),
        &CUSTODY,
        CustodyError::InvalidSscc,
    );
}

#[test]
fn a_thousand_unit_pallet_moves_with_one_ship_and_one_receive() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let serials: Vec<String> = (0..1000).map(|i| format!("P{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let units = h.commission(&sc, &refs);
    let p = sscc("1000");
    h.custody()
        .create_aggregate(&sc.manufacturer, p, UnitKind::Pallet)
        .unwrap();
    let pallet = cus::sscc_pda(&p).0;
    for chunk in units.chunks(20) {
        h.custody()
            .aggregate(&sc.manufacturer, &pallet, chunk)
            .unwrap();
    }
    assert_eq!(unit(&h, &pallet).child_count, 1000);
    let before = h.ledger.transaction_count().unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &pallet);
    assert_eq!(
        h.ledger.transaction_count().unwrap() - before,
        2,
        "one ship + one receive"
    );
    for u in [units[0], units[499], units[999]] {
        let (top, t) = cus::top_most(&h.ledger, &u).unwrap().unwrap();
        assert_eq!((top, t.holder), (pallet, sc.distributor.pubkey()));
    }
}

// ----------------------------------------------------------------------------- sizes and attacks

#[test]
fn account_sizes_stay_within_budget() {
    use anchor_lang::Space;
    let (lot, unit, hop) = (
        8 + cus::Lot::INIT_SPACE,
        8 + cus::Unit::INIT_SPACE,
        8 + cus::Hop::INIT_SPACE,
    );
    println!("custody account sizes (bytes of data): Lot {lot}, Unit {unit}, Hop {hop}");
    assert!(unit <= 200, "Unit is {unit} bytes");
    assert!(hop <= 120, "Hop is {hop} bytes");
    assert_eq!((lot, unit, hop), (123, 179, 120));
}

#[test]
fn a_lot_passed_as_a_unit_is_rejected() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let ix = cus::flag_suspect_ix(&sc.regulator.pubkey(), &sc.lot, 1);
    expect_error(
        h.send(&[&sc.regulator], &[ix]),
        &CUSTODY,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

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

// ----------------------------------------------------------------------------- verification, history, EPCIS

fn code(serial: &str) -> caretrail_sdk::gs1::Gs1Code {
    caretrail_sdk::gs1::parse_with_year(
        &format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{serial}"),
        2026,
    )
    .unwrap()
}

fn verify(
    h: &Harness,
    code: &caretrail_sdk::gs1::Gs1Code,
    expected: Option<&Keypair>,
) -> cus::Verification {
    cus::verify(&h.ledger, code, expected.map(|k| k.pubkey()).as_ref()).unwrap()
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
    h.custody()
        .ship(&sc.distributor, &sc.pharmacy.pubkey(), &u, ship_args())
        .unwrap();
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

// ----------------------------------------------------------------------------- audit finding 9

/// A sender takes back a shipment its receiver never answered, but only after the timeout;
/// the hop ends `Cancelled` in the chain and the unit is the sender's again.
#[test]
fn an_unanswered_shipment_is_cancelled_by_its_sender_after_the_timeout() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S-CXL"])[0];
    h.custody()
        .ship(&sc.manufacturer, &sc.distributor.pubkey(), &u, ship_args())
        .unwrap();
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
    let hop = cus::fetch_hop(&h.ledger, &u, 0).unwrap().unwrap();
    assert_eq!(hop.status, HopStatus::Cancelled);
    // The receiver can no longer receive it (against the cancelled hop, or a next hop that
    // does not exist); the sender can ship it again.
    let ix = cus::receive_ix(&sc.distributor.pubkey(), &u, 0, Some(sc.lot));
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        CustodyError::NotInTransit,
    );
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    assert_eq!(unit(&h, &u).hop_count, 2);
}

fn return_args() -> cus::ShipArgs {
    cus::ShipArgs {
        is_return: true,
        ..ship_args()
    }
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

// ----------------------------------------------------------------------------- audit finding 3

/// Audit finding 3: nobody registers lots under a rival's GTINs or claims another company's
/// SSCCs; the registry authority licenses GS1 Company Prefixes, and custody checks them.
#[test]
fn lots_and_aggregates_need_the_gs1_company_prefix_of_their_code() {
    use caretrail_sdk::registry as reg;
    let h = Harness::new();
    let sc = h.supply_chain();
    let rival = h.participant(&sc.authority, roles::MANUFACTURER);
    let gtin_prefix = reg::prefix_pda(&reg::parse_prefix(GTIN_PREFIX).unwrap()).0;
    // A rival manufacturer registers a lot under the fixture's GTIN, naming the real prefix.
    let ix = cus::register_lot_ix(
        &rival.pubkey(),
        &h.payer.pubkey(),
        &gtin_prefix,
        cus::lot_args(&sc.gtin, "SQUAT-1", (2027, 12, 31)),
    );
    expect_error(
        h.send(&[&rival], &[ix]),
        &CUSTODY,
        CustodyError::PrefixNotHeld,
    );
    // ... or naming a prefix of its own.
    h.license_prefix(&sc.authority, "0614142", &rival.pubkey());
    let own = reg::prefix_pda(&reg::parse_prefix("0614142").unwrap()).0;
    let ix = cus::register_lot_ix(
        &rival.pubkey(),
        &h.payer.pubkey(),
        &own,
        cus::lot_args(&sc.gtin, "SQUAT-2", (2027, 12, 31)),
    );
    expect_error(
        h.send(&[&rival], &[ix]),
        &CUSTODY,
        CustodyError::NotUnderPrefix,
    );
    // A distributor claims an SSCC under the manufacturer's prefix.
    let case_id = sscc("901");
    let sscc_prefix = reg::prefix_pda(&reg::parse_prefix(SSCC_PREFIX).unwrap()).0;
    let ix = cus::create_aggregate_ix(
        &sc.distributor.pubkey(),
        &h.payer.pubkey(),
        &sscc_prefix,
        case_id,
        UnitKind::Case,
    );
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        CustodyError::PrefixNotHeld,
    );
    // Its own prefix works for its own SSCCs.
    h.license_prefix(&sc.authority, "0614143", &sc.distributor.pubkey());
    let own_case = sscc_under("0614143", "901");
    h.custody()
        .create_aggregate(&sc.distributor, own_case, UnitKind::Case)
        .unwrap();
    // The registry: only its authority licenses; a prefix has one holder; 4 to 12 digits.
    expect_error(
        h.registry()
            .assign_prefix(&rival, "0614144", &rival.pubkey()),
        &registry::ID,
        registry::error::RegistryError::Unauthorized,
    );
    expect_error(
        h.registry()
            .assign_prefix(&sc.authority, GTIN_PREFIX, &rival.pubkey()),
        &registry::ID,
        registry::error::RegistryError::PrefixTaken,
    );
    assert!(reg::parse_prefix("123").is_err());
    let mut bad = reg::parse_prefix("0614145").unwrap();
    bad[11] = b'9';
    let ix = reg::assign_prefix_ix(
        &sc.authority.pubkey(),
        &h.payer.pubkey(),
        bad,
        &rival.pubkey(),
    );
    expect_error(
        h.send(&[&sc.authority], &[ix]),
        &registry::ID,
        registry::error::RegistryError::InvalidPrefix,
    );
    let held = reg::list_prefixes(&h.ledger, Some(&sc.manufacturer.pubkey())).unwrap();
    assert_eq!(
        held.iter()
            .map(|(_, p)| reg::prefix_string(&p.prefix))
            .collect::<Vec<_>>(),
        [SSCC_PREFIX, GTIN_PREFIX]
    );
    // Revoked: the manufacturer registers no new lot under it.
    h.registry()
        .revoke_prefix(&sc.authority, GTIN_PREFIX)
        .unwrap();
    let ix = cus::register_lot_ix(
        &sc.manufacturer.pubkey(),
        &h.payer.pubkey(),
        &gtin_prefix,
        cus::lot_args(&sc.gtin, "LOT-AFTER", (2027, 12, 31)),
    );
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &CUSTODY,
        AnchorError::AccountNotInitialized,
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
