//! consent: every instruction's happy path and rejections with exact error codes.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::consent::{
    self as con, action, class, purpose, AmendArgs, EmergencyArgs, GrantArgs, GrantStatus, Scope,
};
use caretrail_sdk::events::{CaretrailEvent, ConsentEvent};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use consent::error::ConsentError;
use solana_sdk::signature::{Keypair, Signer};

const CONSENT: Pubkey = consent::ID;

fn grant(h: &Harness, g: &Pubkey) -> con::ConsentGrant {
    con::fetch_grant(&h.ledger, g).unwrap().expect("grant")
}

fn args(h: &Harness, scope: Scope, days: i64) -> GrantArgs {
    GrantArgs {
        scope,
        not_before: h.now(),
        expires_at: h.now() + days * DAY,
        policy_hash: [7; 32],
    }
}

fn med_access() -> con::AccessArgs {
    access(class::MEDICATIONS, action::ACCESS, purpose::TREAT)
}

// ----------------------------------------------------------------------------- grant

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

// ----------------------------------------------------------------------------- request / approve / reject

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

// ----------------------------------------------------------------------------- record_access

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

// ----------------------------------------------------------------------------- amend / revoke / close

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

// ----------------------------------------------------------------------------- delegates

fn guardian_scope() -> Scope {
    Scope {
        classes: class::MEDICATIONS | class::LABS | class::IMMUNIZATIONS,
        actions: action::ACCESS | action::USE,
        purposes: purpose::TREAT | purpose::HPAYMT,
    }
}

