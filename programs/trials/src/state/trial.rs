use crate::constants::ACCOUNT_VERSION;
use crate::error::TrialsError;
use anchor_lang::prelude::*;

/// Where a trial is: registered (amendable, not enrolling), enrolling, locked (the final data
/// lock is anchored; enrolment closed), reported (results registered; nothing changes after).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum TrialStatus {
    Registered,
    Enrolling,
    Locked,
    Reported,
}

/// The documents a trial is bound to, as SHA-256 hashes (the documents stay off chain).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct TrialHashes {
    pub protocol: [u8; 32],
    /// The pre-specified primary outcomes.
    pub primary_outcomes: [u8; 32],
    pub secondary_outcomes: [u8; 32],
    /// The eligibility criteria (matching patients to them stays off chain).
    pub eligibility: [u8; 32],
}

impl TrialHashes {
    pub fn is_complete(&self) -> bool {
        self.protocol != [0; 32]
            && self.primary_outcomes != [0; 32]
            && self.secondary_outcomes != [0; 32]
            && self.eligibility != [0; 32]
    }

    /// Do the outcomes (primary or secondary) differ?
    pub fn outcomes_differ(&self, other: &TrialHashes) -> bool {
        self.primary_outcomes != other.primary_outcomes
            || self.secondary_outcomes != other.secondary_outcomes
    }
}

/// A registered trial: PDA `["trial", sponsor, trial_id u64 LE]`. `registered` is version 0
/// for ever; `current` is the latest version (`amendments` of them, each an `Amendment`).
#[account]
#[derive(InitSpace, Debug)]
pub struct Trial {
    pub version: u8,
    pub bump: u8,
    pub status: TrialStatus,
    pub trial_id: u64,
    pub sponsor: Pubkey,
    pub investigator: Pubkey,
    pub registered: TrialHashes,
    pub current: TrialHashes,
    /// The planned enrolment at registration (version 0).
    pub registered_planned: u32,
    pub planned_enrolment: u32,
    pub amendments: u16,
    pub sites: u16,
    pub enrolled: u32,
    pub locks: u16,
    pub created_at: i64,
    pub enrolment_opened_at: i64,
    pub final_locked_at: i64,
    pub results_hash: [u8; 32],
    /// The primary outcomes the results are reported against.
    pub results_outcomes: [u8; 32],
    pub reported_at: i64,
}

impl Trial {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            TrialsError::InvariantViolation
        );
        require!(
            self.registered.is_complete() && self.current.is_complete(),
            TrialsError::InvariantViolation
        );
        require!(self.planned_enrolment > 0, TrialsError::InvariantViolation);
        require_keys_neq!(
            self.sponsor,
            self.investigator,
            TrialsError::InvariantViolation
        );
        let opened = self.enrolment_opened_at != 0;
        let locked = self.final_locked_at != 0;
        let reported = self.reported_at != 0;
        let consistent = match self.status {
            TrialStatus::Registered => !opened && !locked && !reported && self.enrolled == 0,
            TrialStatus::Enrolling => opened && !locked && !reported,
            TrialStatus::Locked => opened && locked && !reported && self.locks > 0,
            TrialStatus::Reported => opened && locked && reported && self.results_hash != [0; 32],
        };
        require!(consistent, TrialsError::InvariantViolation);
        Ok(())
    }
}

/// The stage a trial was at when something happened to it (kept in each amendment).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Stage {
    /// Before enrolment opened.
    BeforeEnrolment,
    /// Enrolling, no data lock yet.
    Enrolling,
    /// After at least one data lock (interim or final): data may have been unblinded.
    AfterLock,
}

/// A version of a trial: PDA `["trial_amendment", trial, number u16 LE]` (from 1). What it
/// changed is visible by comparing with the version before (the previous amendment, or the
/// registration).
#[account]
#[derive(InitSpace, Debug)]
pub struct Amendment {
    pub version: u8,
    pub bump: u8,
    pub trial: Pubkey,
    pub number: u16,
    /// The sponsor's reason code (its own code list, non-zero).
    pub reason: u16,
    pub hashes: TrialHashes,
    pub planned_enrolment: u32,
    pub stage: Stage,
    /// Data locks and enrolments the trial had when it was amended.
    pub locks_before: u16,
    pub enrolled_before: u32,
    pub amended_at: i64,
    pub by: Pubkey,
}

/// A site of a trial: PDA `["trial_site", trial, investigator]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Site {
    pub version: u8,
    pub bump: u8,
    pub trial: Pubkey,
    pub investigator: Pubkey,
    pub enrolled: u32,
    pub added_at: i64,
}

/// One enrolment: PDA `["trial_enrolment", trial, grant]`. It names who enrolled and when,
/// never the patient (the grant's address seeds it, so each grant counts once).
#[account]
#[derive(InitSpace, Debug)]
pub struct Enrolment {
    pub version: u8,
    pub bump: u8,
    pub trial: Pubkey,
    pub investigator: Pubkey,
    /// 1-based position in the trial's enrolment count.
    pub number: u32,
    pub enrolled_at: i64,
}

/// Interim or final.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum LockKind {
    Interim,
    Final,
}

/// A data lock: PDA `["trial_lock", trial, index u16 LE]`: the Merkle root over the data
/// snapshot's items (`caretrail_common::merkle::data_leaf`), anchored when it was locked.
#[account]
#[derive(InitSpace, Debug)]
pub struct DataLock {
    pub version: u8,
    pub bump: u8,
    pub trial: Pubkey,
    pub index: u16,
    pub kind: LockKind,
    pub root: [u8; 32],
    pub records: u32,
    pub enrolled: u32,
    pub locked_at: i64,
    pub by: Pubkey,
}
