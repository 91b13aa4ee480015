use super::*;

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
