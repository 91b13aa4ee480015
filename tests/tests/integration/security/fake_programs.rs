//! Arbitrary CPI: a fake token program or a fake registry.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, Ledger};
use caretrail_tests::*;
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signer};

#[test]
fn claims_refuses_a_token_program_other_than_the_payers() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    let payer = clm::fetch_payer(&h.ledger, &p.payer).unwrap().unwrap();
    // Token-2022 is a real token program, but not the one this payer's vault lives in.
    let mut ix = clm::pay_ix(&c, &x, &payer, &p.provider_token);
    meta(&mut ix, "token_program").pubkey = caretrail_sdk::tokens::TOKEN_2022;
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &claims::ID,
        claims::error::ClaimsError::TokenMismatch,
    );
    // Any other executable program is not a token program at all.
    let mut ix = clm::pay_ix(&c, &x, &payer, &p.provider_token);
    meta(&mut ix, "token_program").pubkey = registry::ID;
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &claims::ID,
        AnchorError::InvalidProgramId,
    );
}

#[test]
fn programs_refuse_participants_from_a_fake_registry() {
    // A "Participant" with the right bytes written by another program (here: the system
    // program stands for any impostor registry) is rejected by the owner check in every
    // program that reads the registry.
    let h = Harness::new();
    let sc = h.supply_chain();
    let real = h
        .ledger
        .get_account(&caretrail_sdk::registry::participant_pda(&sc.manufacturer.pubkey()).0)
        .unwrap()
        .unwrap();
    let fake = Pubkey::new_unique();
    h.ledger
        .set_account(
            &fake,
            Account {
                owner: anchor_lang::system_program::ID,
                ..real
            },
        )
        .unwrap();
    let prefix = caretrail_sdk::registry::prefix_pda(
        &caretrail_sdk::registry::parse_prefix(GTIN_PREFIX).unwrap(),
    )
    .0;
    let mut ix = caretrail_sdk::custody::register_lot_ix(
        &sc.manufacturer.pubkey(),
        &h.payer.pubkey(),
        &prefix,
        caretrail_sdk::custody::lot_args(&sc.gtin, "FAKE", (2027, 1, 1)),
    );
    meta(&mut ix, "manufacturer_participant").pubkey = fake;
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &custody::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}
