use super::*;

#[test]
fn a_delegate_acts_within_its_scope() {
    let h = Harness::new();
    let t = h.care_team();
    name_guardian(&h, &t);
    h.consent()
        .grant(
            &t.guardian,
            &t.patient.pubkey(),
            &t.provider.pubkey(),
            1,
            args(&h, treatment_scope(), 30),
        )
        .unwrap();
    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0;
    assert!(grant(&h, &g).by_delegate);
    h.consent()
        .amend(
            &t.guardian,
            &g,
            AmendArgs {
                scope: Some(Scope {
                    classes: class::LABS,
                    ..treatment_scope()
                }),
                expires_at: None,
            },
        )
        .unwrap();
    h.consent().revoke(&t.guardian, &g).unwrap();
    assert_eq!(grant(&h, &g).status, GrantStatus::Revoked);
}

#[test]
fn a_delegate_outside_its_scope_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    name_guardian(&h, &t);
    let genomics = Scope {
        classes: class::GENOMICS,
        ..treatment_scope()
    };
    let r = h.consent().grant(
        &t.guardian,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, genomics, 30),
    );
    expect_error(r, &CONSENT, ConsentError::DelegateOutOfScope);
    // Nor can it revoke a grant wider than its scope.
    let g = h.grant(&t, &t.provider, 2, genomics, 30);
    expect_error(
        h.consent().revoke(&t.guardian, &g),
        &CONSENT,
        ConsentError::DelegateOutOfScope,
    );
}

#[test]
fn an_expired_delegate_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .set_delegate(&t.patient, &t.guardian.pubkey(), guardian_scope(), T0 + DAY)
        .unwrap();
    h.warp(DAY);
    let r = h.consent().grant(
        &t.guardian,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, ConsentError::DelegateExpired);
}

#[test]
fn a_delegate_cannot_widen() {
    let h = Harness::new();
    let t = h.care_team();
    name_guardian(&h, &t);
    let g = h.grant(
        &t,
        &t.provider,
        1,
        Scope {
            classes: class::LABS,
            ..treatment_scope()
        },
        30,
    );
    let r = h.consent().amend(
        &t.guardian,
        &g,
        AmendArgs {
            scope: Some(treatment_scope()),
            expires_at: None,
        },
    );
    expect_error(r, &CONSENT, ConsentError::WideningNeedsPatient);
    let r = h.consent().amend(
        &t.guardian,
        &g,
        AmendArgs {
            scope: None,
            expires_at: Some(T0 + 90 * DAY),
        },
    );
    expect_error(r, &CONSENT, ConsentError::WideningNeedsPatient);
}

#[test]
fn a_delegate_of_another_patient_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let other_patient = h.funded();
    h.consent()
        .set_delegate(
            &other_patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
    let mut ix = con::grant_ix(
        &h.payer.pubkey(),
        &caretrail_sdk::consent::GrantRequest {
            patient: &t.patient.pubkey(),
            grantee: &t.provider.pubkey(),
            authority: &t.guardian.pubkey(),
            grant_id: 1,
            args: args(&h, treatment_scope(), 30),
        },
    );
    meta(&mut ix, "delegate").pubkey =
        con::delegate_pda(&other_patient.pubkey(), &t.guardian.pubkey()).0;
    expect_error(
        h.send(&[&t.guardian], &[ix]),
        &CONSENT,
        ConsentError::DelegateMismatch,
    );
}

#[test]
fn a_removed_delegate_has_no_power() {
    let h = Harness::new();
    let t = h.care_team();
    name_guardian(&h, &t);
    let out = h
        .consent()
        .remove_delegate(&t.patient, &t.guardian.pubkey())
        .unwrap();
    assert!(matches!(
        out.events().as_slice(),
        [CaretrailEvent::Consent(ConsentEvent::DelegateRemoved(_))]
    ));
    let r = h.consent().grant(
        &t.guardian,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, AnchorError::AccountNotInitialized);
    expect_error(
        h.consent()
            .remove_delegate(&t.guardian, &t.guardian.pubkey()),
        &CONSENT,
        AnchorError::AccountNotInitialized,
    );
}

