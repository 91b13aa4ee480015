use super::*;

#[test]
fn enrolment_counts_each_research_grant_once_and_names_no_patient() {
    let h = Harness::new();
    let s = h.study(2);
    let c = h.trials();
    c.add_site(&s.sponsor, &s.trial, &s.site_investigator.pubkey())
        .unwrap();
    let patient = h.funded();
    let grant = h.research_grant(&patient, &s.investigator.pubkey(), 1);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &grant),
        &TRIALS,
        TrialsError::WrongStatus,
    );
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    h.warp(5);
    let out = c.enroll(&s.investigator, &s.trial, &grant).unwrap();
    let address = tri::enrolment_pda(&s.trial, &grant).0;
    let e: tri::Enrolment = caretrail_sdk::account::fetch_owned(&h.ledger, &address, &TRIALS)
        .unwrap()
        .unwrap();
    assert_eq!(
        (e.trial, e.investigator, e.number),
        (s.trial, s.investigator.pubkey(), 1)
    );
    let data = h.ledger_account(&address).data;
    let pk = patient.pubkey().to_bytes();
    assert!(
        !data.windows(32).any(|w| w == pk),
        "the enrolment holds no patient key"
    );
    match out.events().as_slice() {
        [CaretrailEvent::Trials(TrialsEvent::ParticipantEnrolled(ev))] => {
            assert_eq!((ev.trial, ev.enrolment, ev.enrolled), (s.trial, address, 1));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(trial(&h, &s.trial).enrolled, 1);
    h.warp(1);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &grant),
        &TRIALS,
        TrialsError::AlreadyEnrolled,
    );
    // A site investigator enrols through a grant to itself; the site counts it.
    let other = h.funded();
    let g2 = h.research_grant(&other, &s.site_investigator.pubkey(), 1);
    c.enroll(&s.site_investigator, &s.trial, &g2).unwrap();
    let site: tri::Site = caretrail_sdk::account::fetch_owned(
        &h.ledger,
        &tri::site_pda(&s.trial, &s.site_investigator.pubkey()).0,
        &TRIALS,
    )
    .unwrap()
    .unwrap();
    assert_eq!((site.enrolled, trial(&h, &s.trial).enrolled), (1, 2));
}

#[test]
fn enrolment_needs_an_active_research_grant_to_an_investigator_of_the_trial() {
    let h = Harness::new();
    let s = h.study(10);
    let c = h.trials();
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    let stranger = h.participant(&s.authority, roles::RESEARCHER);
    let patient = h.funded();
    // A grant to a researcher who is not part of the trial.
    let g = h.research_grant(&patient, &stranger.pubkey(), 1);
    let ix = tri::enroll_ix(&s.trial, &g, &stranger.pubkey(), false, None);
    expect_error(
        h.send(&[&stranger], &[ix]),
        &TRIALS,
        TrialsError::NotInvestigator,
    );
    let err = c.enroll(&stranger, &s.trial, &g).unwrap_err();
    assert!(
        matches!(err, caretrail_sdk::Error::Forbidden(_)),
        "the SDK says so first: {err}"
    );
    // A grant to someone else, presented by the investigator.
    expect_error(
        c.enroll(&s.investigator, &s.trial, &g),
        &TRIALS,
        TrialsError::GrantNotToInvestigator,
    );
    // A treatment grant (not HRESCH).
    let treatment = h.patient_grant(&patient, &s.investigator.pubkey(), 7, treatment_scope(), 30);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &treatment),
        &TRIALS,
        TrialsError::GrantNotForResearch,
    );
    // A revoked research grant, and an expired one.
    let g3 = h.research_grant(&patient, &s.investigator.pubkey(), 8);
    h.consent().revoke(&patient, &g3).unwrap();
    expect_error(
        c.enroll(&s.investigator, &s.trial, &g3),
        &TRIALS,
        TrialsError::GrantNotActive,
    );
    let g4 = h.research_grant(&patient, &s.investigator.pubkey(), 9);
    h.warp(91 * DAY);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &g4),
        &TRIALS,
        TrialsError::GrantNotActive,
    );
    // The registry: an investigator whose registration lapsed enrols nobody.
    let fresh = h.funded();
    let g5 = h.research_grant(&fresh, &s.investigator.pubkey(), 1);
    h.warp(300 * DAY);
    expect_error(
        c.enroll(&s.investigator, &s.trial, &g5),
        &TRIALS,
        TrialsError::ParticipantExpired,
    );
}
