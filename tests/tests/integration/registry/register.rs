use super::*;

#[test]
fn register_stores_exact_participant_and_counts_it() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let args = participant_args(
        &wallet.pubkey(),
        roles::MANUFACTURER | roles::REPACKAGER,
        T0 + 365 * DAY,
    );
    let out = h.registry().register(&a, args.clone()).unwrap();
    let p = participant(&h, &wallet.pubkey());
    assert_eq!(p.version, 1);
    assert_eq!(p.bump, reg::participant_pda(&wallet.pubkey()).1);
    assert_eq!(p.status, ParticipantStatus::Active);
    assert_eq!(p.roles, roles::MANUFACTURER | roles::REPACKAGER);
    assert_eq!(p.wallet, wallet.pubkey());
    assert_eq!(&p.gln, b"0614141000005");
    assert_eq!(p.credential_commitment, args.credential_commitment);
    assert_eq!(p.valid_until, T0 + 365 * DAY);
    assert_eq!((p.registered_at, p.updated_at), (T0, T0));
    assert_eq!(p.registered_by, a.pubkey());
    assert_eq!(p.status_reason, 0);
    assert_eq!(config(&h).participant_count, 1);
    match out.events().as_slice() {
        [CaretrailEvent::Registry(RegistryEvent::ParticipantRegistered(e))] => {
            assert_eq!(e.wallet, wallet.pubkey());
            assert_eq!(e.participant, reg::participant_pda(&wallet.pubkey()).0);
            assert_eq!(e.roles, p.roles);
            assert_eq!(e.credential_commitment, args.credential_commitment);
        }
        other => panic!("unexpected events {other:?}"),
    }
}

#[test]
fn register_by_stranger_is_rejected() {
    let h = Harness::new();
    h.init_registry();
    let stranger = h.funded();
    let r = h.registry().register(
        &stranger,
        participant_args(&stranger.pubkey(), roles::DISPENSER, T0 + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::Unauthorized);
}

#[test]
fn register_without_admin_signature_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let mut ix = reg::register_participant_ix(
        &a.pubkey(),
        &h.payer.pubkey(),
        participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY),
        false,
    );
    meta(&mut ix, "admin").is_signer = false;
    expect_error(h.send(&[], &[ix]), &REGISTRY, AnchorError::AccountNotSigner);
}

#[test]
fn register_with_malformed_gln_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let mut args = participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY);
    args.gln = *b"06141410000A5";
    expect_error(
        h.registry().register(&a, args),
        &REGISTRY,
        RegistryError::InvalidGln,
    );
}

#[test]
fn register_with_wrong_gln_check_digit_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let mut args = participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY);
    args.gln = *b"0614141000006";
    expect_error(
        h.registry().register(&a, args),
        &REGISTRY,
        RegistryError::GlnCheckDigit,
    );
}

#[test]
fn register_with_no_or_undefined_roles_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let r = h
        .registry()
        .register(&a, participant_args(&wallet.pubkey(), 0, T0 + DAY));
    expect_error(r, &REGISTRY, RegistryError::InvalidRoles);
    let r = h.registry().register(
        &a,
        participant_args(&wallet.pubkey(), roles::PAYER | (1 << 13), T0 + DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::InvalidRoles);
}

#[test]
fn register_with_zero_commitment_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let mut args = participant_args(&wallet.pubkey(), roles::PROVIDER, T0 + DAY);
    args.credential_commitment = [0; 32];
    expect_error(
        h.registry().register(&a, args),
        &REGISTRY,
        RegistryError::InvalidCommitment,
    );
}

#[test]
fn register_with_past_validity_is_rejected() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let r = h
        .registry()
        .register(&a, participant_args(&wallet.pubkey(), roles::PROVIDER, T0));
    expect_error(r, &REGISTRY, RegistryError::InvalidValidity);
}

#[test]
fn duplicate_registration_is_rejected_and_keeps_the_original() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    h.registry()
        .register(
            &a,
            participant_args(&wallet.pubkey(), roles::PROVIDER, T0 + DAY),
        )
        .unwrap();
    let r = h.registry().register(
        &a,
        participant_args(&wallet.pubkey(), roles::PAYER, T0 + 2 * DAY),
    );
    expect_error(r, &REGISTRY, RegistryError::AlreadyRegistered);
    let p = participant(&h, &wallet.pubkey());
    assert_eq!((p.roles, p.valid_until), (roles::PROVIDER, T0 + DAY));
    assert_eq!(config(&h).participant_count, 1);
}

#[test]
fn registry_config_passed_as_admin_participant_is_rejected() {
    // Type cosplay: the config account has another discriminator.
    let h = Harness::new();
    let a = h.init_registry();
    let stranger = h.funded();
    let wallet = Keypair::new();
    let mut ix = reg::register_participant_ix(
        &stranger.pubkey(),
        &h.payer.pubkey(),
        participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY),
        true,
    );
    meta(&mut ix, "admin_participant").pubkey = reg::config_pda().0;
    expect_error(
        h.send(&[&stranger], &[ix]),
        &REGISTRY,
        AnchorError::AccountDiscriminatorMismatch,
    );
    let _ = a;
}

#[test]
fn forged_participant_owned_by_another_program_is_rejected() {
    let h = Harness::new();
    h.init_registry();
    let forger = h.funded();
    // A byte-perfect regulator Participant, but owned by the system program.
    let real = {
        let h2 = Harness::new();
        let a2 = h2.init_registry();
        h2.registry()
            .register(
                &a2,
                participant_args(&forger.pubkey(), roles::REGULATOR, T0 + DAY),
            )
            .unwrap();
        h2.ledger
            .get_account(&reg::participant_pda(&forger.pubkey()).0)
            .unwrap()
            .unwrap()
    };
    let fake = Keypair::new().pubkey();
    h.ledger
        .set_account(
            &fake,
            Account {
                owner: anchor_lang::system_program::ID,
                ..real
            },
        )
        .unwrap();
    let wallet = Keypair::new();
    let mut ix = reg::register_participant_ix(
        &forger.pubkey(),
        &h.payer.pubkey(),
        participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY),
        true,
    );
    meta(&mut ix, "admin_participant").pubkey = fake;
    expect_error(
        h.send(&[&forger], &[ix]),
        &REGISTRY,
        AnchorError::AccountOwnedByWrongProgram,
    );
}