#[test]
fn a_delegate_account_passed_as_a_grant_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .set_delegate(&t.patient, &t.guardian.pubkey(), guardian_scope(), T0 + DAY)
        .unwrap();
    let d = con::delegate_pda(&t.patient.pubkey(), &t.guardian.pubkey()).0;
    let r = h.send(
        &[&t.provider],
        &[con::record_access_ix(
            &d,
            &t.patient.pubkey(),
            &t.provider.pubkey(),
            med_access(),
        )],
    );
    expect_error(r, &CONSENT, AnchorError::AccountDiscriminatorMismatch);
}

/// Audit finding 5: a grant a guardian makes ends no later than the guardianship, and access
/// under it stops when the patient removes the guardian (or the delegation expires), even
/// though the grant itself is still in period.
#[test]
fn a_guardians_grant_ends_with_the_guardianship() {
    let h = Harness::new();
    let t = h.care_team();
    let (patient, provider) = (t.patient.pubkey(), t.provider.pubkey());
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 10 * DAY,
        )
        .unwrap();
    // Asked for 30 days, clamped to the delegation's 10.
    h.consent()
        .grant(
            &t.guardian,
            &patient,
            &provider,
            1,
            args(&h, treatment_scope(), 30),
        )
        .unwrap();
    let g = con::grant_pda(&patient, &provider, 1).0;
    let x = grant(&h, &g);
    assert_eq!(x.expires_at, T0 + 10 * DAY);
    assert_eq!(x.delegate, t.guardian.pubkey());
    assert!(x.by_delegate);
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    // The patient removes the guardian: the grant is still Active and in period, but access
    // under it is refused.
    h.consent()
        .remove_delegate(&t.patient, &t.guardian.pubkey())
        .unwrap();
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::DelegationEnded,
    );
    // Naming the guardian again later does not revive a grant made under the old delegation.
    h.warp(60);
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 20 * DAY,
        )
        .unwrap();
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::DelegationEnded,
    );
    // Leaving the delegate account out is refused too.
    let ix = con::record_access_ix(&g, &patient, &provider, med_access());
    expect_error(
        h.send(&[&t.provider], &[ix]),
        &CONSENT,
        ConsentError::DelegationEnded,
    );
}

/// A guardian's approval of a request is clamped to the delegation; an expired delegation ends
/// access under it; a grant the patient adopts (amends) no longer depends on the guardian.
#[test]
fn a_guardians_approval_is_clamped_and_expires_with_the_delegation() {
    let h = Harness::new();
    let t = h.care_team();
    let (patient, provider) = (t.patient.pubkey(), t.provider.pubkey());
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 5 * DAY,
        )
        .unwrap();
    h.consent()
        .request(&t.provider, &patient, 1, args(&h, treatment_scope(), 60))
        .unwrap();
    let g = con::grant_pda(&patient, &provider, 1).0;
    h.consent().approve(&t.guardian, &g).unwrap();
    let x = grant(&h, &g);
    assert_eq!(
        (x.status, x.expires_at),
        (GrantStatus::Active, T0 + 5 * DAY)
    );
    assert_eq!(x.delegate, t.guardian.pubkey());
    h.consent()
        .record_access(&t.provider, &g, med_access())
        .unwrap();
    // A second grant, made by the patient, is independent of the guardian.
    let own = h.grant(&t, &t.provider, 2, treatment_scope(), 60);
    assert_eq!(grant(&h, &own).delegate, Pubkey::default());
    h.warp(5 * DAY);
    // The first grant expired with the delegation; the patient's own grant still works.
    expect_error(
        h.consent().record_access(&t.provider, &g, med_access()),
        &CONSENT,
        ConsentError::GrantExpired,
    );
    h.consent()
        .record_access(&t.provider, &own, med_access())
        .unwrap();
}
