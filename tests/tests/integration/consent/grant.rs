use super::*;

#[test]
fn patient_grant_stores_exact_state() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let x = grant(&h, &g);
    assert_eq!(
        (x.version, x.bump),
        (
            1,
            con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).1
        )
    );
    assert_eq!(
        (x.status, x.emergency, x.by_delegate, x.reviewed),
        (GrantStatus::Active, false, false, false)
    );
    assert_eq!(x.scope, treatment_scope());
    assert_eq!(
        (x.patient, x.grantee),
        (t.patient.pubkey(), t.provider.pubkey())
    );
    assert_eq!((x.not_before, x.expires_at), (T0, T0 + 30 * DAY));
    assert_eq!(x.policy_hash, [7; 32]);
    assert_eq!(
        (x.created_at, x.updated_at, x.access_count, x.last_access_at),
        (T0, T0, 0, 0)
    );
}

#[test]
fn grant_by_anyone_but_the_patient_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let a = args(&h, treatment_scope(), 30);
    // The provider tries to grant itself access to the patient's data.
    let r = h
        .consent()
        .grant(&t.provider, &t.patient.pubkey(), &t.provider.pubkey(), 1, a);
    expect_error(r, &CONSENT, AnchorError::AccountNotInitialized);
    let stranger = h.funded();
    let ix = con::grant_ix(
        &h.payer.pubkey(),
        &caretrail_sdk::consent::GrantRequest {
            patient: &t.patient.pubkey(),
            grantee: &t.provider.pubkey(),
            authority: &stranger.pubkey(),
            grant_id: 1,
            args: args(&h, treatment_scope(), 30),
        },
    );
    let mut ix = ix;
    // Without a delegate account: the program sees no authority.
    meta(&mut ix, "delegate").pubkey = consent::ID;
    expect_error(
        h.send(&[&stranger], &[ix]),
        &CONSENT,
        ConsentError::Unauthorized,
    );
}

#[test]
fn grant_to_an_unregistered_or_unsuitable_grantee_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let nobody = Keypair::new();
    let r = h.consent().grant(
        &t.patient,
        &t.patient.pubkey(),
        &nobody.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, AnchorError::AccountNotInitialized);
    let distributor = h.participant(&t.authority, roles::DISTRIBUTOR);
    let r = h.consent().grant(
        &t.patient,
        &t.patient.pubkey(),
        &distributor.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, ConsentError::RoleNotAllowed);
    h.registry()
        .suspend(&t.authority, &t.provider.pubkey(), 1)
        .unwrap();
    let r = h.consent().grant(
        &t.patient,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, ConsentError::ParticipantSuspended);
}

#[test]
fn grant_with_bad_scope_or_period_is_rejected() {
    let h = Harness::new();
    let t = h.care_team();
    let mut a = args(&h, treatment_scope(), 30);
    a.scope.purposes = 0;
    expect_error(
        h.consent()
            .grant(&t.patient, &t.patient.pubkey(), &t.provider.pubkey(), 1, a),
        &CONSENT,
        ConsentError::InvalidScope,
    );
    let mut a = args(&h, treatment_scope(), 30);
    a.scope.classes = 1 << 14;
    expect_error(
        h.consent()
            .grant(&t.patient, &t.patient.pubkey(), &t.provider.pubkey(), 1, a),
        &CONSENT,
        ConsentError::InvalidScope,
    );
    let mut a = args(&h, treatment_scope(), 30);
    a.expires_at = a.not_before;
    expect_error(
        h.consent()
            .grant(&t.patient, &t.patient.pubkey(), &t.provider.pubkey(), 1, a),
        &CONSENT,
        ConsentError::InvalidPeriod,
    );
}

#[test]
fn a_grant_id_cannot_be_reused_and_many_grants_per_pair_are_allowed() {
    let h = Harness::new();
    let t = h.care_team();
    h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let r = h.consent().grant(
        &t.patient,
        &t.patient.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, treatment_scope(), 60),
    );
    expect_error(r, &CONSENT, ConsentError::GrantIdInUse);
    h.grant(
        &t,
        &t.provider,
        2,
        Scope {
            purposes: purpose::HOPERAT,
            ..treatment_scope()
        },
        60,
    );
    assert_eq!(
        con::list_grants(
            &h.ledger,
            Some(&t.patient.pubkey()),
            Some(&t.provider.pubkey())
        )
        .unwrap()
        .len(),
        2
    );
}

#[test]
fn a_patient_cannot_be_their_own_grantee() {
    let h = Harness::new();
    let t = h.care_team();
    let r = h.consent().grant(
        &t.provider,
        &t.provider.pubkey(),
        &t.provider.pubkey(),
        1,
        args(&h, treatment_scope(), 30),
    );
    expect_error(r, &CONSENT, ConsentError::SelfGrant);
}
