//! registry: every instruction's happy path and every rejection, with exact error codes.

mod authority;
mod lifecycle;
mod reads;
mod register;
mod regulator;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::events::{CaretrailEvent, RegistryEvent};
use caretrail_sdk::registry::{
    self as reg, roles, ParticipantQuery, ParticipantStatus, UpdateParticipantArgs,
};
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use registry::error::RegistryError;
use solana_sdk::{
    account::Account,
    signature::{Keypair, Signer},
};

const REGISTRY: Pubkey = registry::ID;

fn config(h: &Harness) -> reg::RegistryConfig {
    reg::fetch_config(&h.ledger)
        .unwrap()
        .expect("registry config")
}

fn participant(h: &Harness, wallet: &Pubkey) -> reg::Participant {
    reg::fetch_participant(&h.ledger, wallet)
        .unwrap()
        .expect("participant")
}
