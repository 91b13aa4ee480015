//! Trials: a clinical-trial registry (registration with protocol, outcome and eligibility
//! hashes; numbered amendments; sites; enrolment through the patient's research consent,
//! counted without naming anyone; data locks as Merkle roots; results) and [`audit_trial`],
//! which reports what a registry exists to expose: outcomes switched after enrolment or after
//! a data lock, locked data changed, results against outcomes that were not pre-specified,
//! enrolment beyond plan.

use crate::account::fetch_owned;
use crate::consent::{delegate_pda, fetch_grant};
use crate::hash::sha256;
use crate::ledger::{send_instructions, AccountFilter, Ledger, TxOutcome};
use crate::registry::{decode, participant_pda};
use crate::{Error, Result};
use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
pub use caretrail_common::merkle;
use serde::Serialize;
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use trials::constants::{SEED_AMENDMENT, SEED_ENROLMENT, SEED_LOCK, SEED_SITE, SEED_TRIAL};
pub use trials::state::{
    Amendment, DataLock, Enrolment, LockKind, Site, Stage, Trial, TrialHashes, TrialStatus,
};
pub use trials::{AmendTrialArgs, LockDataArgs, RegisterTrialArgs, ResultsArgs};

mod audit;
pub use audit::*;

pub const PROGRAM_ID: Pubkey = trials::ID;

pub fn trial_pda(sponsor: &Pubkey, trial_id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_TRIAL, sponsor.as_ref(), &trial_id.to_le_bytes()],
        &PROGRAM_ID,
    )
}

pub fn amendment_pda(trial: &Pubkey, number: u16) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_AMENDMENT, trial.as_ref(), &number.to_le_bytes()],
        &PROGRAM_ID,
    )
}

pub fn site_pda(trial: &Pubkey, investigator: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_SITE, trial.as_ref(), investigator.as_ref()],
        &PROGRAM_ID,
    )
}

pub fn enrolment_pda(trial: &Pubkey, grant: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_ENROLMENT, trial.as_ref(), grant.as_ref()],
        &PROGRAM_ID,
    )
}

pub fn lock_pda(trial: &Pubkey, index: u16) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_LOCK, trial.as_ref(), &index.to_le_bytes()],
        &PROGRAM_ID,
    )
}

/// A document's hash, as the registry stores it.
pub fn document_hash(bytes: &[u8]) -> [u8; 32] {
    sha256(&[bytes])
}

/// The leaves of a data snapshot: one per item (each item's SHA-256 under the data domain).
pub fn data_leaves(items: &[&[u8]]) -> Vec<[u8; 32]> {
    items
        .iter()
        .map(|b| merkle::data_leaf(&sha256(&[b])))
        .collect()
}

/// The root of a data snapshot (`None` for no items).
pub fn data_root(items: &[&[u8]]) -> Option<[u8; 32]> {
    merkle::root(&data_leaves(items))
}

pub fn fetch_trial(ledger: &dyn Ledger, trial: &Pubkey) -> Result<Option<Trial>> {
    fetch_owned(ledger, trial, &PROGRAM_ID)
}

/// The trial at `trial`, or `NotFound`.
pub fn trial_of(ledger: &dyn Ledger, trial: &Pubkey) -> Result<Trial> {
    fetch_trial(ledger, trial)?.ok_or_else(|| Error::not_found("trial", *trial))
}

/// Every trial of `sponsor` (memcmp on the sponsor), sorted by id.
pub fn list_trials(ledger: &dyn Ledger, sponsor: &Pubkey) -> Result<Vec<(Pubkey, Trial)>> {
    let mut out: Vec<(Pubkey, Trial)> = ledger
        .get_program_accounts(
            &PROGRAM_ID,
            &[
                AccountFilter::Memcmp {
                    offset: 0,
                    bytes: Trial::DISCRIMINATOR.to_vec(),
                },
                AccountFilter::Memcmp {
                    offset: 8 + 1 + 1 + 1 + 8,
                    bytes: sponsor.to_bytes().to_vec(),
                },
            ],
        )?
        .into_iter()
        .filter_map(|(k, a)| decode::<Trial>(&a.data).map(|t| (k, t)))
        .collect();
    out.sort_by_key(|(_, t)| t.trial_id);
    Ok(out)
}

