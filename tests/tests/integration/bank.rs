//! The harness bank: the six caretrail programs natively, SPL Token / Token-2022 / ATA as SBF,
//! a manual clock.

use caretrail_sdk::Ledger;
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn caretrail_programs_and_spl_programs_are_loaded() {
    let h = Harness::new();
    for id in caretrail_sdk::programs::PROGRAM_IDS {
        let a = h
            .ledger
            .get_account(&id)
            .unwrap()
            .expect("caretrail program");
        assert!(a.executable, "{id}");
    }
    for id in [
        anchor_spl::token::ID,
        anchor_spl::token_2022::ID,
        anchor_spl::associated_token::ID,
    ] {
        let a = h.ledger.get_account(&id).unwrap().expect("SPL program");
        assert!(a.executable, "{id}");
        assert_ne!(
            a.owner,
            solana_sdk::native_loader::id(),
            "{id} runs as SBF, not native"
        );
    }
}

#[test]
fn token_and_token_2022_mint_to_associated_accounts() {
    let h = Harness::new();
    let authority = h.funded();
    let holder = h.funded();
    for program in token_program_ids() {
        let mint = h.create_mint(&program, &authority.pubkey(), 6);
        let ata = h.create_ata(&holder.pubkey(), &mint, &program);
        h.mint_to(&program, &mint, &ata, &authority, 1_234_567);
        assert_eq!(h.token_balance(&ata), 1_234_567);
        assert_eq!(h.ledger.get_account(&ata).unwrap().unwrap().owner, program);
    }
}

#[test]
fn clock_warps_exactly() {
    let h = Harness::new();
    assert_eq!(h.now(), T0);
    h.warp(DAY);
    assert_eq!(h.now(), T0 + DAY);
    h.ledger.set_clock(T0 + 5).unwrap();
    assert_eq!(h.now(), T0 + 5);
}

#[test]
fn identical_transactions_in_a_row_both_land() {
    // Two identical transfers within one slot would share a signature; the SDK re-signs the
    // second under a new blockhash so a deliberate repeat is not mistaken for a duplicate.
    let h = Harness::new();
    let to = solana_sdk::pubkey::Pubkey::new_unique();
    let ix = anchor_lang::solana_program::system_instruction::transfer(
        &h.payer.pubkey(),
        &to,
        1_000_000_000,
    );
    let a = h.send(&[], std::slice::from_ref(&ix)).unwrap();
    let b = h.send(&[], &[ix]).unwrap();
    assert_ne!(a.signature, b.signature);
    assert_eq!(h.ledger.get_balance(&to).unwrap(), 2_000_000_000);
}
