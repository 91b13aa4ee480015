use super::*;

#[test]
fn a_payer_holds_a_vault_of_its_mint_for_token_and_token_2022() {
    for program in token_program_ids() {
        let h = Harness::new();
        let p = h.plan(&program);
        let x = payer(&h, &p);
        assert_eq!(
            (x.authority, x.mint, x.vault, x.token_program),
            (p.insurer.pubkey(), p.mint, p.vault, program)
        );
        assert_eq!(
            (x.auto_approve_limit, x.daily_limit, x.appeal_window),
            (AUTO_APPROVE_LIMIT, DAILY_LIMIT, APPEAL_WINDOW)
        );
        assert_eq!(
            (
                x.total_funded,
                x.total_paid,
                x.total_reversed,
                x.adjudicator_count
            ),
            (FUNDED, 0, 0, 1)
        );
        assert_eq!(h.token_balance(&p.vault), FUNDED);
        let vault = h.ledger.get_account(&p.vault).unwrap().unwrap();
        assert_eq!(vault.owner, program);
        assert_eq!(
            &vault.data[32..64],
            p.payer.as_ref(),
            "the vault's owner is the payer PDA"
        );
    }
}

#[test]
fn only_a_registered_payer_creates_a_payer_once() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let args = PayerArgs {
        auto_approve_limit: 1,
        daily_limit: 1,
        appeal_window: 0,
        adjudicators: vec![],
    };
    let r = h
        .claims()
        .init_payer(&p.insurer, &p.mint, &anchor_spl::token::ID, args.clone());
    expect_error(r, &CLAIMS, ClaimsError::AlreadyInitialized);
    let r = h
        .claims()
        .init_payer(&p.provider, &p.mint, &anchor_spl::token::ID, args);
    expect_error(r, &CLAIMS, ClaimsError::RoleNotAllowed);
}

#[test]
fn funding_checks_the_mint_and_the_amount() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let other_mint = h.create_mint(&anchor_spl::token::ID, &p.insurer.pubkey(), 2);
    let other_token = h.create_ata(&p.insurer.pubkey(), &other_mint, &anchor_spl::token::ID);
    h.mint_to(
        &anchor_spl::token::ID,
        &other_mint,
        &other_token,
        &p.insurer,
        1_000,
    );
    let r = h.claims().fund(&p.payer, &p.insurer, &other_token, 1_000);
    expect_error(r, &CLAIMS, AnchorError::ConstraintTokenMint);
    let insurer_token = anchor_spl::associated_token::get_associated_token_address_with_program_id(
        &p.insurer.pubkey(),
        &p.mint,
        &anchor_spl::token::ID,
    );
    expect_error(
        h.claims().fund(&p.payer, &p.insurer, &insurer_token, 0),
        &CLAIMS,
        ClaimsError::InvalidAmount,
    );
    let sponsor = h.funded();
    let sponsor_token = h.create_ata(&sponsor.pubkey(), &p.mint, &anchor_spl::token::ID);
    h.mint_to(
        &anchor_spl::token::ID,
        &p.mint,
        &sponsor_token,
        &p.insurer,
        7_000,
    );
    h.claims()
        .fund(&p.payer, &sponsor, &sponsor_token, 7_000)
        .unwrap();
    assert_eq!(
        (payer(&h, &p).total_funded, h.token_balance(&p.vault)),
        (FUNDED + 7_000, FUNDED + 7_000)
    );
}

#[test]
fn a_payer_names_at_most_three_adjudicators() {
    let h = Harness::new();
    let a = h.init_registry();
    let insurer = h.participant(&a, roles::PAYER);
    let mint = h.create_mint(&anchor_spl::token::ID, &insurer.pubkey(), 2);
    let args = PayerArgs {
        auto_approve_limit: 1,
        daily_limit: 1,
        appeal_window: 0,
        adjudicators: (0..4).map(|_| Pubkey::new_unique()).collect(),
    };
    expect_error(
        h.claims()
            .init_payer(&insurer, &mint, &anchor_spl::token::ID, args),
        &CLAIMS,
        ClaimsError::TooManyAdjudicators,
    );
}

#[test]
fn the_vault_balance_is_funded_minus_paid_plus_reversed() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token_2022::ID);
    let mut paid = Vec::new();
    for (i, amount) in [5_000u64, 7_000, 11_000].into_iter().enumerate() {
        let c = h.submit(&p, &format!("V{i}"), amount);
        h.claims()
            .adjudicate(&p.insurer, None, &c, amount, 0)
            .unwrap();
        h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
        paid.push(c);
    }
    h.claims()
        .reverse(&p.insurer, &p.provider, &paid[1], &p.provider_token, 1)
        .unwrap();
    let x = payer(&h, &p);
    assert_eq!(
        (x.total_paid, x.total_reversed),
        (4_000 + 7_000 + 11_000, 7_000)
    );
    assert_eq!(
        h.token_balance(&p.vault),
        x.total_funded - x.total_paid + x.total_reversed
    );
    assert_eq!(h.token_balance(&p.provider_token), 4_000 + 11_000);
}

