use super::*;

/// Registered, enrolling, two enrolled, interim lock, final lock, results: clean.
#[test]
fn a_trial_run_by_the_book_audits_clean() {
    let h = Harness::new();
    let s = h.study(3);
    let c = h.trials();
    c.amend(&s.sponsor, &s.trial, amend(1, "v1", 3)).unwrap(); // before enrolment: fine
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    h.enrol(&s, 2);
    let interim: Vec<&[u8]> = vec![b"row 1", b"row 2"];
    c.lock_data(&s.sponsor, &s.trial, LockKind::Interim, &interim)
        .unwrap();
    let final_rows: Vec<&[u8]> = vec![b"row 1", b"row 2", b"row 3"];
    h.warp(DAY);
    let out = c
        .lock_data(&s.sponsor, &s.trial, LockKind::Final, &final_rows)
        .unwrap();
    match out.events().as_slice() {
        [CaretrailEvent::Trials(TrialsEvent::DataLocked(e))] => {
            assert_eq!((e.index, e.kind, e.records), (1, LockKind::Final, 3));
            assert_eq!(e.root, data_root(&final_rows).unwrap());
        }
        other => panic!("{other:?}"),
    }
    let t = trial(&h, &s.trial);
    assert_eq!(
        (t.status, t.locks, t.final_locked_at),
        (TrialStatus::Locked, 2, T0 + DAY)
    );
    // Enrolment and further locks are closed.
    let late = h.funded();
    let g = h.research_grant(&late, &s.investigator.pubkey(), 1);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &g),
        &TRIALS,
        TrialsError::WrongStatus,
    );
    expect_error(
        c.lock_data(&s.sponsor, &s.trial, LockKind::Final, &final_rows),
        &TRIALS,
        TrialsError::WrongStatus,
    );
    let results = ResultsArgs {
        results_hash: [4; 32],
        outcomes: trial_hashes("v1").primary_outcomes,
    };
    c.report_results(&s.sponsor, &s.trial, results).unwrap();
    let t = trial(&h, &s.trial);
    assert_eq!(
        (t.status, t.results_hash, t.results_outcomes),
        (
            TrialStatus::Reported,
            [4; 32],
            trial_hashes("v1").primary_outcomes
        )
    );
    let datasets = vec![
        (0, interim.iter().map(|r| r.to_vec()).collect()),
        (1, final_rows.iter().map(|r| r.to_vec()).collect()),
    ];
    let a = tri::audit_trial(&h.ledger, &s.trial, &datasets).unwrap();
    assert!(a.is_clean(), "{:?}", a.findings);
    assert_eq!(
        (
            a.enrolled,
            a.planned_at_opening,
            a.versions.len(),
            a.locks.len()
        ),
        (2, 3, 2, 2)
    );
    assert!(a.locks.iter().all(|l| l.data_matches == Some(true)));
    // Nothing changes after results.
    expect_error(
        c.amend(&s.sponsor, &s.trial, amend(2, "v2", 3)),
        &TRIALS,
        TrialsError::WrongStatus,
    );
    expect_error(
        c.report_results(&s.sponsor, &s.trial, results),
        &TRIALS,
        TrialsError::WrongStatus,
    );
}

