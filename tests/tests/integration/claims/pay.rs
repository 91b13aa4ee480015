use super::*;

#[test]
fn review_approve_with_deductible_and_pay_once() {
    for program in token_program_ids() {
        let h = Harness::new();
        let p = h.plan(&program);
        let c = h.submit(&p, "CLM-1", 12_000);
        h.claims().start_review(&p.insurer, &c).unwrap();
        assert_eq!(claim(&h, &c).status, ClaimStatus::InReview);
        h.claims()
            .adjudicate(&p.insurer, None, &c, 12_000, 0)
            .unwrap();
        let x = claim(&h, &c);
        assert_eq!(
            (x.status, x.approved, x.patient_share, x.carc),
            (
                ClaimStatus::PartiallyApproved,
                11_000,
                DEDUCTIBLE,
                clm::carc::DEDUCTIBLE
            )
        );
        let cov = clm::fetch_coverage(&h.ledger, &p.coverage)
            .unwrap()
            .unwrap();
        assert_eq!((cov.used, cov.deductible_met), (11_000, DEDUCTIBLE));
        h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
        assert_eq!(h.token_balance(&p.provider_token), 11_000);
        assert_eq!(h.token_balance(&p.vault), FUNDED - 11_000);
        let x = claim(&h, &c);
        assert_eq!((x.status, x.paid), (ClaimStatus::Paid, 11_000));
        assert_eq!(
            (payer(&h, &p).total_paid, payer(&h, &p).window.paid),
            (11_000, 11_000)
        );
        expect_error(
            h.claims().pay(&p.insurer, &c, &p.provider_token),
            &CLAIMS,
            ClaimsError::AlreadyPaid,
        );
    }
}

#[test]
fn paying_an_undecided_claim_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 1_000);
    expect_error(
        h.claims().pay(&p.insurer, &c, &p.provider_token),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
}

#[test]
fn only_the_payer_authority_adjudicates() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 1_000);
    let x = claim(&h, &c);
    let ix = clm::adjudicate_ix(&c, &x, &p.provider.pubkey(), None, 1_000, 0);
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
}

#[test]
fn the_daily_payout_limit_is_enforced() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let mut ids = Vec::new();
    for i in 0..5 {
        let c = h.submit(&p, &format!("D{i}"), 50_000);
        h.claims()
            .adjudicate(&p.insurer, None, &c, 50_000, 0)
            .unwrap();
        ids.push(c);
    }
    // 49,000 + 4 × 50,000 = 249,000 > 200,000.
    for c in &ids[..4] {
        h.claims().pay(&p.insurer, c, &p.provider_token).unwrap();
    }
    expect_error(
        h.claims().pay(&p.insurer, &ids[4], &p.provider_token),
        &CLAIMS,
        ClaimsError::DailyLimitExceeded,
    );
    // The window rolls by the hour: 24 hours after the payments' hour has fully passed.
    h.warp(DAY + HOUR);
    h.claims()
        .pay(&p.insurer, &ids[4], &p.provider_token)
        .unwrap();
    assert_eq!(payer(&h, &p).window.paid, 50_000);
}

/// Audit finding 9: the daily limit is a rolling 24-hour window, not a UTC day, so the limit
/// cannot be paid out twice around midnight.
#[test]
fn the_daily_limit_cannot_be_paid_twice_around_midnight() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    // T0 is midnight UTC: move to 23:58.
    h.warp(DAY - 120);
    let mut ids = Vec::new();
    for i in 0..5 {
        let c = h.submit(&p, &format!("M{i}"), 50_000);
        h.claims()
            .adjudicate(&p.insurer, None, &c, 50_000, 0)
            .unwrap();
        ids.push(c);
    }
    // 49,000 + 3 × 50,000 = 199,000 paid before midnight (the limit is 200,000).
    for c in &ids[..4] {
        h.claims().pay(&p.insurer, c, &p.provider_token).unwrap();
    }
    // Four minutes later, a new UTC day (where a day counter starts again from zero): the
    // same 24 hours, so 50,000 more is refused.
    h.warp(240);
    expect_error(
        h.claims().pay(&p.insurer, &ids[4], &p.provider_token),
        &CLAIMS,
        ClaimsError::DailyLimitExceeded,
    );
    assert_eq!(payer(&h, &p).window.paid, 199_000);
}