/// The first trial id of `sponsor` with no trial yet.
pub fn next_trial_id(ledger: &dyn Ledger, sponsor: &Pubkey) -> Result<u64> {
    Ok(list_trials(ledger, sponsor)?
        .last()
        .map_or(1, |(_, t)| t.trial_id + 1))
}

pub fn register_trial_ix(
    sponsor: &Pubkey,
    investigator: &Pubkey,
    trial_id: u64,
    args: RegisterTrialArgs,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::RegisterTrial {
            trial: trial_pda(sponsor, trial_id).0,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
            investigator_participant: participant_pda(investigator).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: trials::instruction::RegisterTrial { trial_id, args }.data(),
    }
}

pub fn add_site_ix(trial: &Pubkey, sponsor: &Pubkey, investigator: &Pubkey) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::AddSite {
            trial: *trial,
            site: site_pda(trial, investigator).0,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
            investigator_participant: participant_pda(investigator).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: trials::instruction::AddSite {}.data(),
    }
}

pub fn open_enrolment_ix(trial: &Pubkey, sponsor: &Pubkey) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::SponsorAction {
            trial: *trial,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
        }
        .to_account_metas(None),
        data: trials::instruction::OpenEnrolment {}.data(),
    }
}

/// Amends the trial as amendment `number` (its current count + 1).
pub fn amend_trial_ix(
    trial: &Pubkey,
    sponsor: &Pubkey,
    number: u16,
    args: AmendTrialArgs,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::AmendTrial {
            trial: *trial,
            amendment: amendment_pda(trial, number).0,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: trials::instruction::AmendTrial { args }.data(),
    }
}

/// Enrols through `grant` (to `investigator`); `site`: the investigator is a site's, not the
/// lead; `delegate`: the delegation a guardian-made grant lives under.
pub fn enroll_ix(
    trial: &Pubkey,
    grant: &Pubkey,
    investigator: &Pubkey,
    site: bool,
    delegate: Option<Pubkey>,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::Enroll {
            trial: *trial,
            grant: *grant,
            enrolment: enrolment_pda(trial, grant).0,
            site: site.then(|| site_pda(trial, investigator).0),
            investigator: *investigator,
            investigator_participant: participant_pda(investigator).0,
            delegate,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: trials::instruction::Enroll {}.data(),
    }
}

/// Locks data as lock `index` (the trial's lock count).
pub fn lock_data_ix(
    trial: &Pubkey,
    sponsor: &Pubkey,
    index: u16,
    args: LockDataArgs,
) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::LockData {
            trial: *trial,
            lock: lock_pda(trial, index).0,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        data: trials::instruction::LockData { args }.data(),
    }
}

pub fn report_results_ix(trial: &Pubkey, sponsor: &Pubkey, args: ResultsArgs) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts: trials::accounts::ReportResults {
            trial: *trial,
            sponsor: *sponsor,
            sponsor_participant: participant_pda(sponsor).0,
        }
        .to_account_metas(None),
        data: trials::instruction::ReportResults { args }.data(),
    }
}

/// Sends trials instructions; `fee_payer` pays fees (the signer of each step pays its rent).
pub struct TrialsClient<'a> {
    pub ledger: &'a dyn Ledger,
    pub fee_payer: &'a Keypair,
}

