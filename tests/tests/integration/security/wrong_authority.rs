//! A signer that is not the authority recorded in the data (`has_one`-style mismatch).

use caretrail_sdk::{claims as clm, consent as con, custody as cus, registry as reg};
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn registry_foreign_key_cannot_hand_over_authority() {
    let h = Harness::new();
    h.init_registry();
    let thief = h.funded();
    expect_error(
        h.registry().propose_authority(&thief, &thief.pubkey()),
        &registry::ID,
        registry::error::RegistryError::Unauthorized,
    );
    let _ = reg::config_pda();
}

#[test]
fn custody_another_manufacturer_cannot_recall_a_lot() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let rival = h.participant(&sc.authority, caretrail_sdk::registry::roles::MANUFACTURER);
    // Not the lot's manufacturer and not a regulator.
    expect_error(
        h.custody().recall_lot(&rival, &sc.lot, 1),
        &custody::ID,
        custody::error::CustodyError::RoleNotAllowed,
    );
    let _ = cus::lot_pda(&sc.gtin, LOT);
}

#[test]
fn consent_grantee_cannot_close_a_grant() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 1);
    h.warp(DAY);
    let ix = con::close_grant_ix(&g, &t.provider.pubkey());
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &consent::ID,
        consent::error::ConsentError::Unauthorized,
    );
}

#[test]
fn claims_another_payer_cannot_adjudicate() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let c = h.submit(&p, "C", 2_000);
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    let ix = clm::adjudicate_ix(&c, &x, &p.provider.pubkey(), None, 2_000, 0);
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &claims::ID,
        claims::error::ClaimsError::Unauthorized,
    );
}
