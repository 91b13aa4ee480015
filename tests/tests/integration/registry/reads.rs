use super::*;

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