impl<'a> TrialsClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        TrialsClient { ledger, fee_payer }
    }

    fn send(&self, signer: &Keypair, ix: Instruction) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.fee_payer, &[signer], &[ix])
    }

    /// Registers trial `trial_id` of `sponsor`; returns its address.
    pub fn register(
        &self,
        sponsor: &Keypair,
        investigator: &Pubkey,
        trial_id: u64,
        args: RegisterTrialArgs,
    ) -> Result<(Pubkey, TxOutcome)> {
        let out = self.send(
            sponsor,
            register_trial_ix(&sponsor.pubkey(), investigator, trial_id, args),
        )?;
        Ok((trial_pda(&sponsor.pubkey(), trial_id).0, out))
    }

    pub fn add_site(
        &self,
        sponsor: &Keypair,
        trial: &Pubkey,
        investigator: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(sponsor, add_site_ix(trial, &sponsor.pubkey(), investigator))
    }

    pub fn open_enrolment(&self, sponsor: &Keypair, trial: &Pubkey) -> Result<TxOutcome> {
        self.send(sponsor, open_enrolment_ix(trial, &sponsor.pubkey()))
    }

    pub fn amend(
        &self,
        sponsor: &Keypair,
        trial: &Pubkey,
        args: AmendTrialArgs,
    ) -> Result<TxOutcome> {
        let t = trial_of(self.ledger, trial)?;
        let number = t
            .amendments
            .checked_add(1)
            .ok_or_else(|| Error::invalid("amendment count overflow"))?;
        self.send(
            sponsor,
            amend_trial_ix(trial, &sponsor.pubkey(), number, args),
        )
    }

    /// Enrols through `grant`, signed by its grantee (the lead or a site investigator).
    pub fn enroll(
        &self,
        investigator: &Keypair,
        trial: &Pubkey,
        grant: &Pubkey,
    ) -> Result<TxOutcome> {
        let t = trial_of(self.ledger, trial)?;
        let g =
            fetch_grant(self.ledger, grant)?.ok_or_else(|| Error::not_found("grant", *grant))?;
        let site = investigator.pubkey() != t.investigator;
        if site
            && fetch_owned::<Site>(
                self.ledger,
                &site_pda(trial, &investigator.pubkey()).0,
                &PROGRAM_ID,
            )?
            .is_none()
        {
            return Err(Error::Forbidden(format!(
                "{} is neither the lead investigator of {trial} nor one of its sites",
                investigator.pubkey()
            )));
        }
        let delegate = g
            .is_delegate_made()
            .then(|| delegate_pda(&g.patient, &g.delegate).0);
        self.send(
            investigator,
            enroll_ix(trial, grant, &investigator.pubkey(), site, delegate),
        )
    }

    /// Anchors a data snapshot (its items' root) as the next lock.
    pub fn lock_data(
        &self,
        sponsor: &Keypair,
        trial: &Pubkey,
        kind: LockKind,
        items: &[&[u8]],
    ) -> Result<TxOutcome> {
        let t = trial_of(self.ledger, trial)?;
        let root = data_root(items)
            .ok_or_else(|| Error::invalid("a data lock needs at least one item"))?;
        let args = LockDataArgs {
            kind,
            root,
            records: items.len() as u32,
        };
        self.send(
            sponsor,
            lock_data_ix(trial, &sponsor.pubkey(), t.locks, args),
        )
    }

    pub fn report_results(
        &self,
        sponsor: &Keypair,
        trial: &Pubkey,
        args: ResultsArgs,
    ) -> Result<TxOutcome> {
        self.send(sponsor, report_results_ix(trial, &sponsor.pubkey(), args))
    }
}

pub fn status_word(s: TrialStatus) -> &'static str {
    match s {
        TrialStatus::Registered => "registered",
        TrialStatus::Enrolling => "enrolling",
        TrialStatus::Locked => "locked",
        TrialStatus::Reported => "reported",
    }
}

pub fn lock_word(k: LockKind) -> &'static str {
    match k {
        LockKind::Interim => "interim",
        LockKind::Final => "final",
    }
}

pub fn stage_word(s: Stage) -> &'static str {
    match s {
        Stage::BeforeEnrolment => "before enrolment",
        Stage::Enrolling => "enrolling",
        Stage::AfterLock => "after a data lock",
    }
}
