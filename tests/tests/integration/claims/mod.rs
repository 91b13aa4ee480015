//! claims: the state machine, payouts in SPL Token and Token-2022, fraud and safety rules.

mod adjudicate;
mod appeal;
mod enroll;
mod intake;
mod pay;
mod payer;
mod reads;
mod remit;
mod submit;
mod void;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimStatus, EnrollArgs, PayerArgs};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use claims::error::ClaimsError;
use solana_sdk::signature::{Keypair, Signer};

const CLAIMS: Pubkey = claims::ID;

fn claim(h: &Harness, c: &Pubkey) -> clm::Claim {
    clm::fetch_claim(&h.ledger, c).unwrap().expect("claim")
}

fn payer(h: &Harness, p: &Plan) -> clm::Payer {
    clm::fetch_payer(&h.ledger, &p.payer)
        .unwrap()
        .expect("payer")
}
