use super::*;

#[test]
fn a_sponsor_registers_a_trial_with_its_documents_before_enrolment() {
    let h = Harness::new();
    h.warp(30);
    let s = h.study(40);
    let t = trial(&h, &s.trial);
    assert_eq!(s.trial, tri::trial_pda(&s.sponsor.pubkey(), 1).0);
    assert_eq!(t.bump, tri::trial_pda(&s.sponsor.pubkey(), 1).1);
    assert_eq!(
        (t.status, t.trial_id, t.sponsor, t.investigator),
        (
            TrialStatus::Registered,
            1,
            s.sponsor.pubkey(),
            s.investigator.pubkey()
        )
    );
    assert_eq!(
        (t.registered, t.current),
        (trial_hashes("v0"), trial_hashes("v0"))
    );
    assert_eq!(
        (
            t.registered_planned,
            t.planned_enrolment,
            t.enrolled,
            t.amendments,
            t.locks,
            t.created_at
        ),
        (40, 40, 0, 0, 0, T0 + 30)
    );
    assert_eq!(
        tri::list_trials(&h.ledger, &s.sponsor.pubkey())
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        tri::next_trial_id(&h.ledger, &s.sponsor.pubkey()).unwrap(),
        2
    );
}

#[test]
fn registration_needs_a_sponsor_a_standing_investigator_and_every_document() {
    let h = Harness::new();
    let s = h.study(10);
    let payer = h.participant(&s.authority, roles::PAYER);
    let args = RegisterTrialArgs {
        hashes: trial_hashes("x"),
        planned_enrolment: 10,
    };
    let register = |sponsor: &Keypair, investigator: &Pubkey, id: u64, args: RegisterTrialArgs| {
        h.send(
            &[sponsor],
            &[tri::register_trial_ix(
                &sponsor.pubkey(),
                investigator,
                id,
                args,
            )],
        )
    };
    expect_error(
        register(&payer, &s.investigator.pubkey(), 1, args),
        &TRIALS,
        TrialsError::RoleNotAllowed,
    );
    expect_error(
        register(&s.sponsor, &payer.pubkey(), 2, args),
        &TRIALS,
        TrialsError::RoleNotAllowed,
    );
    let mut missing = args;
    missing.hashes.eligibility = [0; 32];
    expect_error(
        register(&s.sponsor, &s.investigator.pubkey(), 2, missing),
        &TRIALS,
        TrialsError::InvalidTrial,
    );
    let mut empty = args;
    empty.planned_enrolment = 0;
    expect_error(
        register(&s.sponsor, &s.investigator.pubkey(), 2, empty),
        &TRIALS,
        TrialsError::InvalidTrial,
    );
    expect_error(
        register(&s.sponsor, &s.investigator.pubkey(), 1, args),
        &TRIALS,
        TrialsError::TrialExists,
    );
    h.registry()
        .suspend(&s.authority, &s.investigator.pubkey(), 1)
        .unwrap();
    expect_error(
        register(&s.sponsor, &s.investigator.pubkey(), 2, args),
        &TRIALS,
        TrialsError::ParticipantSuspended,
    );
}

#[test]
fn amendments_are_numbered_versions_with_the_stage_they_were_made_at() {
    let h = Harness::new();
    let s = h.study(10);
    let c = h.trials();
    h.warp(10);
    let out = c.amend(&s.sponsor, &s.trial, amend(3, "v1", 12)).unwrap();
    let a1: tri::Amendment =
        caretrail_sdk::account::fetch_owned(&h.ledger, &tri::amendment_pda(&s.trial, 1).0, &TRIALS)
            .unwrap()
            .unwrap();
    assert_eq!(
        (
            a1.number,
            a1.reason,
            a1.stage,
            a1.planned_enrolment,
            a1.amended_at,
            a1.by
        ),
        (
            1,
            3,
            Stage::BeforeEnrolment,
            12,
            T0 + 10,
            s.sponsor.pubkey()
        )
    );
    match out.events().as_slice() {
        [CaretrailEvent::Trials(TrialsEvent::TrialAmended(e))] => {
            assert_eq!((e.number, e.outcomes_changed), (1, true));
        }
        other => panic!("{other:?}"),
    }
    let t = trial(&h, &s.trial);
    assert_eq!(
        (t.amendments, t.current, t.planned_enrolment),
        (1, trial_hashes("v1"), 12)
    );
    assert_eq!(
        t.registered,
        trial_hashes("v0"),
        "the registration stays as it was"
    );
    // No reason, nothing changed, not the sponsor.
    expect_error(
        c.amend(&s.sponsor, &s.trial, amend(0, "v2", 12)),
        &TRIALS,
        TrialsError::InvalidAmendment,
    );
    expect_error(
        c.amend(&s.sponsor, &s.trial, amend(4, "v1", 12)),
        &TRIALS,
        TrialsError::InvalidAmendment,
    );
    let rival = h.participant(&s.authority, roles::SPONSOR);
    expect_error(
        c.amend(&rival, &s.trial, amend(4, "v2", 12)),
        &TRIALS,
        TrialsError::Unauthorized,
    );
    // The amendment's address must be the next one.
    let ix = tri::amend_trial_ix(&s.trial, &s.sponsor.pubkey(), 5, amend(4, "v2", 12));
    expect_error(
        h.send(&[&s.sponsor], &[ix]),
        &TRIALS,
        TrialsError::InvariantViolation,
    );
    // Enrolment opened: a later amendment is made at that stage.
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    expect_error(
        c.open_enrolment(&s.sponsor, &s.trial),
        &TRIALS,
        TrialsError::WrongStatus,
    );
    c.amend(&s.sponsor, &s.trial, amend(5, "v2", 12)).unwrap();
    let a2: tri::Amendment =
        caretrail_sdk::account::fetch_owned(&h.ledger, &tri::amendment_pda(&s.trial, 2).0, &TRIALS)
            .unwrap()
            .unwrap();
    assert_eq!(a2.stage, Stage::Enrolling);
}

#[test]
fn sites_are_standing_investigators_added_once() {
    let h = Harness::new();
    let s = h.study(10);
    let c = h.trials();
    c.add_site(&s.sponsor, &s.trial, &s.site_investigator.pubkey())
        .unwrap();
    let site: tri::Site = caretrail_sdk::account::fetch_owned(
        &h.ledger,
        &tri::site_pda(&s.trial, &s.site_investigator.pubkey()).0,
        &TRIALS,
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        (site.trial, site.investigator, site.enrolled),
        (s.trial, s.site_investigator.pubkey(), 0)
    );
    assert_eq!(trial(&h, &s.trial).sites, 1);
    h.warp(1);
    expect_error(
        c.add_site(&s.sponsor, &s.trial, &s.site_investigator.pubkey()),
        &TRIALS,
        TrialsError::SiteExists,
    );
    expect_error(
        c.add_site(&s.sponsor, &s.trial, &s.investigator.pubkey()),
        &TRIALS,
        TrialsError::SiteExists,
    );
    let payer = h.participant(&s.authority, roles::PAYER);
    expect_error(
        c.add_site(&s.sponsor, &s.trial, &payer.pubkey()),
        &TRIALS,
        TrialsError::RoleNotAllowed,
    );
}
