//! Closing an account and reviving it in the same transaction (refunding its address).

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::solana_program::system_instruction;
use caretrail_sdk::consent as con;
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn a_closed_grant_revived_in_the_same_transaction_stays_dead() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 1);
    h.warp(DAY);
    // Close, then send lamports back to the address in the same transaction.
    let close = con::close_grant_ix(&g, &t.patient.pubkey());
    let revive = system_instruction::transfer(&t.patient.pubkey(), &g, 10_000_000);
    h.send(&[&t.patient], &[close, revive]).unwrap();
    let account = h.ledger_account(&g);
    assert_eq!(
        account.owner,
        anchor_lang::system_program::ID,
        "revived as a plain system account"
    );
    assert!(account.data.is_empty());
    let ix = con::record_access_ix(
        &g,
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
fn a_removed_delegate_revived_has_no_power() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            treatment_scope(),
            T0 + DAY,
        )
        .unwrap();
    let d = con::delegate_pda(&t.patient.pubkey(), &t.guardian.pubkey()).0;
    let remove = con::remove_delegate_ix(&t.patient.pubkey(), &t.guardian.pubkey());
    let revive = system_instruction::transfer(&t.patient.pubkey(), &d, 10_000_000);
    h.send(&[&t.patient], &[remove, revive]).unwrap();
    let args = con::GrantArgs {
        scope: treatment_scope(),
        not_before: T0,
        expires_at: T0 + DAY,
        policy_hash: [0; 32],
    };
    let r = h.consent().grant(
        &t.guardian,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args,
    );
    expect_error(r, &consent::ID, AnchorError::AccountOwnedByWrongProgram);
}
