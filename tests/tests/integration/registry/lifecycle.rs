use super::*;

#[test]
fn update_changes_only_given_fields() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISTRIBUTOR);
    let before = participant(&h, &w.pubkey());
    h.warp(3600);
    let gln = reg::parse_gln("4000001000005").unwrap();
    let out = h
        .registry()
        .update(
            &a,
            &w.pubkey(),
            UpdateParticipantArgs {
                roles: Some(roles::DISTRIBUTOR | roles::LOGISTICS),
                gln: Some(gln),
                ..Default::default()
            },
        )
        .unwrap();
    let p = participant(&h, &w.pubkey());
    assert_eq!(p.roles, roles::DISTRIBUTOR | roles::LOGISTICS);
    assert_eq!(p.gln, gln);
    assert_eq!(p.credential_commitment, before.credential_commitment);
    assert_eq!(p.valid_until, before.valid_until);
    assert_eq!(p.updated_at, T0 + 3600);
    assert_eq!(p.registered_at, before.registered_at);
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Registry(RegistryEvent::ParticipantUpdated(e))] if e.gln == gln && e.updated_by == a.pubkey())
    );
}

#[test]
fn update_with_nothing_to_change_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISTRIBUTOR);
    let r = h
        .registry()
        .update(&a, &w.pubkey(), UpdateParticipantArgs::default());
    expect_error(r, &REGISTRY, RegistryError::EmptyUpdate);
}

#[test]
fn update_by_stranger_or_by_the_participant_itself_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISTRIBUTOR);
    let stranger = h.funded();
    let r = h.registry().update(
        &stranger,
        &w.pubkey(),
        UpdateParticipantArgs {
            roles: Some(roles::ALL),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::Unauthorized);
    // A participant cannot promote itself: it is no administrator (not a regulator).
    let r = h.registry().update(
        &w,
        &w.pubkey(),
        UpdateParticipantArgs {
            roles: Some(roles::ALL),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::MissingRole);
}

#[test]
fn update_with_bad_values_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISTRIBUTOR);
    let r = h.registry().update(
        &a,
        &w.pubkey(),
        UpdateParticipantArgs {
            gln: Some(*b"4000001000006"),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::GlnCheckDigit);
    let r = h.registry().update(
        &a,
        &w.pubkey(),
        UpdateParticipantArgs {
            credential_commitment: Some([0; 32]),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::InvalidCommitment);
    let r = h.registry().update(
        &a,
        &w.pubkey(),
        UpdateParticipantArgs {
            valid_until: Some(T0 - 1),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::InvalidValidity);
    let r = h.registry().update(
        &a,
        &w.pubkey(),
        UpdateParticipantArgs {
            roles: Some(0),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::InvalidRoles);
}

#[test]
fn update_of_revoked_participant_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISTRIBUTOR);
    h.registry().revoke(&a, &w.pubkey(), 7).unwrap();
    let r = h.registry().update(
        &a,
        &w.pubkey(),
        UpdateParticipantArgs {
            roles: Some(roles::DISPENSER),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::ParticipantRevoked);
}

#[test]
fn suspend_then_reinstate() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISPENSER);
    let out = h.registry().suspend(&a, &w.pubkey(), 42).unwrap();
    let p = participant(&h, &w.pubkey());
    assert_eq!(
        (p.status, p.status_reason),
        (ParticipantStatus::Suspended, 42)
    );
    assert_eq!(
        p.require_role::<registry::error::RegistryError>(&w.pubkey(), roles::DISPENSER, h.now()),
        Err(RegistryError::ParticipantSuspended.into())
    );
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Registry(RegistryEvent::ParticipantSuspended(e))] if e.reason_code == 42)
    );
    h.registry().reinstate(&a, &w.pubkey()).unwrap();
    let p = participant(&h, &w.pubkey());
    assert_eq!((p.status, p.status_reason), (ParticipantStatus::Active, 0));
    assert!(p
        .require_role::<registry::error::RegistryError>(&w.pubkey(), roles::DISPENSER, h.now())
        .is_ok());
}

#[test]
fn suspending_a_suspended_participant_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISPENSER);
    h.registry().suspend(&a, &w.pubkey(), 1).unwrap();
    expect_error(
        h.registry().suspend(&a, &w.pubkey(), 2),
        &REGISTRY,
        RegistryError::ParticipantSuspended,
    );
}

#[test]
fn reinstating_an_active_participant_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISPENSER);
    expect_error(
        h.registry().reinstate(&a, &w.pubkey()),
        &REGISTRY,
        RegistryError::NotSuspended,
    );
}

#[test]
fn suspend_by_stranger_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISPENSER);
    let competitor = h.participant(&a, roles::DISPENSER);
    expect_error(
        h.registry().suspend(&competitor, &w.pubkey(), 1),
        &REGISTRY,
        RegistryError::MissingRole,
    );
    let stranger = h.funded();
    expect_error(
        h.registry().suspend(&stranger, &w.pubkey(), 1),
        &REGISTRY,
        RegistryError::Unauthorized,
    );
}

#[test]
fn revoke_is_terminal_and_counted() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::PROVIDER);
    h.registry().suspend(&a, &w.pubkey(), 3).unwrap();
    let out = h.registry().revoke(&a, &w.pubkey(), 9).unwrap();
    let p = participant(&h, &w.pubkey());
    assert_eq!((p.status, p.status_reason), (ParticipantStatus::Revoked, 9));
    assert_eq!(config(&h).revoked_count, 1);
    assert!(
        matches!(out.events().as_slice(), [CaretrailEvent::Registry(RegistryEvent::ParticipantRevoked(e))] if e.reason_code == 9)
    );
    expect_error(
        h.registry().revoke(&a, &w.pubkey(), 9),
        &REGISTRY,
        RegistryError::ParticipantRevoked,
    );
    expect_error(
        h.registry().reinstate(&a, &w.pubkey()),
        &REGISTRY,
        RegistryError::ParticipantRevoked,
    );
    expect_error(
        h.registry().suspend(&a, &w.pubkey(), 1),
        &REGISTRY,
        RegistryError::ParticipantRevoked,
    );
    assert_eq!(
        p.require_role::<registry::error::RegistryError>(&w.pubkey(), roles::PROVIDER, h.now()),
        Err(RegistryError::ParticipantRevoked.into())
    );
}
