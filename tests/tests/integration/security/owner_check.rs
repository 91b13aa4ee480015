//! A byte-perfect account of the right type, but owned by another program.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, consent as con, custody as cus, registry as reg, Ledger};
use caretrail_tests::*;
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signer};

/// Copies `real` to a fresh address owned by the system program.
fn forge(h: &Harness, real: &Pubkey) -> Pubkey {
    let account = h.ledger.get_account(real).unwrap().unwrap();
    let fake = Pubkey::new_unique();
    h.ledger
        .set_account(
            &fake,
            Account {
                owner: anchor_lang::system_program::ID,
                ..account
            },
        )
        .unwrap();
    fake
}

#[test]
fn registry_forged_regulator_participant() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, caretrail_sdk::registry::roles::REGULATOR);
    let fake = forge(&h, &reg::participant_pda(&regulator.pubkey()).0);
    let target = h.participant(&a, caretrail_sdk::registry::roles::DISPENSER);
    let mut ix = reg::suspend_participant_ix(&regulator.pubkey(), &target.pubkey(), 1, true);
    meta(&mut ix, "admin_participant").pubkey = fake;
    expect_error(
        h.send(&[&regulator], &[ix]),
        &registry::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

#[test]
fn custody_forged_unit() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    let fake = forge(&h, &u);
    let ix = cus::flag_suspect_ix(&sc.regulator.pubkey(), &fake, 1);
    expect_error(
        h.send(&[&sc.regulator], &[ix]),
        &custody::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

#[test]
fn consent_forged_grant() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.consent().revoke(&t.patient, &g).unwrap();
    // The provider forges an "active" copy of its revoked grant.
    let mut account = h.ledger.get_account(&g).unwrap().unwrap();
    account.data[con::ConsentGrant::STATUS_OFFSET] = 1;
    let fake = Pubkey::new_unique();
    h.ledger
        .set_account(
            &fake,
            Account {
                owner: anchor_lang::system_program::ID,
                ..account
            },
        )
        .unwrap();
    let ix = con::record_access_ix(
        &fake,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
    );
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &consent::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

#[test]
fn claims_forged_coverage() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let fake = forge(&h, &p.coverage);
    let r = h.claims().submit(
        &p.provider,
        "F",
        &clm::SubmitClaim {
            coverage: &fake,
            ..p.claim([1; 32], 100)
        },
    );
    expect_error(r, &claims::ID, AnchorError::AccountOwnedByWrongProgram);
}