#[test]
fn a_delegate_acts_within_its_scope() {
    let h = Harness::new();
    let t = h.care_team();
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
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
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
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
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
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
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
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

// ----------------------------------------------------------------------------- break-glass

fn emergency(days: i64, hours: i64) -> EmergencyArgs {
    EmergencyArgs {
        scope: Scope {
            classes: class::ALLERGIES | class::MEDICATIONS,
            actions: action::ACCESS,
            purposes: purpose::ETREAT,
        },
        duration_seconds: days * DAY + hours * 3600,
        justification_hash: [9; 32],
    }
}

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

// ----------------------------------------------------------------------------- SDK: decisions, listing, audit, sizes

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
fn grants_are_listed_by_patient_and_by_grantee() {
    let h = Harness::new();
    let t = h.care_team();
    let other = h.funded();
    h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    h.grant(
        &t,
        &t.payer_party,
        1,
        Scope {
            purposes: purpose::HPAYMT,
            ..treatment_scope()
        },
        30,
    );
    let args = args(&h, treatment_scope(), 30);
    h.consent()
        .grant(&other, &other.pubkey(), &t.provider.pubkey(), 1, args)
        .unwrap();
    assert_eq!(
        con::list_grants(&h.ledger, Some(&t.patient.pubkey()), None)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        con::list_grants(&h.ledger, None, Some(&t.provider.pubkey()))
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        con::list_grants(&h.ledger, Some(&other.pubkey()), Some(&t.provider.pubkey()))
            .unwrap()
            .len(),
        1
    );
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

#[test]
fn the_grant_account_stays_within_200_bytes() {
    // 158 bytes before the audit; + 32 for the guardian a delegate-made grant lives under.
    use anchor_lang::Space;
    let size = 8 + con::ConsentGrant::INIT_SPACE;
    println!("ConsentGrant: {size} bytes of data");
    assert!(size <= 200, "{size}");
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

// ----------------------------------------------------------------------------- FHIR, offline signing

#[test]
fn a_grant_exports_as_a_fhir_r4_consent_and_imports_back() {
    let h = Harness::new();
    let t = h.care_team();
    let g = h.grant(&t, &t.provider, 1, treatment_scope(), 30);
    let x = grant(&h, &g);
    let c = caretrail_sdk::fhir::consent_resource(&g, &x, h.now());
    assert_eq!(c["resourceType"], "Consent");
    assert_eq!(c["status"], "active");
    assert_eq!(c["scope"]["coding"][0]["code"], "treatment");
    assert_eq!(c["category"][0]["coding"][0]["code"], "59284-0");
    assert_eq!(
        c["patient"]["identifier"]["value"],
        t.patient.pubkey().to_string()
    );
    assert_eq!(c["dateTime"], "2026-06-01T00:00:00Z");
    assert!(c["policy"][0]["uri"]
        .as_str()
        .unwrap()
        .starts_with("urn:caretrail:policy:sha256:0707"));
    let p = &c["provision"];
    assert_eq!(p["type"], "permit");
    assert_eq!(p["period"]["end"], "2026-07-01T00:00:00Z");
    assert_eq!(
        p["actor"][0]["reference"]["identifier"]["value"],
        t.provider.pubkey().to_string()
    );
    assert_eq!(
        p["action"][0]["coding"][0]["system"],
        "http://terminology.hl7.org/CodeSystem/consentaction"
    );
    let codes = |k: &str| {
        p[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x["code"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes("purpose"), ["TREAT"]);
    assert_eq!(codes("class"), ["medications", "labs"]);
    // Import the provision as a request of the same scope and period.
    let (grantee, scope, start, end) = caretrail_sdk::fhir::request_from_consent(&c).unwrap();
    assert_eq!(
        (grantee, scope, start, end),
        (t.provider.pubkey(), treatment_scope(), T0, T0 + 30 * DAY)
    );
    h.consent()
        .request(
            &t.provider,
            &t.patient.pubkey(),
            2,
            GrantArgs {
                scope,
                not_before: start,
                expires_at: end,
                policy_hash: [7; 32],
            },
        )
        .unwrap();
    // Revoked grants export as inactive.
    h.consent().revoke(&t.patient, &g).unwrap();
    assert_eq!(
        caretrail_sdk::fhir::consent_resource(&g, &grant(&h, &g), h.now())["status"],
        "inactive"
    );
    assert!(caretrail_sdk::fhir::request_from_consent(
        &serde_json::json!({"resourceType": "Patient"})
    )
    .is_err());
}

#[test]
fn the_patient_signs_offline_and_the_signed_transaction_is_submitted() {
    use caretrail_sdk::offline;
    let h = Harness::new();
    let t = h.care_team();
    // The clinic's machine builds the grant; the clinic pays the fee; the patient signs elsewhere.
    let clinic = h.funded();
    let ix = con::grant_ix(
        &clinic.pubkey(),
        &caretrail_sdk::consent::GrantRequest {
            patient: &t.patient.pubkey(),
            grantee: &t.provider.pubkey(),
            authority: &t.patient.pubkey(),
            grant_id: 1,
            args: args(&h, treatment_scope(), 30),
        },
    );
    let mut tx = offline::build(
        &[ix],
        &clinic.pubkey(),
        &offline::Lifetime::Blockhash(h.ledger.latest_blockhash().unwrap()),
    );
    offline::sign(&mut tx, &[&clinic]).unwrap();
    assert_eq!(offline::missing_signers(&tx), [t.patient.pubkey()]);
    expect_instruction_error_free_submit_refused(&h, &tx);
    let exported = offline::to_base64(&tx);
    // The patient's wallet: decode, sign, hand back PUBKEY=SIGNATURE.
    let mut at_wallet = offline::from_base64(&exported).unwrap();
    let pair = offline::sign(&mut at_wallet, &[&t.patient])
        .unwrap()
        .remove(0);
    // Back at the clinic: a forged signature is refused, the real one accepted.
    let forged = format!(
        "{}={}",
        t.patient.pubkey(),
        Keypair::new().sign_message(&tx.message_data())
    );
    assert!(offline::attach(&mut tx, &forged)
        .unwrap_err()
        .to_string()
        .contains("does not match"));
    offline::attach(&mut tx, &pair).unwrap();
    offline::submit(&h.ledger, &tx).unwrap();
    assert_eq!(
        grant(
            &h,
            &con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0
        )
        .status,
        GrantStatus::Active
    );
}

fn expect_instruction_error_free_submit_refused(
    h: &Harness,
    tx: &solana_sdk::transaction::Transaction,
) {
    let err = caretrail_sdk::offline::submit(&h.ledger, tx).unwrap_err();
    assert!(err.to_string().contains("missing signatures"), "{err}");
}

#[test]
fn offline_signing_with_a_durable_nonce_survives_a_ledger_restart() {
    use caretrail_sdk::offline;
    use caretrail_sdk::registry::RegistryClient;
    let dir = tempfile::tempdir().unwrap();
    let (clinic, patient, provider, nonce) = (
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
    );
    let unsigned = {
        let ledger = caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap();
        for k in [&clinic, &patient, &provider] {
            ledger.request_airdrop(&k.pubkey(), 10_000_000_000).unwrap();
        }
        let reg = RegistryClient::new(&ledger, &clinic);
        reg.initialize(&clinic).unwrap();
        reg.register(
            &clinic,
            participant_args(
                &provider.pubkey(),
                roles::PROVIDER,
                ledger.get_clock().unwrap().unix_timestamp + 365 * DAY,
            ),
        )
        .unwrap();
        offline::create_nonce_account(&ledger, &clinic, &nonce, &clinic.pubkey()).unwrap();
        let value = offline::nonce_value(&ledger, &nonce.pubkey()).unwrap();
        let now = ledger.get_clock().unwrap().unix_timestamp;
        let ix = con::grant_ix(
            &clinic.pubkey(),
            &caretrail_sdk::consent::GrantRequest {
                patient: &patient.pubkey(),
                grantee: &provider.pubkey(),
                authority: &patient.pubkey(),
                grant_id: 1,
                args: GrantArgs {
                    scope: treatment_scope(),
                    not_before: now,
                    expires_at: now + 30 * DAY,
                    policy_hash: [1; 32],
                },
            },
        );
        let lifetime = offline::Lifetime::Nonce {
            account: nonce.pubkey(),
            authority: clinic.pubkey(),
            value,
        };
        let mut tx = offline::build(&[ix], &clinic.pubkey(), &lifetime);
        offline::sign(&mut tx, &[&clinic]).unwrap();
        offline::to_base64(&tx)
    };
    // Later, another process: the bank restarted (new blockhashes), the nonce still holds.
    drop(caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap());
    let mut tx = offline::from_base64(&unsigned).unwrap();
    let pair = offline::sign(&mut offline::from_base64(&unsigned).unwrap(), &[&patient])
        .unwrap()
        .remove(0);
    offline::attach(&mut tx, &pair).unwrap();
    let ledger = caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap();
    offline::submit(&ledger, &tx).unwrap();
    let g = con::fetch_grant(
        &ledger,
        &con::grant_pda(&patient.pubkey(), &provider.pubkey(), 1).0,
    )
    .unwrap()
    .unwrap();
    assert_eq!(g.status, GrantStatus::Active);
    // The nonce advanced: the same transaction cannot be replayed.
    assert!(offline::submit(&ledger, &tx).is_err());
}

// ----------------------------------------------------------------------------- audit findings 5, 6

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
