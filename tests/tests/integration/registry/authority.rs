use super::*;

#[test]
fn initialize_creates_config_with_signer_as_authority() {
    let h = Harness::new();
    let authority = h.funded();
    let out = h.registry().initialize(&authority).unwrap();
    let c = config(&h);
    assert_eq!(c.version, 1);
    assert_eq!(c.bump, reg::config_pda().1);
    assert_eq!(c.authority, authority.pubkey());
    assert_eq!(c.pending_authority, Pubkey::default());
    assert_eq!((c.participant_count, c.revoked_count), (0, 0));
    assert_eq!((c.created_at, c.updated_at), (T0, T0));
    match out.events().as_slice() {
        [CaretrailEvent::Registry(RegistryEvent::RegistryInitialized(e))] => {
            assert_eq!(e.authority, authority.pubkey());
            assert_eq!(e.registry, reg::config_pda().0);
            assert_eq!(e.timestamp, T0);
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn initialize_twice_is_rejected() {
    let h = Harness::new();
    h.init_registry();
    let attacker = h.funded();
    let r = h.registry().initialize(&attacker);
    expect_error(r, &REGISTRY, RegistryError::AlreadyInitialized);
    assert_ne!(config(&h).authority, attacker.pubkey());
}

#[test]
fn initialize_without_authority_signature_is_rejected() {
    let h = Harness::new();
    let authority = h.funded();
    let mut ix = reg::initialize_ix(&authority.pubkey(), None);
    meta(&mut ix, "authority").is_signer = false;
    expect_error(h.send(&[], &[ix]), &REGISTRY, AnchorError::AccountNotSigner);
}

#[test]
fn propose_and_accept_hands_over_authority() {
    let h = Harness::new();
    let old = h.init_registry();
    let new = h.funded();
    h.warp(60);
    h.registry().propose_authority(&old, &new.pubkey()).unwrap();
    assert_eq!(config(&h).pending_authority, new.pubkey());
    assert_eq!(config(&h).authority, old.pubkey());
    h.warp(60);
    let out = h.registry().accept_authority(&new).unwrap();
    let c = config(&h);
    assert_eq!(c.authority, new.pubkey());
    assert_eq!(c.pending_authority, Pubkey::default());
    assert_eq!(c.updated_at, T0 + 120);
    match out.events().as_slice() {
        [CaretrailEvent::Registry(RegistryEvent::AuthorityAccepted(e))] => {
            assert_eq!(
                (e.previous_authority, e.authority),
                (old.pubkey(), new.pubkey())
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn propose_by_non_authority_is_rejected() {
    let h = Harness::new();
    h.init_registry();
    let stranger = h.funded();
    let r = h
        .registry()
        .propose_authority(&stranger, &stranger.pubkey());
    expect_error(r, &REGISTRY, RegistryError::Unauthorized);
}

#[test]
fn propose_current_authority_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let r = h.registry().propose_authority(&a, &a.pubkey());
    expect_error(r, &REGISTRY, RegistryError::AuthorityUnchanged);
}

#[test]
fn accept_by_non_pending_key_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let pending = h.funded();
    let thief = h.funded();
    h.registry()
        .propose_authority(&a, &pending.pubkey())
        .unwrap();
    let r = h.registry().accept_authority(&thief);
    expect_error(r, &REGISTRY, RegistryError::NotPendingAuthority);
    assert_eq!(config(&h).authority, a.pubkey());
}

#[test]
fn accept_without_pending_handover_is_rejected() {
    let h = Harness::new();
    h.init_registry();
    let someone = h.funded();
    expect_error(
        h.registry().accept_authority(&someone),
        &REGISTRY,
        RegistryError::NoPendingAuthority,
    );
}

#[test]
fn cancelled_handover_cannot_be_accepted() {
    let h = Harness::new();
    let a = h.init_registry();
    let pending = h.funded();
    h.registry()
        .propose_authority(&a, &pending.pubkey())
        .unwrap();
    h.registry()
        .propose_authority(&a, &Pubkey::default())
        .unwrap();
    expect_error(
        h.registry().accept_authority(&pending),
        &REGISTRY,
        RegistryError::NoPendingAuthority,
    );
}

#[test]
fn previous_authority_loses_its_power_after_handover() {
    let h = Harness::new();
    let old = h.init_registry();
    let new = h.funded();
    h.registry().propose_authority(&old, &new.pubkey()).unwrap();
    h.registry().accept_authority(&new).unwrap();
    let wallet = Keypair::new();
    let r = h.registry().register(
        &old,
        participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::Unauthorized);
    h.registry()
        .register(
            &new,
            participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + DAY),
        )
        .unwrap();
}
