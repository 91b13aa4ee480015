//! `audit_trial`: what a trial registry exists to expose, read from the trial's own accounts.

use super::*;
use crate::util::hex;

/// One thing the audit found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// An amendment changed the primary or secondary outcomes after enrolment had opened.
    OutcomesChangedAfterEnrolment {
        amendment: u16,
        reason: u16,
        at: i64,
    },
    /// An amendment changed the outcomes after a data lock (after data could be unblinded).
    OutcomesChangedAfterLock {
        amendment: u16,
        reason: u16,
        at: i64,
        locks_before: u16,
    },
    /// The data presented for a lock is not the data anchored at it.
    LockedDataChanged {
        lock: u16,
        anchored_root: String,
        presented_root: String,
    },
    /// The results were reported against primary outcomes that were not those in force when
    /// enrolment opened.
    ResultsAgainstUnspecifiedOutcomes {
        reported_against: String,
        prespecified: String,
    },
    /// More participants enrolled than planned when enrolment opened.
    EnrolmentBeyondPlan { enrolled: u32, planned: u32 },
}

impl Finding {
    pub fn kind(&self) -> &'static str {
        match self {
            Finding::OutcomesChangedAfterEnrolment { .. } => "outcomes_changed_after_enrolment",
            Finding::OutcomesChangedAfterLock { .. } => "outcomes_changed_after_lock",
            Finding::LockedDataChanged { .. } => "locked_data_changed",
            Finding::ResultsAgainstUnspecifiedOutcomes { .. } => {
                "results_against_unspecified_outcomes"
            }
            Finding::EnrolmentBeyondPlan { .. } => "enrolment_beyond_plan",
        }
    }
}

/// One version of the trial as the audit read it (0: the registration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VersionView {
    pub number: u16,
    pub reason: u16,
    pub stage: &'static str,
    pub at: i64,
    pub outcomes_changed: bool,
    pub planned_enrolment: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LockView {
    pub index: u16,
    pub kind: &'static str,
    pub root: String,
    pub records: u32,
    pub enrolled: u32,
    pub at: i64,
    /// Whether data was presented for this lock and matched (`None`: none presented).
    pub data_matches: Option<bool>,
}

/// The audit's report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrialAudit {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub trial: Pubkey,
    pub status: &'static str,
    pub enrolled: u32,
    pub planned_at_opening: u32,
    pub versions: Vec<VersionView>,
    pub locks: Vec<LockView>,
    pub findings: Vec<Finding>,
}

impl TrialAudit {
    pub fn is_clean(&self) -> bool {
        self.findings.is_empty()
    }
}

/// Audits `trial`: every amendment against the version before it and the stage it was made
/// at, the data presented for locks (`datasets`: lock index → the snapshot's items) against
/// the roots anchored, the results against the outcomes pre-specified (in force when
/// enrolment opened), and the enrolment count against the plan at opening.
pub fn audit_trial(
    ledger: &dyn Ledger,
    trial: &Pubkey,
    datasets: &[(u16, Vec<Vec<u8>>)],
) -> Result<TrialAudit> {
    let t = trial_of(ledger, trial)?;
    let mut versions = vec![VersionView {
        number: 0,
        reason: 0,
        stage: stage_word(Stage::BeforeEnrolment),
        at: t.created_at,
        outcomes_changed: false,
        planned_enrolment: t.registered_planned,
    }];
    let mut findings = Vec::new();
    let mut previous = t.registered;
    let mut prespecified = t.registered.primary_outcomes;
    let mut planned_at_opening = versions[0].planned_enrolment;
    for number in 1..=t.amendments {
        let address = amendment_pda(trial, number).0;
        let a: Amendment = fetch_owned(ledger, &address, &PROGRAM_ID)?
            .ok_or_else(|| Error::not_found("trial amendment", address))?;
        let changed = a.hashes.outcomes_differ(&previous);
        match a.stage {
            Stage::BeforeEnrolment => {
                prespecified = a.hashes.primary_outcomes;
                planned_at_opening = a.planned_enrolment;
            }
            Stage::Enrolling if changed => findings.push(Finding::OutcomesChangedAfterEnrolment {
                amendment: number,
                reason: a.reason,
                at: a.amended_at,
            }),
            Stage::AfterLock if changed => findings.push(Finding::OutcomesChangedAfterLock {
                amendment: number,
                reason: a.reason,
                at: a.amended_at,
                locks_before: a.locks_before,
            }),
            _ => {}
        }
        versions.push(VersionView {
            number,
            reason: a.reason,
            stage: stage_word(a.stage),
            at: a.amended_at,
            outcomes_changed: changed,
            planned_enrolment: a.planned_enrolment,
        });
        previous = a.hashes;
    }
    let mut locks = Vec::new();
    for index in 0..t.locks {
        let address = lock_pda(trial, index).0;
        let l: DataLock = fetch_owned(ledger, &address, &PROGRAM_ID)?
            .ok_or_else(|| Error::not_found("trial data lock", address))?;
        let presented = datasets
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, items)| {
                let refs: Vec<&[u8]> = items.iter().map(|v| v.as_slice()).collect();
                data_root(&refs).unwrap_or([0; 32])
            });
        if let Some(root) = presented.filter(|r| *r != l.root) {
            findings.push(Finding::LockedDataChanged {
                lock: index,
                anchored_root: hex(&l.root),
                presented_root: hex(&root),
            });
        }
        locks.push(LockView {
            index,
            kind: lock_word(l.kind),
            root: hex(&l.root),
            records: l.records,
            enrolled: l.enrolled,
            at: l.locked_at,
            data_matches: presented.map(|r| r == l.root),
        });
    }
    if let Some((i, _)) = datasets.iter().find(|(i, _)| *i >= t.locks) {
        return Err(Error::invalid(format!(
            "data presented for lock {i}, but the trial has {} lock(s)",
            t.locks
        )));
    }
    if t.status == TrialStatus::Reported && t.results_outcomes != prespecified {
        findings.push(Finding::ResultsAgainstUnspecifiedOutcomes {
            reported_against: hex(&t.results_outcomes),
            prespecified: hex(&prespecified),
        });
    }
    if t.enrolled > planned_at_opening {
        findings.push(Finding::EnrolmentBeyondPlan {
            enrolled: t.enrolled,
            planned: planned_at_opening,
        });
    }
    Ok(TrialAudit {
        trial: *trial,
        status: status_word(t.status),
        enrolled: t.enrolled,
        planned_at_opening,
        versions,
        locks,
        findings,
    })
}
