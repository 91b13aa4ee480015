use super::*;

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
