//! trials: registration, sites, amendments, enrolment through research consent, data locks,
//! results, and the audit; every rejection with its exact code.

mod audit;
mod enrol;
mod register;

use anchor_lang::prelude::Pubkey;
use caretrail_sdk::events::{CaretrailEvent, TrialsEvent};
use caretrail_sdk::registry::roles;
use caretrail_sdk::trials::{
    self as tri, AmendTrialArgs, Finding, LockKind, RegisterTrialArgs, ResultsArgs, Stage,
    TrialStatus,
};
use caretrail_tests::*;
use solana_sdk::signature::{Keypair, Signer};
use trials::error::TrialsError;

const TRIALS: Pubkey = trials::ID;

fn trial(h: &Harness, t: &Pubkey) -> tri::Trial {
    tri::fetch_trial(&h.ledger, t).unwrap().expect("trial")
}

fn amend(reason: u16, tag: &str, planned: u32) -> AmendTrialArgs {
    AmendTrialArgs {
        reason,
        hashes: trial_hashes(tag),
        planned_enrolment: planned,
    }
}

/// The same documents as `base`, with other primary outcomes.
fn switched_outcomes(base: &tri::TrialHashes) -> tri::TrialHashes {
    tri::TrialHashes {
        primary_outcomes: caretrail_sdk::hash::sha256(&[b"a different primary outcome"]),
        ..*base
    }
}
