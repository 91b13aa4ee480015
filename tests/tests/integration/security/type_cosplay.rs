//! An account of another type (right owner, wrong discriminator) passed in place of another.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, consent as con, custody as cus, registry as reg};
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn registry_config_as_participant() {
    let h = Harness::new();
    let a = h.init_registry();
    let target = h.participant(&a, caretrail_sdk::registry::roles::DISPENSER);
    let mut ix = reg::suspend_participant_ix(&a.pubkey(), &target.pubkey(), 1, false);
    meta(&mut ix, "participant").pubkey = reg::config_pda().0;
    expect_error(
        h.send(&[&a], &[ix]),
        &registry::ID,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

#[test]
fn custody_unit_as_lot() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let ix = cus::recall_lot_ix(&sc.manufacturer.pubkey(), &u, 1);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

#[test]
fn consent_participant_as_grant() {
    // A registry Participant is owned by the registry, not consent: rejected before the type.
    let h = Harness::new();
    let t = h.care_team();
    let ix = con::record_access_ix(
        &reg::participant_pda(&t.provider.pubkey()).0,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        access(1, 1, 1),
    );
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &consent::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

#[test]
fn claims_claim_passed_as_a_consent_grant() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let first = h.submit(&p, "FIRST", 100);
    let r = h.claims().submit(
        &p.provider,
        "SECOND",
        &clm::SubmitClaim {
            refs: &clm::ClaimRefs {
                consent_grant: Some(first),
                ..Default::default()
            },
            ..p.claim([1; 32], 100)
        },
    );
    expect_error(r, &claims::ID, AnchorError::AccountOwnedByWrongProgram);
    // A coverage (same owner) as a claim: the discriminator differs.
    let x = clm::fetch_claim(&h.ledger, &first).unwrap().unwrap();
    let mut ix = clm::void_ix(&first, &x);
    meta(&mut ix, "claim").pubkey = p.coverage;
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &claims::ID,
        AnchorError::AccountDiscriminatorMismatch,
    );
}
