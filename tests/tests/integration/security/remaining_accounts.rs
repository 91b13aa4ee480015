//! Instructions that read remaining accounts validate each one (owner, type, address, role).

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::custody as cus;
use caretrail_tests::*;
use solana_sdk::{instruction::AccountMeta, pubkey::Pubkey, signature::Signer};

#[test]
fn commissioning_checks_each_unit_address() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let mut ix = cus::commission_units_ix(
        &sc.manufacturer.pubkey(),
        &h.payer.pubkey(),
        &sc.lot,
        vec![cus::serial_hash(&sc.gtin, "A")],
    );
    let last = ix.accounts.len() - 1;
    ix.accounts[last] = AccountMeta::new(Pubkey::new_unique(), false);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        custody::error::CustodyError::UnitAddressMismatch,
    );
}

#[test]
fn packing_checks_each_child_and_its_lot() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["A"]);
    let s = cus::parse_sscc(&cus::complete_sscc("10614141000000002").unwrap()).unwrap();
    h.custody()
        .create_aggregate(&sc.manufacturer, s, cus::UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&s).0;
    // A child that is not a unit (the lot).
    let ix = cus::aggregate_ix(&sc.manufacturer.pubkey(), &case, &[sc.lot], &[]);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        AnchorError::AccountDiscriminatorMismatch,
    );
    // A unit whose lot is withheld.
    let ix = cus::aggregate_ix(&sc.manufacturer.pubkey(), &case, &u, &[]);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        custody::error::CustodyError::LotRequired,
    );
    // A read-only child cannot be written.
    let mut ix = cus::aggregate_ix(&sc.manufacturer.pubkey(), &case, &u, &[sc.lot]);
    ix.accounts[3].is_writable = false; // the first remaining account: the child
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        AnchorError::AccountNotMutable,
    );
}