#[test]
fn a_claim_naming_a_consent_grant_needs_it_active_for_payment() {
    use caretrail_sdk::consent::{self as con, GrantArgs, Scope};
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let scope = |purposes| Scope {
        classes: con::class::MEDICATIONS,
        actions: con::action::DISCLOSE,
        purposes,
    };
    let grant = |id, purposes| {
        let args = GrantArgs {
            scope: scope(purposes),
            not_before: T0,
            expires_at: T0 + 30 * DAY,
            policy_hash: [1; 32],
        };
        h.consent()
            .grant(
                &p.patient,
                &p.patient.pubkey(),
                &p.provider.pubkey(),
                id,
                args,
            )
            .unwrap();
        con::grant_pda(&p.patient.pubkey(), &p.provider.pubkey(), id).0
    };
    let payment = grant(1, con::purpose::HPAYMT);
    let treatment = grant(2, con::purpose::TREAT);
    let submit = |id: &str, g| {
        h.claims().submit(
            &p.provider,
            id,
            &clm::SubmitClaim {
                refs: &ClaimRefs {
                    consent_grant: Some(g),
                    ..Default::default()
                },
                ..p.claim([1; 32], 500)
            },
        )
    };
    submit("OK", payment).unwrap();
    expect_error(
        submit("TREAT-ONLY", treatment),
        &CLAIMS,
        ClaimsError::ConsentNotValid,
    );
    h.consent().revoke(&p.patient, &payment).unwrap();
    expect_error(
        submit("REVOKED", payment),
        &CLAIMS,
        ClaimsError::ConsentNotValid,
    );
}

/// Audit finding 7: the claim stores the consent grant and unit it names; a dispensed unit
/// backs at most one live claim (to any payer); voiding frees it, a replacement keeps it; a
/// payer can require a dispensed unit and/or consent for every claim.
#[test]
fn a_dispensed_unit_backs_one_live_claim_and_payers_can_require_evidence() {
    use clm::{requirement, PayerSettings};
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let units = h.pharmacy_units(&p, &["EV1", "EV2"], 2);
    let submit = |id: &str, unit: Option<Pubkey>, replaces: Option<Pubkey>| {
        h.claims().submit(
            &p.pharmacy,
            id,
            &clm::SubmitClaim {
                refs: &ClaimRefs {
                    unit,
                    replaces,
                    ..Default::default()
                },
                ..p.claim([1; 32], 700)
            },
        )
    };
    let pharmacy_claim = |id: &str| clm::claim_address(&p.payer, &p.pharmacy, id);
    submit("EV-A", Some(units[0]), None).unwrap();
    let a = pharmacy_claim("EV-A");
    assert_eq!(claim(&h, &a).unit, units[0]);
    assert_eq!(claim(&h, &a).consent_grant, Pubkey::default());
    let evidence = |u: &Pubkey| {
        clm::fetch_evidence(&h.ledger, u)
            .unwrap()
            .expect("evidence record")
    };
    assert_eq!(evidence(&units[0]).claim, a);
    // The same unit behind a second claim (another id) is refused.
    expect_error(
        submit("EV-B", Some(units[0]), None),
        &CLAIMS,
        ClaimsError::UnitAlreadyClaimed,
    );
    // A replacement naming the same unit takes it over; naming another unit is refused.
    expect_error(
        submit("EV-A2", Some(units[1]), Some(a)),
        &CLAIMS,
        ClaimsError::InvalidReplacement,
    );
    submit("EV-A2", Some(units[0]), Some(a)).unwrap();
    let a2 = pharmacy_claim("EV-A2");
    assert_eq!(evidence(&units[0]).claim, a2);
    assert_eq!(evidence(&units[0]).claims_count, 2);
    // Voided: the unit is free again, and can back a new claim.
    h.claims().void(&p.pharmacy, &a2).unwrap();
    assert_eq!(evidence(&units[0]).claim, Pubkey::default());
    submit("EV-C", Some(units[0]), None).unwrap();
    // The payer requires a dispensed unit and consent from now on.
    let require = PayerSettings {
        requirements: Some(requirement::DISPENSED_UNIT | requirement::CONSENT),
        ..Default::default()
    };
    h.claims()
        .update_payer(&p.insurer, &p.payer, require)
        .unwrap();
    expect_error(
        submit("EV-D", None, None),
        &CLAIMS,
        ClaimsError::ConsentRequired,
    );
    let only_consent = PayerSettings {
        requirements: Some(requirement::DISPENSED_UNIT),
        ..Default::default()
    };
    h.claims()
        .update_payer(&p.insurer, &p.payer, only_consent)
        .unwrap();
    expect_error(
        submit("EV-D", None, None),
        &CLAIMS,
        ClaimsError::DispensedUnitRequired,
    );
    submit("EV-D", Some(units[1]), None).unwrap();
    expect_error(
        h.claims().update_payer(
            &p.insurer,
            &p.payer,
            PayerSettings {
                requirements: Some(0x80),
                ..Default::default()
            },
        ),
        &CLAIMS,
        ClaimsError::InvalidRequirements,
    );
}