/// An outcome switched after the data lock, results against it, locked data altered and
/// over-enrolment: each one flagged.
#[test]
fn a_switched_outcome_changed_data_and_overenrolment_are_flagged() {
    let h = Harness::new();
    let s = h.study(1);
    let c = h.trials();
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    h.enrol(&s, 2);
    let rows: Vec<&[u8]> = vec![b"row 1", b"row 2"];
    c.lock_data(&s.sponsor, &s.trial, LockKind::Interim, &rows)
        .unwrap();
    h.warp(DAY);
    let switched = switched_outcomes(&trial_hashes("v0"));
    c.amend(
        &s.sponsor,
        &s.trial,
        AmendTrialArgs {
            reason: 9,
            hashes: switched,
            planned_enrolment: 1,
        },
    )
    .unwrap();
    c.lock_data(&s.sponsor, &s.trial, LockKind::Final, &rows)
        .unwrap();
    // Results must name the outcomes in force, so the switch cannot be hidden behind the old hash.
    let old = ResultsArgs {
        results_hash: [4; 32],
        outcomes: trial_hashes("v0").primary_outcomes,
    };
    expect_error(
        c.report_results(&s.sponsor, &s.trial, old),
        &TRIALS,
        TrialsError::ResultsOutcomeMismatch,
    );
    expect_error(
        c.report_results(
            &s.sponsor,
            &s.trial,
            ResultsArgs {
                results_hash: [0; 32],
                outcomes: switched.primary_outcomes,
            },
        ),
        &TRIALS,
        TrialsError::ResultsOutcomeMismatch,
    );
    c.report_results(
        &s.sponsor,
        &s.trial,
        ResultsArgs {
            results_hash: [4; 32],
            outcomes: switched.primary_outcomes,
        },
    )
    .unwrap();
    let altered = vec![(0u16, vec![b"row 1".to_vec(), b"row 2 (edited)".to_vec()])];
    let a = tri::audit_trial(&h.ledger, &s.trial, &altered).unwrap();
    let kinds: Vec<&str> = a.findings.iter().map(Finding::kind).collect();
    assert_eq!(
        kinds,
        [
            "outcomes_changed_after_lock",
            "locked_data_changed",
            "results_against_unspecified_outcomes",
            "enrolment_beyond_plan"
        ]
    );
    assert!(matches!(
        a.findings[0],
        Finding::OutcomesChangedAfterLock {
            amendment: 1,
            reason: 9,
            locks_before: 1,
            ..
        }
    ));
    assert!(matches!(
        a.findings[3],
        Finding::EnrolmentBeyondPlan {
            enrolled: 2,
            planned: 1
        }
    ));
    let err = tri::audit_trial(&h.ledger, &s.trial, &[(7, vec![b"x".to_vec()])]).unwrap_err();
    assert!(err.to_string().contains("lock 7"), "{err}");
}

#[test]
fn an_outcome_changed_while_enrolling_is_flagged_and_only_the_sponsor_locks() {
    let h = Harness::new();
    let s = h.study(5);
    let c = h.trials();
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    h.enrol(&s, 1);
    let switched = switched_outcomes(&trial_hashes("v0"));
    c.amend(
        &s.sponsor,
        &s.trial,
        AmendTrialArgs {
            reason: 2,
            hashes: switched,
            planned_enrolment: 5,
        },
    )
    .unwrap();
    let a = tri::audit_trial(&h.ledger, &s.trial, &[]).unwrap();
    assert!(
        matches!(
            a.findings.as_slice(),
            [Finding::OutcomesChangedAfterEnrolment {
                amendment: 1,
                reason: 2,
                ..
            }]
        ),
        "{:?}",
        a.findings
    );
    let rows: Vec<&[u8]> = vec![b"row"];
    expect_error(
        c.lock_data(&s.investigator, &s.trial, LockKind::Interim, &rows),
        &TRIALS,
        TrialsError::Unauthorized,
    );
    let empty = tri::LockDataArgs {
        kind: LockKind::Interim,
        root: [0; 32],
        records: 1,
    };
    expect_error(
        h.send(
            &[&s.sponsor],
            &[tri::lock_data_ix(&s.trial, &s.sponsor.pubkey(), 0, empty)],
        ),
        &TRIALS,
        TrialsError::InvalidLock,
    );
    // Results before the final lock.
    expect_error(
        c.report_results(
            &s.sponsor,
            &s.trial,
            ResultsArgs {
                results_hash: [1; 32],
                outcomes: switched.primary_outcomes,
            },
        ),
        &TRIALS,
        TrialsError::WrongStatus,
    );
}
