//! registry: every instruction's happy path and every rejection, with exact error codes.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::events::{CaretrailEvent, RegistryEvent};
use caretrail_sdk::registry::{
    self as reg, roles, ParticipantQuery, ParticipantStatus, UpdateParticipantArgs,
};
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use registry::error::RegistryError;
use solana_sdk::{
    account::Account,
    signature::{Keypair, Signer},
};

const REGISTRY: Pubkey = registry::ID;

fn config(h: &Harness) -> reg::RegistryConfig {
    reg::fetch_config(&h.ledger)
        .unwrap()
        .expect("registry config")
}

fn participant(h: &Harness, wallet: &Pubkey) -> reg::Participant {
    reg::fetch_participant(&h.ledger, wallet)
        .unwrap()
        .expect("participant")
}

// ----------------------------------------------------------------------------- initialize

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

// ----------------------------------------------------------------------------- authority handover

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

// ----------------------------------------------------------------------------- register

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

// ----------------------------------------------------------------------------- update

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

// ----------------------------------------------------------------------------- suspend / reinstate / revoke

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

// ----------------------------------------------------------------------------- delegated regulator

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

// ----------------------------------------------------------------------------- role check and reads

#[test]
fn role_check_follows_expiry_of_the_credential() {
    let h = Harness::new();
    let a = h.init_registry();
    let w = h.participant(&a, roles::DISPENSER | roles::PROVIDER);
    let p = participant(&h, &w.pubkey());
    assert!(p
        .require_role::<registry::error::RegistryError>(&w.pubkey(), roles::PROVIDER, h.now())
        .is_ok());
    assert_eq!(
        p.require_role::<registry::error::RegistryError>(&w.pubkey(), roles::PAYER, h.now()),
        Err(RegistryError::MissingRole.into())
    );
    h.warp(365 * DAY);
    assert_eq!(
        p.require_role::<registry::error::RegistryError>(&w.pubkey(), roles::PROVIDER, h.now()),
        Err(RegistryError::ParticipantExpired.into())
    );
}

#[test]
fn list_filters_by_status_role_and_gln() {
    let h = Harness::new();
    let a = h.init_registry();
    let m = h.participant(&a, roles::MANUFACTURER);
    let d = h.participant(&a, roles::DISTRIBUTOR);
    let p = h.participant(&a, roles::DISPENSER);
    h.registry().suspend(&a, &d.pubkey(), 1).unwrap();
    let gln = reg::parse_gln("4000001000005").unwrap();
    h.registry()
        .update(
            &a,
            &p.pubkey(),
            UpdateParticipantArgs {
                gln: Some(gln),
                ..Default::default()
            },
        )
        .unwrap();

    let all = reg::list_participants(&h.ledger, &ParticipantQuery::default()).unwrap();
    assert_eq!(all.len(), 3);
    let active = reg::list_participants(
        &h.ledger,
        &ParticipantQuery {
            status: Some(ParticipantStatus::Active),
            ..Default::default()
        },
    )
    .unwrap();
    let mut wallets: Vec<Pubkey> = active.iter().map(|(_, x)| x.wallet).collect();
    wallets.sort();
    let mut expected = vec![m.pubkey(), p.pubkey()];
    expected.sort();
    assert_eq!(wallets, expected);
    let trading = reg::list_participants(
        &h.ledger,
        &ParticipantQuery {
            any_role: Some(roles::MANUFACTURER | roles::DISTRIBUTOR),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(trading.len(), 2);
    let by_gln = reg::list_participants(
        &h.ledger,
        &ParticipantQuery {
            gln: Some(gln),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(by_gln.len(), 1);
    assert_eq!(by_gln[0].1.wallet, p.pubkey());
    assert_eq!(by_gln[0].0, reg::participant_pda(&p.pubkey()).0);
}

#[test]
fn failed_transaction_error_is_decoded_by_name() {
    let h = Harness::new();
    let a = h.init_registry();
    let wallet = Keypair::new();
    let mut args = participant_args(&wallet.pubkey(), roles::DISPENSER, T0 + DAY);
    args.gln = *b"0614141000006";
    let err = h.registry().register(&a, args).unwrap_err();
    let info = caretrail_sdk::error::decode(&err).unwrap();
    assert_eq!(
        (info.program.as_str(), info.code, info.name.as_str()),
        ("registry", 6006, "GlnCheckDigit")
    );
    assert!(err.to_string().contains("GlnCheckDigit"), "{err}");
}