#[test]
fn a_reversal_returns_the_funds_to_the_vault() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token_2022::ID);
    let c = h.submit(&p, "R", 5_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 5_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    h.claims()
        .reverse(&p.insurer, &p.provider, &c, &p.provider_token, 129)
        .unwrap();
    let x = payer(&h, &p);
    assert_eq!(claim(&h, &c).status, ClaimStatus::Reversed);
    assert_eq!(
        h.token_balance(&p.vault),
        x.total_funded - x.total_paid + x.total_reversed
    );
    assert_eq!((x.total_paid, x.total_reversed), (4_000, 4_000));
    assert_eq!(h.token_balance(&p.provider_token), 0);
    assert_eq!(clm::x12_clp02(ClaimStatus::Reversed), Some("22"));
    expect_error(
        h.claims()
            .reverse(&p.insurer, &p.provider, &c, &p.provider_token, 129),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
}

#[test]
fn paying_into_someone_elses_token_account_or_the_wrong_vault_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 5_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 5_000, 0)
        .unwrap();
    expect_error(
        h.claims().pay(&p.insurer, &c, &p.pharmacy_token),
        &CLAIMS,
        ClaimsError::TokenMismatch,
    );
    let x = claim(&h, &c);
    let mut ix = clm::pay_ix(&c, &x, &payer(&h, &p), &p.provider_token);
    meta(&mut ix, "vault").pubkey = p.pharmacy_token;
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &CLAIMS,
        ClaimsError::TokenMismatch,
    );
}

#[test]
fn claims_are_listed_by_payer_provider_and_status() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 1_000);
    h.submit(&p, "B", 1_000);
    h.claims()
        .adjudicate(&p.insurer, None, &a, 1_000, 0)
        .unwrap();
    assert_eq!(
        clm::list_claims(&h.ledger, Some(&p.payer), None, None)
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        clm::list_claims(
            &h.ledger,
            None,
            Some(&p.provider.pubkey()),
            Some(ClaimStatus::Submitted)
        )
        .unwrap()
        .len(),
        1
    );
    assert_eq!(
        clm::list_claims(&h.ledger, Some(&p.payer), None, Some(ClaimStatus::Denied))
            .unwrap()
            .len(),
        1,
        "1,000 all deductible"
    );
}

#[test]
fn a_reversal_needs_both_signatures_and_a_paid_claim() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    expect_error(
        h.claims()
            .reverse(&p.insurer, &p.provider, &c, &p.provider_token, 1),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
    h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    let x = claim(&h, &c);
    let mut ix = clm::reverse_ix(&c, &x, &payer(&h, &p), &p.provider_token, 1);
    meta(&mut ix, "authority").is_signer = false; // the payer authority does not sign
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        AnchorError::AccountNotSigner,
    );
}

#[test]
fn a_payment_the_vault_cannot_cover_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let big = EnrollArgs {
        member_commitment: [6; 32],
        period_start: T0,
        period_end: T0 + 300 * DAY,
        annual_max: 10_000_000,
        deductible: 0,
    };
    h.claims().enroll(&p.insurer, &p.patient, big).unwrap();
    let coverage = clm::coverage_pda(&p.payer, &[6; 32]).0;
    let mut ids = Vec::new();
    for i in 0..3 {
        h.claims()
            .submit(
                &p.provider,
                &format!("B{i}"),
                &clm::SubmitClaim {
                    coverage: &coverage,
                    ..p.claim([1; 32], 180_000)
                },
            )
            .unwrap();
        let c = clm::claim_address(&p.payer, &p.provider, &format!("B{i}"));
        h.claims()
            .adjudicate(&p.insurer, Some(&p.adjudicator), &c, 180_000, 0)
            .unwrap();
        ids.push(c);
    }
    h.claims()
        .pay(&p.insurer, &ids[0], &p.provider_token)
        .unwrap();
    h.warp(DAY + HOUR);
    h.claims()
        .pay(&p.insurer, &ids[1], &p.provider_token)
        .unwrap();
    h.warp(DAY + HOUR);
    expect_error(
        h.claims().pay(&p.insurer, &ids[2], &p.provider_token),
        &CLAIMS,
        ClaimsError::InsufficientVault,
    );
}

#[test]
fn a_coverage_of_another_payer_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let rival = h.participant(&p.authority, roles::PAYER);
    let args = PayerArgs {
        auto_approve_limit: 1,
        daily_limit: 1,
        appeal_window: 0,
        adjudicators: vec![],
    };
    h.claims()
        .init_payer(&rival, &p.mint, &anchor_spl::token::ID, args)
        .unwrap();
    let enroll = EnrollArgs {
        member_commitment: [2; 32],
        period_start: T0,
        period_end: T0 + DAY,
        annual_max: 10,
        deductible: 0,
    };
    h.claims().enroll(&rival, &p.patient, enroll).unwrap();
    let rival_coverage = clm::coverage_pda(&clm::payer_pda(&rival.pubkey()).0, &[2; 32]).0;
    let r = h.claims().submit(
        &p.provider,
        "X",
        &clm::SubmitClaim {
            coverage: &rival_coverage,
            ..p.claim([1; 32], 100)
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageMismatch);
}

#[test]
fn only_the_payer_authority_pays() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 9_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 9_000, 0)
        .unwrap();
    let x = claim(&h, &c);
    let mut ix = clm::pay_ix(&c, &x, &payer(&h, &p), &p.provider_token);
    meta(&mut ix, "authority").pubkey = p.provider.pubkey();
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
}

#[test]
fn a_reversal_from_someone_elses_token_account_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    let r = h
        .claims()
        .reverse(&p.insurer, &p.provider, &c, &p.pharmacy_token, 1);
    expect_error(r, &CLAIMS, AnchorError::ConstraintTokenOwner);
}
