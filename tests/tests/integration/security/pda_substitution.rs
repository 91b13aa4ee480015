//! Another party's PDA substituted for the expected one.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, consent as con, custody as cus, registry as reg};
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn registry_another_wallets_participant_account() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, caretrail_sdk::registry::roles::REGULATOR);
    let impostor = h.funded();
    let target = h.participant(&a, caretrail_sdk::registry::roles::DISPENSER);
    let mut ix = reg::suspend_participant_ix(&impostor.pubkey(), &target.pubkey(), 1, true);
    meta(&mut ix, "admin_participant").pubkey = reg::participant_pda(&regulator.pubkey()).0;
    expect_error(
        h.send(&[&impostor], &[ix]),
        &registry::ID,
        registry::error::RegistryError::WalletMismatch,
    );
}

#[test]
fn custody_another_units_hop() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let units = h.commission(&sc, &["S1", "S2"]);
    for u in &units {
        h.ship(&sc.manufacturer, &sc.distributor, u);
    }
    let payer = h.payer.pubkey();
    let mut ix = cus::receive_ix(
        &sc.distributor.pubkey(),
        &cus::PendingHop {
            unit: &units[0],
            hop_index: 0,
            payer: &payer,
        },
        Some(sc.lot),
    );
    meta(&mut ix, "hop").pubkey = cus::hop_pda(&units[1], 0).0;
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &custody::ID,
        custody::error::CustodyError::HopMismatch,
    );
}

#[test]
fn consent_another_patients_grant() {
    let h = Harness::new();
    let t = h.care_team();
    let other = h.funded();
    let args = con::GrantArgs {
        scope: treatment_scope(),
        not_before: T0,
        expires_at: T0 + DAY,
        policy_hash: [0; 32],
    };
    h.consent()
        .grant(&other, &other.pubkey(), &t.provider.pubkey(), 1, args)
        .unwrap();
    let theirs = con::grant_pda(&other.pubkey(), &t.provider.pubkey(), 1).0;
    // The provider records "access to the patient" under another patient's grant.
    let ix = con::record_access_ix(
        &theirs,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
    );
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &consent::ID,
        consent::error::ConsentError::PatientMismatch,
    );
}

#[test]
fn claims_another_payers_vault() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let rival = h.participant(&p.authority, caretrail_sdk::registry::roles::PAYER);
    let args = clm::PayerArgs {
        auto_approve_limit: 1,
        daily_limit: 1,
        appeal_window: 0,
        adjudicators: vec![],
    };
    h.claims()
        .init_payer(&rival, &p.mint, &caretrail_sdk::tokens::TOKEN, args)
        .unwrap();
    let rival_vault = clm::vault_pda(&clm::payer_pda(&rival.pubkey()).0).0;
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    let payer = clm::fetch_payer(&h.ledger, &p.payer).unwrap().unwrap();
    let mut ix = clm::pay_ix(&c, &x, &payer, &p.provider_token);
    meta(&mut ix, "vault").pubkey = rival_vault;
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &claims::ID,
        claims::error::ClaimsError::TokenMismatch,
    );
    let _ = AnchorError::ConstraintSeeds;
}
