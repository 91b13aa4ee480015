use super::*;

#[test]
fn access_is_recorded_with_counters_and_an_audit_event() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.warp(100);
    let out = h
        .consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    let x = grant(&h, &g);
    assert_eq!((x.access_count, x.last_access_at), (1, T0 + 100));
    match out.events().as_slice() {
        [CaretrailEvent::Consent(ConsentEvent::AccessRecorded(e))] => {
            assert_eq!(
                (e.grant, e.patient, e.grantee),
                (g, t.patient.pubkey(), t.provider.pubkey())
            );
            assert_eq!(
                (e.class, e.action, e.purpose, e.access_count, e.emergency),
                (class::MEDICATIONS, action::ACCESS, purpose::TREAT, 1, false)
            );
            assert_eq!(
                e.resource_hash,
                caretrail_sdk::hash::sha256(&[b"fhir-bundle-1"])
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn access_outside_the_class_action_or_purpose_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let c = h.consent();
    expect_error(
        c.record_access(
            &t.provider,
            &g,
            access(class::GENOMICS, action::ACCESS, purpose::TREAT),
        ),
        &CONSENT,
        ConsentError::ClassNotCovered,
    );
    expect_error(
        c.record_access(
            &t.provider,
            &g,
            access(class::LABS, action::DISCLOSE, purpose::TREAT),
        ),
        &CONSENT,
        ConsentError::ActionNotCovered,
    );
    expect_error(
        c.record_access(
            &t.provider,
            &g,
            access(class::LABS, action::ACCESS, purpose::HRESCH),
        ),
        &CONSENT,
        ConsentError::PurposeNotCovered,
    );
    expect_error(
        c.record_access(
            &t.provider,
            &g,
            access(
                class::LABS | class::MEDICATIONS,
                action::ACCESS,
                purpose::TREAT,
            ),
        ),
        &CONSENT,
        ConsentError::InvalidCode,
    );
    assert_eq!(grant(&h, &g).access_count, 0);
}

#[test]
fn access_after_revoke_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    h.consent().revoke(&t.patient, &g).unwrap();
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::GrantRevoked,
    );
}

#[test]
fn access_after_expiry_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.warp(30 * DAY - 1);
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    h.warp(1);
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::GrantExpired,
    );
}

#[test]
fn access_before_the_period_starts_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let mut a = args(&h, treatment_scope(), 30);
    a.not_before = T0 + DAY;
    h.consent()
        .grant(&t.patient, &t.patient.pubkey(), &t.provider.pubkey(), 1, a)
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0;
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::GrantNotYetValid,
    );
    h.warp(DAY);
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
}

#[test]
fn only_the_grantee_records_access() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let other = h.participant(&t.authority, roles::PROVIDER);
    let r = h.send(
        &[&other],
        &[con::record_access_ix(
            &g,
            &t.patient.pubkey(),
            &other.pubkey(),
            med_access(),
        )],
    );
    expect_error(r, &CONSENT, ConsentError::NotGrantee);
    let wrong_patient = Keypair::new().pubkey();
    let r = h.send(
        &[&t.provider],
        &[con::record_access_ix(
            &g,
            &wrong_patient,
            &t.provider.pubkey(),
            med_access(),
        )],
    );
    expect_error(r, &CONSENT, ConsentError::PatientMismatch);
}

#[test]
fn a_grantee_whose_credential_lapsed_cannot_access() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.registry()
        .suspend(&t.authority, &t.provider.pubkey(), 2)
        .unwrap();
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::ParticipantSuspended,
    );
}

#[test]
fn check_access_matches_the_on_chain_rule() {
    let h = Harness::new();
    let t = h.care_team();
    let (p, v) = (t.patient.pubkey(), t.provider.pubkey());
    let d = con::check_access(
        &h.ledger,
        &p,
        &v,
        class::LABS,
        action::ACCESS,
        purpose::TREAT,
    )
    .unwrap();
    assert_eq!(
        d,
        con::Decision::Deny {
            reason: "no grant from this patient to this grantee".into()
        }
    );
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let d = con::check_access(
        &h.ledger,
        &p,
        &v,
        class::LABS,
        action::ACCESS,
        purpose::TREAT,
    )
    .unwrap();
    assert_eq!(
        d,
        con::Decision::Permit {
            grant: g.to_string(),
            emergency: false,
            expires_at: T0 + 30 * DAY
        }
    );
    let d = con::check_access(
        &h.ledger,
        &p,
        &v,
        class::GENOMICS,
        action::ACCESS,
        purpose::TREAT,
    )
    .unwrap();
    assert_eq!(
        d,
        con::Decision::Deny {
            reason: "the grant does not cover this data class".into()
        }
    );
    h.consent().revoke(&t.patient, &g).unwrap();
    assert!(!con::check_access(
        &h.ledger,
        &p,
        &v,
        class::LABS,
        action::ACCESS,
        purpose::TREAT
    )
    .unwrap()
    .is_permit());
}

#[test]
fn the_audit_trail_of_a_patient_lists_every_change_and_access() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    h.consent().revoke(&t.patient, &g).unwrap();
    let _ = h.consent().record_access(&t.provider, &g, med_access());
    let trail = con::audit_trail(&h.ledger, &t.patient.pubkey()).unwrap();
    let events: Vec<&str> = trail.iter().map(|e| e.event).collect();
    assert_eq!(
        events,
        ["GrantCreated", "AccessRecorded", "GrantRevoked"],
        "the denied access left no record"
    );
    assert_eq!(trail[1].by, t.provider.pubkey().to_string());
    assert_eq!(trail[1].detail["class"], serde_json::json!(["medications"]));
    assert_eq!(con::audit_trail(&h.ledger, &g).unwrap().len(), 3);
}
