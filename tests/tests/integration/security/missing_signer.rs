//! A required signer's signature is stripped (the key is passed, unsigned).

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, consent as con, custody as cus, registry as reg};
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn registry_admin_must_sign() {
    let h = Harness::new();
    let a = h.init_registry();
    let target = h.participant(&a, caretrail_sdk::registry::roles::DISPENSER);
    let mut ix = reg::suspend_participant_ix(&a.pubkey(), &target.pubkey(), 1, false);
    meta(&mut ix, "admin").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &registry::ID,
        AnchorError::AccountNotSigner,
    );
}

#[test]
fn custody_holder_must_sign_a_shipment() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let mut ix = cus::ship_ix(
        &h.payer.pubkey(),
        &caretrail_sdk::custody::Shipment {
            sender: &sc.manufacturer.pubkey(),
            receiver: &sc.distributor.pubkey(),
            unit: &u,
            hop_index: 0,
            lot: Some(sc.lot),
            args: ship_args(),
        },
    );
    meta(&mut ix, "sender").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &custody::ID,
        AnchorError::AccountNotSigner,
    );
}

#[test]
fn consent_patient_must_sign_a_revocation() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let mut ix = con::revoke_ix(&g, &t.patient.pubkey(), &t.patient.pubkey());
    meta(&mut ix, "authority").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &consent::ID,
        AnchorError::AccountNotSigner,
    );
}

#[test]
fn claims_payer_must_sign_a_payment() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let c = h.submit(&p, "C", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 2_000, 0)
        .unwrap();
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    let p_acc = clm::fetch_payer(&h.ledger, &p.payer).unwrap().unwrap();
    let mut ix = clm::pay_ix(&c, &x, &p_acc, &p.provider_token);
    meta(&mut ix, "authority").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &claims::ID,
        AnchorError::AccountNotSigner,
    );
}
