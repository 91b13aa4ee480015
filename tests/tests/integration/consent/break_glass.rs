use super::*;

#[test]
fn break_glass_is_flagged_counted_and_bounded() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .emergency(&t.provider, &t.patient.pubkey(), 1, emergency(1, 0))
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0;
    let x = grant(&h, &g);
    assert!(x.emergency && !x.reviewed);
    assert_eq!(
        (x.status, x.not_before, x.expires_at),
        (GrantStatus::Active, T0, T0 + DAY)
    );
    let rec = con::fetch_patient_record(&h.ledger, &t.patient.pubkey())
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            rec.emergency_count,
            rec.unreviewed_emergencies,
            rec.last_emergency_at
        ),
        (1, 1, T0)
    );
    h.consent()
        .record_access(
            &t.provider,
            &g,
            access(class::ALLERGIES, action::ACCESS, purpose::ETREAT),
        )
        .unwrap();
    h.warp(DAY);
    expect_error(
        h.consent().record_access(
            &t.provider,
            &g,
            access(class::ALLERGIES, action::ACCESS, purpose::ETREAT),
        ),
        &CONSENT,
        ConsentError::GrantExpired,
    );
    // The patient reviews it.
    h.consent().review_emergency(&t.patient, &g).unwrap();
    let rec = con::fetch_patient_record(&h.ledger, &t.patient.pubkey())
        .unwrap()
        .unwrap();
    assert_eq!((rec.emergency_count, rec.unreviewed_emergencies), (1, 0));
    expect_error(
        h.consent().review_emergency(&t.patient, &g),
        &CONSENT,
        ConsentError::NotUnreviewedEmergency,
    );
}

#[test]
fn break_glass_by_a_non_provider_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let r = h
        .consent()
        .emergency(&t.payer_party, &t.patient.pubkey(), 1, emergency(0, 2));
    expect_error(r, &CONSENT, ConsentError::RoleNotAllowed);
    let stranger = h.funded();
    expect_error(
        h.consent()
            .emergency(&stranger, &t.patient.pubkey(), 1, emergency(0, 2)),
        &CONSENT,
        AnchorError::AccountNotInitialized,
    );
}

#[test]
fn break_glass_beyond_24_hours_or_for_another_purpose_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    expect_error(
        h.consent()
            .emergency(&t.provider, &t.patient.pubkey(), 1, emergency(1, 1)),
        &CONSENT,
        ConsentError::EmergencyTooLong,
    );
    let mut a = emergency(0, 1);
    a.scope.purposes = purpose::TREAT;
    expect_error(
        h.consent()
            .emergency(&t.provider, &t.patient.pubkey(), 1, a),
        &CONSENT,
        ConsentError::EmergencyPurpose,
    );
}

#[test]
fn an_emergency_grant_cannot_be_extended() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .emergency(&t.provider, &t.patient.pubkey(), 1, emergency(0, 4))
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0;
    let r = h.consent().amend(
        &t.patient,
        &g,
        AmendArgs {
            scope: None,
            expires_at: Some(T0 + 2 * DAY),
        },
    );
    expect_error(r, &CONSENT, ConsentError::EmergencyPurpose);
    // Narrowing it (ending it early) is fine.
    h.consent()
        .amend(
            &t.patient,
            &g,
            AmendArgs {
                scope: None,
                expires_at: Some(T0 + 3600),
            },
        )
        .unwrap();
}

#[test]
fn only_the_patient_reviews_break_glass() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .emergency(&t.provider, &t.patient.pubkey(), 1, emergency(0, 4))
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0;
    let mut ix = con::review_emergency_ix(&g, &t.provider.pubkey());
    meta(&mut ix, "patient_record").pubkey = con::patient_record_pda(&t.patient.pubkey()).0;
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &CONSENT,
        ConsentError::Unauthorized,
    );
}

/// Audit finding 6: one open break-glass grant per provider and patient; a new one only after
/// the last expired; a cap on unreviewed ones per patient; no closing before review.
#[test]
fn break_glass_cannot_be_renewed_stacked_or_hidden() {
    let h = Harness::new();
    let t = h.care_team();
    let patient = t.patient.pubkey();
    h.consent()
        .emergency(&t.provider, &patient, 1, emergency(0, 2))
        .unwrap();
    // A second one while the first is open (another id) is refused.
    expect_error(
        h.consent()
            .emergency(&t.provider, &patient, 2, emergency(0, 2)),
        &CONSENT,
        ConsentError::EmergencyStillOpen,
    );
    let log = con::fetch_breakglass(&h.ledger, &patient, &t.provider.pubkey())
        .unwrap()
        .expect("break-glass log");
    assert_eq!((log.count, log.expires_at), (1, T0 + 2 * 3600));
    // After it expired: a new one is allowed.
    h.warp(2 * 3600);
    h.consent()
        .emergency(&t.provider, &patient, 2, emergency(0, 2))
        .unwrap();
    // An unreviewed emergency grant cannot be closed to escape review, even expired.
    let g1 = con::grant_pda(&patient, &t.provider.pubkey(), 1).0;
    expect_error(
        h.consent().close(&t.patient, &g1),
        &CONSENT,
        ConsentError::EmergencyUnreviewed,
    );
    // Other providers add up to the cap of unreviewed emergencies for the patient.
    let other = h.participant(&t.authority, roles::PROVIDER);
    h.consent()
        .emergency(&other, &patient, 1, emergency(0, 1))
        .unwrap();
    let rec = con::fetch_patient_record(&h.ledger, &patient)
        .unwrap()
        .unwrap();
    assert_eq!(
        rec.unreviewed_emergencies,
        consent::constants::MAX_UNREVIEWED_EMERGENCIES
    );
    let third = h.participant(&t.authority, roles::PROVIDER);
    expect_error(
        h.consent().emergency(&third, &patient, 1, emergency(0, 1)),
        &CONSENT,
        ConsentError::TooManyUnreviewedEmergencies,
    );
    // Once the patient reviews one, break-glass works again, and a reviewed expired grant
    // can be closed.
    h.consent().review_emergency(&t.patient, &g1).unwrap();
    h.consent()
        .emergency(&third, &patient, 1, emergency(0, 1))
        .unwrap();
    h.consent().close(&t.patient, &g1).unwrap();
}
