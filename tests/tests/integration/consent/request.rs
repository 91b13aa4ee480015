use super::*;

#[test]
fn request_then_patient_approves() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .request(
            &t.researcher,
            &t.patient.pubkey(),
            1,
            args(
                &h,
                Scope {
                    purposes: purpose::HRESCH,
                    ..treatment_scope()
                },
                90,
            ),
        )
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.researcher.pubkey(), 1).0;
    assert_eq!(grant(&h, &g).status, GrantStatus::Proposed);
    let r = h.consent().record_access(
        &t.researcher,
        &g,
        access(class::LABS, action::ACCESS, purpose::HRESCH),
    );
    expect_error(r, &CONSENT, ConsentError::GrantNotActive);
    let out = h.consent().approve(&t.patient, &g).unwrap();
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Consent(ConsentEvent::GrantApproved(e))] if e.by == t.patient.pubkey())
    );
    assert_eq!(grant(&h, &g).status, GrantStatus::Active);
    h.consent()
        .record_access(
            &t.researcher,
            &g,
            access(class::LABS, action::ACCESS, purpose::HRESCH),
        )
        .unwrap();
}

#[test]
fn request_then_patient_rejects() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .request(
            &t.researcher,
            &t.patient.pubkey(),
            1,
            args(&h, treatment_scope(), 90),
        )
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.researcher.pubkey(), 1).0;
    h.consent().reject(&t.patient, &g).unwrap();
    assert_eq!(grant(&h, &g).status, GrantStatus::Rejected);
    expect_error(
        h.consent().approve(&t.patient, &g),
        &CONSENT,
        ConsentError::NotProposed,
    );
}

#[test]
fn the_grantee_cannot_approve_its_own_request() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .request(
            &t.researcher,
            &t.patient.pubkey(),
            1,
            args(&h, treatment_scope(), 90),
        )
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.researcher.pubkey(), 1).0;
    let r = h.send(
        &[&t.researcher],
        &[con::approve_ix(
            &g,
            &t.patient.pubkey(),
            &t.researcher.pubkey(),
        )],
    );
    expect_error(r, &CONSENT, AnchorError::AccountNotInitialized);
    let mut ix = con::approve_ix(&g, &t.patient.pubkey(), &t.researcher.pubkey());
    meta(&mut ix, "delegate").pubkey = consent::ID;
    expect_error(
        h.send(&[&t.researcher], &[ix]),
        &CONSENT,
        ConsentError::Unauthorized,
    );
}

#[test]
fn requests_need_a_registered_grantee_in_good_standing() {
    let h = Harness::new();
    let t = h.care_team();
    let nobody = h.funded();
    let r = h.consent().request(
        &nobody,
        &t.patient.pubkey(),
        1,
        args(&h, treatment_scope(), 90),
    );
    expect_error(r, &CONSENT, AnchorError::AccountNotInitialized);
    h.registry()
        .revoke(&t.authority, &t.researcher.pubkey(), 1)
        .unwrap();
    let r = h.consent().request(
        &t.researcher,
        &t.patient.pubkey(),
        1,
        args(&h, treatment_scope(), 90),
    );
    expect_error(r, &CONSENT, ConsentError::ParticipantRevoked);
}
