use super::*;

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
    // A hop holds its payer (who gets the rent back when it closes) and exists only while the
    // unit is in transit.
    assert!(hop <= 160, "Hop is {hop} bytes");
    assert_eq!((lot, unit, hop), (123, 179, 152));
    let (tree, package_hop) = (
        cus::PackageTree::ACCOUNT_LEN,
        8 + cus::PackageHop::INIT_SPACE,
    );
    println!("compressed packages: PackageTree {tree}, PackageHop {package_hop}");
    assert_eq!((tree, package_hop), (20_856, 180));
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
