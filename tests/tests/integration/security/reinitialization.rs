//! Re-running an initialization over an existing account.

use caretrail_sdk::claims::{EnrollArgs, PayerArgs};
use caretrail_sdk::consent::GrantArgs;
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn registry_cannot_be_reinitialized() {
    let h = Harness::new();
    h.init_registry();
    let attacker = h.funded();
    expect_error(
        h.registry().initialize(&attacker),
        &registry::ID,
        registry::error::RegistryError::AlreadyInitialized,
    );
}

#[test]
fn custody_unit_cannot_be_recommissioned() {
    let h = Harness::new();
    let sc = h.supply_chain();
    h.commission(&sc, &["S1"]);
    let r = h.custody().commission(
        &sc.manufacturer,
        &sc.lot,
        vec![caretrail_sdk::custody::serial_hash(&sc.gtin, "S1")],
    );
    expect_error(
        r,
        &custody::ID,
        custody::error::CustodyError::DuplicateSerial,
    );
}

#[test]
fn consent_grant_cannot_be_reinitialized() {
    let h = Harness::new();
    let t = h.care_team();
    h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    // The grantee tries to re-create the grant as a fresh request under the same id.
    let args = GrantArgs {
        scope: treatment_scope(),
        not_before: T0,
        expires_at: T0 + 365 * DAY,
        policy_hash: [0; 32],
    };
    let r = h
        .consent()
        .request(&t.provider, &t.patient.pubkey(), 1, args);
    expect_error(r, &consent::ID, consent::error::ConsentError::GrantIdInUse);
}

#[test]
fn claims_payer_and_coverage_cannot_be_reinitialized() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let args = PayerArgs {
        auto_approve_limit: u64::MAX,
        daily_limit: u64::MAX,
        appeal_window: 0,
        adjudicators: vec![],
    };
    expect_error(
        h.claims()
            .init_payer(&p.insurer, &p.mint, &caretrail_sdk::tokens::TOKEN, args),
        &claims::ID,
        claims::error::ClaimsError::AlreadyInitialized,
    );
    let member = caretrail_sdk::hash::commit(&[3; 32], b"member 123456");
    let again = EnrollArgs {
        member_commitment: member,
        period_start: T0,
        period_end: T0 + DAY,
        annual_max: u64::MAX,
        deductible: 0,
    };
    expect_error(
        h.claims().enroll(&p.insurer, &p.patient, again),
        &claims::ID,
        claims::error::ClaimsError::AlreadyEnrolled,
    );
    let _ = p.insurer.pubkey();
}