#[test]
fn an_insurer_watches_its_inbox_of_new_claims() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    assert!(clm::new_claims(&h.ledger, &p.payer, None)
        .unwrap()
        .is_empty());
    h.submit(&p, "W1", 100);
    h.submit(&p, "W2", 200);
    let first = clm::new_claims(&h.ledger, &p.payer, None).unwrap();
    assert_eq!(
        first.iter().map(|n| n.event.billed).collect::<Vec<_>>(),
        [100, 200]
    );
    assert_eq!(
        first[0].event.claim_id_hash,
        clm::claim_id_hash(&clm::claim_salt(&p.provider), "W1")
    );
    let cursor = first.last().unwrap().signature;
    h.submit(&p, "W3", 300);
    let next = clm::new_claims(&h.ledger, &p.payer, Some(&cursor)).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(
        next[0].event.claim,
        clm::claim_address(&p.payer, &p.provider, "W3")
    );
}

/// Audit finding 4: a suspended or revoked payer stops enrolling, adjudicating, paying and
/// reversing; a suspended or revoked provider is no longer paid and no longer appeals or
/// voids. Each claims instruction re-reads the acting party's registry standing.
#[test]
fn claims_recheck_the_payers_standing_at_every_step() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let approved = h.submit(&p, "S-1", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &approved, 2_000, 0)
        .unwrap();
    let pending = h.submit(&p, "S-2", 2_000);
    h.registry()
        .suspend(&p.authority, &p.insurer.pubkey(), 1)
        .unwrap();
    expect_error(
        h.claims().pay(&p.insurer, &approved, &p.provider_token),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    expect_error(
        h.claims().start_review(&p.insurer, &pending),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &pending, 2_000, 0),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    let member = caretrail_sdk::hash::commit(&[6; 32], b"member 777");
    let enroll = EnrollArgs {
        member_commitment: member,
        period_start: T0,
        period_end: T0 + DAY,
        annual_max: 10,
        deductible: 0,
    };
    let other = h.funded();
    expect_error(
        h.claims().enroll(&p.insurer, &other, enroll.clone()),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    // Reinstated, it pays; then revoked, it cannot reverse that payment.
    h.registry()
        .reinstate(&p.authority, &p.insurer.pubkey())
        .unwrap();
    h.claims()
        .pay(&p.insurer, &approved, &p.provider_token)
        .unwrap();
    h.registry()
        .revoke(&p.authority, &p.insurer.pubkey(), 2)
        .unwrap();
    expect_error(
        h.claims()
            .reverse(&p.insurer, &p.provider, &approved, &p.provider_token, 1),
        &CLAIMS,
        ClaimsError::ParticipantRevoked,
    );
    expect_error(
        h.claims().enroll(&p.insurer, &other, enroll),
        &CLAIMS,
        ClaimsError::ParticipantRevoked,
    );
}

/// Audit finding 4: the payer authority pauses payments, hands its authority over in two
/// steps (the payer's address and vault stay), and withdraws only what no approved, unpaid
/// claim needs.
#[test]
fn a_payer_pauses_hands_over_and_withdraws_only_free_funds() {
    use clm::PayerSettings;
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "H-1", 30_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 30_000, 0)
        .unwrap();
    assert_eq!(payer(&h, &p).outstanding, 29_000);
    // Paused: no payment.
    let pause = PayerSettings {
        paused: Some(true),
        ..Default::default()
    };
    h.claims()
        .update_payer(&p.insurer, &p.payer, pause)
        .unwrap();
    expect_error(
        h.claims().pay(&p.insurer, &c, &p.provider_token),
        &CLAIMS,
        ClaimsError::PaymentsPaused,
    );
    // Only the authority changes settings.
    let stranger = h.participant(&p.authority, roles::PAYER);
    expect_error(
        h.claims()
            .update_payer(&stranger, &p.payer, PayerSettings::default()),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
    // Withdraw: the vault holds FUNDED, 29,000 is owed.
    let insurer_token =
        caretrail_sdk::tokens::associated_address(&p.insurer.pubkey(), &p.mint, &p.token_program);
    let free = FUNDED - 29_000;
    expect_error(
        h.claims()
            .withdraw(&p.insurer, &p.payer, &insurer_token, free + 1),
        &CLAIMS,
        ClaimsError::WithdrawalTooLarge,
    );
    let before = h.token_balance(&insurer_token);
    h.claims()
        .withdraw(&p.insurer, &p.payer, &insurer_token, free)
        .unwrap();
    assert_eq!(h.token_balance(&insurer_token), before + free);
    assert_eq!(h.token_balance(&p.vault), 29_000);
    // Handover to a new authority (e.g. a multisig): proposed, then accepted by it alone.
    let successor = h.participant(&p.authority, roles::PAYER);
    h.claims()
        .propose_payer_authority(&p.insurer, &p.payer, &successor.pubkey())
        .unwrap();
    expect_error(
        h.claims().accept_payer_authority(&stranger, &p.payer),
        &CLAIMS,
        ClaimsError::NotPendingAuthority,
    );
    h.claims()
        .accept_payer_authority(&successor, &p.payer)
        .unwrap();
    let x = payer(&h, &p);
    assert_eq!(
        (x.authority, x.pending_authority, x.creator),
        (successor.pubkey(), Pubkey::default(), p.insurer.pubkey())
    );
    // The old authority has no power left; the new one resumes and pays from the same vault.
    expect_error(
        h.claims()
            .update_payer(&p.insurer, &p.payer, PayerSettings::default()),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
    let resume = PayerSettings {
        paused: Some(false),
        ..Default::default()
    };
    h.claims()
        .update_payer(&successor, &p.payer, resume)
        .unwrap();
    h.claims().pay(&successor, &c, &p.provider_token).unwrap();
    assert_eq!(h.token_balance(&p.vault), 0);
    assert_eq!(payer(&h, &p).outstanding, 0);
    let x = payer(&h, &p);
    assert_eq!(
        h.token_balance(&p.vault),
        x.total_funded + x.total_reversed - x.total_paid - x.total_withdrawn
    );
}

/// Audit finding 9: Token-2022 mints whose extensions let someone move, tax, freeze or hook
/// the vault's tokens are refused; a harmless extension is accepted.
#[test]
fn a_vault_refuses_dangerous_token_2022_mints() {
    use anchor_spl::token_2022::spl_token_2022 as t22;
    use t22::extension::ExtensionType;
    let h = Harness::new();
    let authority = h.init_registry();
    let token = caretrail_sdk::tokens::TOKEN_2022;
    type Init = Box<dyn Fn(&Pubkey) -> solana_sdk::instruction::Instruction>;
    let cases: Vec<(ExtensionType, Init, bool)> = vec![
        (
            ExtensionType::TransferFeeConfig,
            Box::new(move |m| {
                t22::extension::transfer_fee::instruction::initialize_transfer_fee_config(
                    &token, m, None, None, 100, 1_000,
                )
                .unwrap()
            }),
            false,
        ),
        (
            ExtensionType::PermanentDelegate,
            Box::new(move |m| {
                t22::instruction::initialize_permanent_delegate(&token, m, &Pubkey::new_unique())
                    .unwrap()
            }),
            false,
        ),
        (
            ExtensionType::DefaultAccountState,
            Box::new(move |m| {
                t22::extension::default_account_state::instruction::initialize_default_account_state(
                    &token,
                    m,
                    &t22::state::AccountState::Frozen,
                )
                .unwrap()
            }),
            false,
        ),
        (
            ExtensionType::TransferHook,
            Box::new(move |m| {
                t22::extension::transfer_hook::instruction::initialize(
                    &token,
                    m,
                    None,
                    Some(Pubkey::new_unique()),
                )
                .unwrap()
            }),
            false,
        ),
        (
            ExtensionType::MintCloseAuthority,
            Box::new(move |m| {
                t22::instruction::initialize_mint_close_authority(&token, m, None).unwrap()
            }),
            true,
        ),
    ];
    for (extension, init, accepted) in cases {
        let insurer = h.participant(&authority, roles::PAYER);
        let mint = Keypair::new();
        let len =
            ExtensionType::try_calculate_account_len::<t22::state::Mint>(&[extension]).unwrap();
        let rent = h.ledger.minimum_balance_for_rent_exemption(len).unwrap();
        let create = anchor_lang::solana_program::system_instruction::create_account(
            &h.payer.pubkey(),
            &mint.pubkey(),
            rent,
            len as u64,
            &token,
        );
        let init_mint = t22::instruction::initialize_mint2(
            &token,
            &mint.pubkey(),
            &insurer.pubkey(),
            Some(&insurer.pubkey()),
            2,
        )
        .unwrap();
        h.send(&[&mint], &[create, init(&mint.pubkey()), init_mint])
            .unwrap_or_else(|e| panic!("{extension:?} mint: {e}"));
        let args = PayerArgs {
            auto_approve_limit: 10,
            daily_limit: 10,
            appeal_window: 0,
            adjudicators: vec![],
        };
        let r = h
            .claims()
            .init_payer(&insurer, &mint.pubkey(), &token, args);
        if accepted {
            r.unwrap_or_else(|e| panic!("{extension:?}: {e}"));
        } else {
            expect_error(r, &CLAIMS, ClaimsError::UnsupportedMint);
        }
    }
}
