use super::*;

#[test]
fn narrowing_is_immediate() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let narrow = Scope {
        classes: class::LABS,
        ..treatment_scope()
    };
    let out = h
        .consent()
        .amend(
            &t.patient,
            &g,
            AmendArgs {
                scope: Some(narrow),
                expires_at: Some(T0 + 10 * DAY),
            },
        )
        .unwrap();
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Consent(ConsentEvent::GrantAmended(e))] if !e.widened)
    );
    let x = grant(&h, &g);
    assert_eq!((x.scope, x.expires_at), (narrow, T0 + 10 * DAY));
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::ClassNotCovered,
    );
}

#[test]
fn the_grantee_cannot_widen_and_the_patient_can() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let wide = Scope {
        classes: class::ALL,
        ..treatment_scope()
    };
    let mut ix = con::amend_ix(
        &g,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        AmendArgs {
            scope: Some(wide),
            expires_at: None,
        },
    );
    meta(&mut ix, "delegate").pubkey = consent::ID;
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &CONSENT,
        ConsentError::Unauthorized,
    );
    h.consent()
        .amend(
            &t.patient,
            &g,
            AmendArgs {
                scope: Some(wide),
                expires_at: Some(T0 + 60 * DAY),
            },
        )
        .unwrap();
    h.consent()
        .record_access(
            &t.provider,
            &g,
            access(class::GENOMICS, action::ACCESS, purpose::TREAT),
        )
        .unwrap();
    expect_error(
        h.consent().amend(&t.patient, &g, AmendArgs::default()),
        &CONSENT,
        ConsentError::EmptyAmendment,
    );
}

#[test]
fn a_stranger_cannot_revoke_and_revoking_twice_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let stranger = h.funded();
    let mut ix = con::revoke_ix(&g, &t.patient.pubkey(), &stranger.pubkey());
    meta(&mut ix, "delegate").pubkey = consent::ID;
    expect_error(
        h.send(&[&stranger], &[ix]),
        &CONSENT,
        ConsentError::Unauthorized,
    );
    h.consent().revoke(&t.patient, &g).unwrap();
    expect_error(
        h.consent().revoke(&t.patient, &g),
        &CONSENT,
        ConsentError::GrantRevoked,
    );
}

#[test]
fn closing_an_active_grant_is_rejected_and_closing_a_revoked_one_refunds_the_patient() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    expect_error(
        h.consent().close(&t.patient, &g),
        &CONSENT,
        ConsentError::GrantStillActive,
    );
    expect_error(
        h.consent().close(&t.provider, &g),
        &CONSENT,
        ConsentError::Unauthorized,
    );
    h.consent().revoke(&t.patient, &g).unwrap();
    let rent = h.ledger.get_account(&g).unwrap().unwrap().lamports;
    let before = h.ledger.get_balance(&t.patient.pubkey()).unwrap();
    h.consent().close(&t.patient, &g).unwrap();
    assert!(h.ledger.get_account(&g).unwrap().is_none());
    assert_eq!(
        h.ledger.get_balance(&t.patient.pubkey()).unwrap(),
        before + rent
    );
}

#[test]
fn an_expired_grant_can_be_closed() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 1);
    h.warp(DAY);
    h.consent().close(&t.patient, &g).unwrap();
}
