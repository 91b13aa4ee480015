//! Trials events: hashes, counts and participants' wallets (sponsor, investigators); never a
//! patient.

use crate::state::{LockKind, Stage, TrialHashes};
use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialRegistered {
    pub trial: Pubkey,
    pub sponsor: Pubkey,
    pub investigator: Pubkey,
    pub trial_id: u64,
    pub hashes: TrialHashes,
    pub planned_enrolment: u32,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteAdded {
    pub trial: Pubkey,
    pub site: Pubkey,
    pub investigator: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentOpened {
    pub trial: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialAmended {
    pub trial: Pubkey,
    pub amendment: Pubkey,
    pub number: u16,
    pub reason: u16,
    pub hashes: TrialHashes,
    pub planned_enrolment: u32,
    pub stage: Stage,
    pub outcomes_changed: bool,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParticipantEnrolled {
    pub trial: Pubkey,
    pub enrolment: Pubkey,
    pub investigator: Pubkey,
    pub enrolled: u32,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataLocked {
    pub trial: Pubkey,
    pub lock: Pubkey,
    pub index: u16,
    pub kind: LockKind,
    pub root: [u8; 32],
    pub records: u32,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultsReported {
    pub trial: Pubkey,
    pub results_hash: [u8; 32],
    pub outcomes: [u8; 32],
    pub timestamp: i64,
}
