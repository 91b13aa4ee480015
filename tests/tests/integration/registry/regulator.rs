use super::*;

#[test]
fn regulator_administers_non_regulators() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, roles::REGULATOR);
    let wallet = Keypair::new();
    h.registry()
        .register(
            &regulator,
            participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + DAY),
        )
        .unwrap();
    assert_eq!(
        participant(&h, &wallet.pubkey()).registered_by,
        regulator.pubkey()
    );
    h.registry()
        .suspend(&regulator, &wallet.pubkey(), 5)
        .unwrap();
    h.registry()
        .reinstate(&regulator, &wallet.pubkey())
        .unwrap();
    h.registry()
        .revoke(&regulator, &wallet.pubkey(), 6)
        .unwrap();
    assert_eq!(
        participant(&h, &wallet.pubkey()).status,
        ParticipantStatus::Revoked
    );
}

#[test]
fn regulator_cannot_create_or_touch_regulators() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, roles::REGULATOR);
    let other_regulator = h.participant(&a, roles::REGULATOR);
    let wallet = Keypair::new();
    let r = h.registry().register(
        &regulator,
        participant_args(&wallet.pubkey(), roles::REGULATOR | roles::PAYER, T0 + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::RegulatorScope);
    expect_error(
        h.registry()
            .suspend(&regulator, &other_regulator.pubkey(), 1),
        &REGISTRY,
        RegistryError::RegulatorScope,
    );
    let d = h.participant(&a, roles::DISTRIBUTOR);
    let r = h.registry().update(
        &regulator,
        &d.pubkey(),
        UpdateParticipantArgs {
            roles: Some(roles::REGULATOR),
            ..Default::default()
        },
    );
    expect_error(r, &REGISTRY, RegistryError::RegulatorScope);
}

#[test]
fn suspended_regulator_cannot_administer() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, roles::REGULATOR);
    h.registry().suspend(&a, &regulator.pubkey(), 1).unwrap();
    let wallet = Keypair::new();
    let r = h.registry().register(
        &regulator,
        participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + 400 * DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::ParticipantSuspended);
}

#[test]
fn expired_regulator_cannot_administer() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, roles::REGULATOR);
    h.warp(366 * DAY);
    let wallet = Keypair::new();
    let r = h.registry().register(
        &regulator,
        participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, h.now() + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::ParticipantExpired);
}

#[test]
fn non_regulator_participant_cannot_administer() {
    let h = Harness::new();
    let a = h.init_registry();
    let payer = h.participant(&a, roles::PAYER);
    let wallet = Keypair::new();
    let r = h.registry().register(
        &payer,
        participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::MissingRole);
}

#[test]
fn regulator_account_of_another_wallet_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let regulator = h.participant(&a, roles::REGULATOR);
    let impostor = h.funded();
    let wallet = Keypair::new();
    let mut ix = reg::register_participant_ix(
        &impostor.pubkey(),
        &h.payer.pubkey(),
        participant_args(&wallet.pubkey(), roles::DISTRIBUTOR, T0 + DAY),
        true,
    );
    meta(&mut ix, "admin_participant").pubkey = reg::participant_pda(&regulator.pubkey()).0;
    expect_error(
        h.send(&[&impostor], &[ix]),
        &REGISTRY,
        RegistryError::WalletMismatch,
    );
}
