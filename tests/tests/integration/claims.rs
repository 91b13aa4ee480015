//! claims: the state machine, payouts in SPL Token and Token-2022, fraud and safety rules.

use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimStatus, EnrollArgs, PayerArgs};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use claims::error::ClaimsError;
use solana_sdk::signature::{Keypair, Signer};

const CLAIMS: Pubkey = claims::ID;

fn claim(h: &Harness, c: &Pubkey) -> clm::Claim {
    clm::fetch_claim(&h.ledger, c).unwrap().expect("claim")
}

fn payer(h: &Harness, p: &Plan) -> clm::Payer {
    clm::fetch_payer(&h.ledger, &p.payer)
        .unwrap()
        .expect("payer")
}

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
fn enrolment_needs_the_patient_and_the_payer() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let args = EnrollArgs {
        member_commitment: [8; 32],
        period_start: T0,
        period_end: T0 + DAY,
        annual_max: 10,
        deductible: 0,
    };
    let mut ix = clm::enroll_ix(&p.insurer.pubkey(), &p.patient.pubkey(), args.clone());
    meta(&mut ix, "patient").is_signer = false; // the patient
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &CLAIMS,
        AnchorError::AccountNotSigner,
    );
    // Another registered payer cannot enrol members at this payer.
    let stranger = h.participant(&p.authority, roles::PAYER);
    let mut ix = clm::enroll_ix(&stranger.pubkey(), &p.patient.pubkey(), args.clone());
    meta(&mut ix, "coverage").pubkey = clm::coverage_pda(&p.payer, &args.member_commitment).0;
    meta(&mut ix, "payer").pubkey = p.payer;
    expect_error(
        h.send(&[&stranger, &p.patient], &[ix]),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
    let mut again = args;
    again.member_commitment = caretrail_sdk::hash::commit(&[3; 32], b"member 123456");
    expect_error(
        h.claims().enroll(&p.insurer, &p.patient, again),
        &CLAIMS,
        ClaimsError::AlreadyEnrolled,
    );
}

#[test]
fn submit_stores_the_exact_claim() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 12_000);
    let x = claim(&h, &c);
    assert_eq!(
        (x.status, x.frequency, x.carc, x.appeal_count),
        (ClaimStatus::Submitted, 1, 0, 0)
    );
    assert_eq!(
        (x.payer, x.provider, x.coverage),
        (p.payer, p.provider.pubkey(), p.coverage)
    );
    assert_eq!(
        (x.billed, x.approved, x.paid, x.patient_share),
        (12_000, 0, 0, 0)
    );
    assert_eq!(
        (x.submitted_at, x.decided_at, x.document_hash),
        (T0, 0, [5; 32])
    );
}

#[test]
fn a_duplicate_claim_id_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    h.submit(&p, "CLM-1", 12_000);
    let r = h.claims().submit(
        &p.provider,
        "CLM-1",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [6; 32],
            billed: 99,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::DuplicateClaim);
}

#[test]
fn only_registered_billing_parties_submit() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let stranger = h.funded();
    let r = h.claims().submit(
        &stranger,
        "X",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [6; 32],
            billed: 99,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, AnchorError::AccountNotInitialized);
    let distributor = h.participant(&p.authority, roles::DISTRIBUTOR);
    let r = h.claims().submit(
        &distributor,
        "X",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [6; 32],
            billed: 99,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::RoleNotAllowed);
    let r = h.claims().submit(
        &p.provider,
        "X",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [6; 32],
            billed: 0,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::InvalidAmount);
}

#[test]
fn claims_outside_the_coverage_period_are_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let short = EnrollArgs {
        member_commitment: [4; 32],
        period_start: T0 + DAY,
        period_end: T0 + 10 * DAY,
        annual_max: 10_000,
        deductible: 0,
    };
    h.claims().enroll(&p.insurer, &p.patient, short).unwrap();
    let coverage = clm::coverage_pda(&p.payer, &[4; 32]).0;
    let r = h.claims().submit(
        &p.provider,
        "EARLY",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &coverage,

            document_hash: [6; 32],
            billed: 99,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageInactive);
    h.warp(10 * DAY);
    let r = h.claims().submit(
        &p.provider,
        "LATE",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &coverage,

            document_hash: [6; 32],
            billed: 99,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageInactive);
}

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
fn approvals_above_the_limit_need_an_adjudicator() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "BIG", 100_000);
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &c, 100_000, 0),
        &CLAIMS,
        ClaimsError::AdjudicatorRequired,
    );
    let impostor = h.funded();
    expect_error(
        h.claims()
            .adjudicate(&p.insurer, Some(&impostor), &c, 100_000, 0),
        &CLAIMS,
        ClaimsError::AdjudicatorRequired,
    );
    h.claims()
        .adjudicate(&p.insurer, Some(&p.adjudicator), &c, 100_000, 0)
        .unwrap();
    assert_eq!(claim(&h, &c).approved, 99_000);
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
fn partial_approval_and_denial_need_a_reason_and_can_be_appealed() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 10_000);
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &c, 5_000, 0),
        &CLAIMS,
        ClaimsError::ReasonRequired,
    );
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &c, 10_001, 0),
        &CLAIMS,
        ClaimsError::InvalidAmount,
    );
    h.claims().adjudicate(&p.insurer, None, &c, 0, 50).unwrap();
    let x = claim(&h, &c);
    assert_eq!((x.status, x.carc, x.approved), (ClaimStatus::Denied, 50, 0));
    h.warp(APPEAL_WINDOW);
    h.claims().appeal(&p.provider, &c).unwrap();
    assert_eq!(
        (claim(&h, &c).status, claim(&h, &c).appeal_count),
        (ClaimStatus::Appealed, 1)
    );
    h.claims().start_review(&p.insurer, &c).unwrap();
    h.claims()
        .adjudicate(&p.insurer, None, &c, 10_000, 0)
        .unwrap();
    assert_eq!(claim(&h, &c).approved, 9_000);
}

#[test]
fn an_appeal_out_of_the_window_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 10_000);
    h.claims().adjudicate(&p.insurer, None, &c, 0, 50).unwrap();
    h.warp(APPEAL_WINDOW + 1);
    expect_error(
        h.claims().appeal(&p.provider, &c),
        &CLAIMS,
        ClaimsError::AppealWindowClosed,
    );
    let other = h.participant(&p.authority, roles::PROVIDER);
    let x = claim(&h, &c);
    let mut ix = clm::appeal_ix(&c, &x);
    meta(&mut ix, "provider").pubkey = other.pubkey();
    expect_error(h.send(&[&other], &[ix]), &CLAIMS, ClaimsError::Unauthorized);
}

#[test]
fn void_before_payment_and_not_after() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &a, 2_000, 0)
        .unwrap();
    h.claims().void(&p.provider, &a).unwrap();
    let x = claim(&h, &a);
    assert_eq!(
        (x.status, x.frequency),
        (ClaimStatus::Voided, clm::frequency::VOID)
    );
    let cov = clm::fetch_coverage(&h.ledger, &p.coverage)
        .unwrap()
        .unwrap();
    assert_eq!(
        (cov.used, cov.deductible_met),
        (0, 0),
        "the void released the accruals"
    );
    let b = h.submit(&p, "B", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &b, 2_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &b, &p.provider_token).unwrap();
    expect_error(
        h.claims().void(&p.provider, &b),
        &CLAIMS,
        ClaimsError::AlreadyPaid,
    );
}

#[test]
fn a_replacement_voids_the_original_but_never_a_paid_one() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 2_000);
    let refs = ClaimRefs {
        replaces: Some(a),
        ..Default::default()
    };
    h.claims()
        .submit(
            &p.provider,
            "A-2",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [7; 32],
                billed: 1_500,
                refs: &refs,
            },
        )
        .unwrap();
    assert_eq!(claim(&h, &a).status, ClaimStatus::Voided);
    assert_eq!(
        claim(&h, &clm::claim_address(&p.payer, &p.provider, "A-2")).frequency,
        clm::frequency::REPLACEMENT
    );
    let b = h.submit(&p, "B", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &b, 2_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &b, &p.provider_token).unwrap();
    let refs = ClaimRefs {
        replaces: Some(b),
        ..Default::default()
    };
    let r = h.claims().submit(
        &p.provider,
        "B-2",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [7; 32],
            billed: 1_500,
            refs: &refs,
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::InvalidReplacement);
}

/// Audit finding 2: a replacement (837 frequency 7) must release what the replaced claim
/// charged to the coverage, exactly as `void` does: the deductible the member met and the
/// plan's liability against the annual maximum.
#[test]
fn a_replacement_releases_the_deductible_and_benefit_of_the_original() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let cov = |h: &Harness| {
        clm::fetch_coverage(&h.ledger, &p.coverage)
            .unwrap()
            .unwrap()
    };
    // A deductible-sized claim, adjudicated: the member's deductible is met.
    let a = h.submit(&p, "DED", DEDUCTIBLE);
    h.claims()
        .adjudicate(&p.insurer, None, &a, DEDUCTIBLE, 0)
        .unwrap();
    assert_eq!(cov(&h).deductible_met, DEDUCTIBLE);
    assert_eq!(claim(&h, &a).patient_share, DEDUCTIBLE);
    // Replaced: the original is void and nothing it charged remains.
    let refs = ClaimRefs {
        replaces: Some(a),
        ..Default::default()
    };
    h.claims()
        .submit(
            &p.provider,
            "DED-2",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [7; 32],
                billed: 500,
                refs: &refs,
            },
        )
        .unwrap();
    assert_eq!(claim(&h, &a).status, ClaimStatus::Voided);
    assert_eq!((cov(&h).deductible_met, cov(&h).used), (0, 0));
    // The replacement then meets the deductible from its first dollar, as it must.
    let a2 = clm::claim_address(&p.payer, &p.provider, "DED-2");
    h.claims()
        .adjudicate(&p.insurer, None, &a2, 500, 0)
        .unwrap();
    assert_eq!(claim(&h, &a2).patient_share, 500);
    assert_eq!(claim(&h, &a2).approved, 0);
    assert_eq!(cov(&h).deductible_met, 500);

    // An approved claim replaced: its plan liability leaves the annual maximum.
    let b = h.submit(&p, "BEN", 40_000);
    h.claims()
        .adjudicate(&p.insurer, None, &b, 40_000, 0)
        .unwrap();
    let before = cov(&h);
    assert_eq!(before.used, claim(&h, &b).approved);
    let refs = ClaimRefs {
        replaces: Some(b),
        ..Default::default()
    };
    h.claims()
        .submit(
            &p.provider,
            "BEN-2",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [7; 32],
                billed: 30_000,
                refs: &refs,
            },
        )
        .unwrap();
    let after = cov(&h);
    assert_eq!(after.used, 0);
    assert_eq!(after.deductible_met, 500);
}

/// A replacement must name a claim of the same coverage (it releases that coverage).
#[test]
fn a_replacement_under_another_coverage_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "X", 2_000);
    let other = h.funded();
    let member = caretrail_sdk::hash::commit(&[8; 32], b"member 999");
    h.claims()
        .enroll(
            &p.insurer,
            &other,
            EnrollArgs {
                member_commitment: member,
                period_start: T0,
                period_end: T0 + 365 * DAY,
                annual_max: ANNUAL_MAX,
                deductible: 0,
            },
        )
        .unwrap();
    let refs = ClaimRefs {
        replaces: Some(a),
        ..Default::default()
    };
    let r = h.claims().submit(
        &p.provider,
        "X-2",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &clm::coverage_pda(&p.payer, &member).0,

            document_hash: [7; 32],
            billed: 1_000,
            refs: &refs,
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::InvalidReplacement);
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
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [1; 32],
                billed: 500,
                refs: &ClaimRefs {
                    consent_grant: Some(g),
                    ..Default::default()
                },
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
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [1; 32],
                billed: 700,
                refs: &ClaimRefs {
                    unit,
                    replaces,
                    ..Default::default()
                },
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
fn a_pharmacy_claim_naming_a_unit_needs_it_dispensed_by_that_pharmacy() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    // The pharmacy from the plan dispenses a unit of a supply chain sharing the registry.
    let manufacturer = h.participant(&p.authority, roles::MANUFACTURER);
    h.license_prefix(&p.authority, GTIN_PREFIX, &manufacturer.pubkey());
    let gtin = caretrail_sdk::custody::parse_gtin(GTIN).unwrap();
    h.custody()
        .register_lot(
            &manufacturer,
            caretrail_sdk::custody::lot_args(&gtin, LOT, (2027, 12, 31)),
        )
        .unwrap();
    let lot = caretrail_sdk::custody::lot_pda(&gtin, LOT).0;
    h.custody()
        .commission(
            &manufacturer,
            &lot,
            vec![
                caretrail_sdk::custody::serial_hash(&gtin, "RX1"),
                caretrail_sdk::custody::serial_hash(&gtin, "RX2"),
            ],
        )
        .unwrap();
    let (u1, u2) = (
        caretrail_sdk::custody::unit_pda(&gtin, "RX1").0,
        caretrail_sdk::custody::unit_pda(&gtin, "RX2").0,
    );
    h.hop(&manufacturer, &p.pharmacy, &u1);
    h.hop(&manufacturer, &p.pharmacy, &u2);
    h.custody().dispense(&p.pharmacy, &u1).unwrap();
    let submit = |who: &Keypair, id: &str, unit| {
        h.claims().submit(
            who,
            id,
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [1; 32],
                billed: 700,
                refs: &ClaimRefs {
                    unit: Some(unit),
                    ..Default::default()
                },
            },
        )
    };
    submit(&p.pharmacy, "RX1", u1).unwrap();
    expect_error(
        submit(&p.pharmacy, "RX2", u2),
        &CLAIMS,
        ClaimsError::UnitNotDispensed,
    );
    expect_error(
        submit(&p.provider, "RX1-BY-OTHER", u1),
        &CLAIMS,
        ClaimsError::UnitNotDispensed,
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
fn the_benefit_maximum_caps_approvals() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 280_000);
    h.claims()
        .adjudicate(&p.insurer, Some(&p.adjudicator), &a, 280_000, 0)
        .unwrap();
    let b = h.submit(&p, "B", 40_000);
    h.claims()
        .adjudicate(&p.insurer, None, &b, 40_000, 0)
        .unwrap();
    let x = claim(&h, &b);
    assert_eq!(
        (x.status, x.approved, x.carc),
        (
            ClaimStatus::PartiallyApproved,
            ANNUAL_MAX - 279_000,
            clm::carc::BENEFIT_MAXIMUM
        )
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
fn a_claim_response_maps_status_outcome_and_x12() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "F", 12_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 12_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    let r = clm::claim_response(&c, &claim(&h, &c), "USD", h.now());
    assert_eq!(
        (
            r["resourceType"].as_str(),
            r["status"].as_str(),
            r["outcome"].as_str(),
            r["use"].as_str()
        ),
        (
            Some("ClaimResponse"),
            Some("active"),
            Some("complete"),
            Some("claim")
        )
    );
    assert_eq!(r["payment"]["amount"]["value"], 11_000);
    assert_eq!(
        r["item"][0]["adjudication"][2]["amount"]["value"],
        DEDUCTIBLE
    );
    assert_eq!(r["extension"][0]["valueString"], "1");
    for (s, outcome) in [
        (ClaimStatus::Submitted, "queued"),
        (ClaimStatus::PartiallyApproved, "partial"),
        (ClaimStatus::Denied, "complete"),
        (ClaimStatus::Voided, "error"),
    ] {
        assert_eq!(clm::fhir_outcome(s), outcome);
    }
    assert_eq!(clm::x12_clp02(ClaimStatus::Denied), Some("4"));
}

#[test]
fn the_claim_account_stays_within_272_bytes() {
    // 199 bytes before the audit; + 64 for the consent grant and unit it names (finding 7).
    use anchor_lang::Space;
    let size = 8 + clm::Claim::INIT_SPACE;
    println!("Claim: {size} bytes of data");
    assert!(size <= 272, "{size}");
}

// ----------------------------------------------------------------------------- more rules

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
fn review_is_the_payers_and_only_from_submitted_or_appealed() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 3_000);
    let x = claim(&h, &c);
    expect_error(
        h.send(
            &[&p.provider],
            &[clm::start_review_ix(&c, &x, &p.provider.pubkey())],
        ),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    expect_error(
        h.claims().start_review(&p.insurer, &c),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &c, 3_000, 0),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
}

#[test]
fn a_fully_approved_claim_cannot_be_appealed() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let warmup = h.submit(&p, "W", 1_000);
    h.claims()
        .adjudicate(&p.insurer, None, &warmup, 1_000, 0)
        .unwrap(); // meets the deductible
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    assert_eq!(claim(&h, &c).status, ClaimStatus::Approved);
    expect_error(
        h.claims().appeal(&p.provider, &c),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
}

#[test]
fn re_adjudication_after_appeal_releases_the_previous_accruals() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 10_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 6_000, 45)
        .unwrap();
    let cov = clm::fetch_coverage(&h.ledger, &p.coverage)
        .unwrap()
        .unwrap();
    assert_eq!((cov.used, cov.deductible_met), (5_000, DEDUCTIBLE));
    h.claims().appeal(&p.provider, &c).unwrap();
    h.claims()
        .adjudicate(&p.insurer, None, &c, 10_000, 0)
        .unwrap();
    let cov = clm::fetch_coverage(&h.ledger, &p.coverage)
        .unwrap()
        .unwrap();
    assert_eq!(
        (cov.used, cov.deductible_met),
        (9_000, DEDUCTIBLE),
        "counted once"
    );
}

#[test]
fn only_the_provider_voids_and_only_once() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 3_000);
    let other = h.participant(&p.authority, roles::PROVIDER);
    let x = claim(&h, &c);
    let mut ix = clm::void_ix(&c, &x);
    meta(&mut ix, "provider").pubkey = other.pubkey();
    expect_error(h.send(&[&other], &[ix]), &CLAIMS, ClaimsError::Unauthorized);
    h.claims().void(&p.provider, &c).unwrap();
    expect_error(
        h.claims().void(&p.provider, &c),
        &CLAIMS,
        ClaimsError::InvalidTransition,
    );
    expect_error(
        h.claims().adjudicate(&p.insurer, None, &c, 3_000, 0),
        &CLAIMS,
        ClaimsError::InvalidTransition,
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
                &caretrail_sdk::claims::SubmitClaim {
                    payer: &p.payer,
                    coverage: &coverage,

                    document_hash: [1; 32],
                    billed: 180_000,
                    refs: &ClaimRefs::default(),
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
fn u64_max_amounts_are_capped_without_overflow() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "MAX", u64::MAX);
    h.claims()
        .adjudicate(&p.insurer, Some(&p.adjudicator), &c, u64::MAX, 0)
        .unwrap();
    let x = claim(&h, &c);
    assert_eq!(
        (x.billed, x.patient_share, x.approved, x.status),
        (
            u64::MAX,
            DEDUCTIBLE,
            ANNUAL_MAX,
            ClaimStatus::PartiallyApproved
        )
    );
    assert_eq!(x.carc, clm::carc::BENEFIT_MAXIMUM);
    expect_error(
        h.claims().pay(&p.insurer, &c, &p.provider_token),
        &CLAIMS,
        ClaimsError::DailyLimitExceeded,
    );
}

#[test]
fn a_suspended_provider_cannot_bill() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    h.registry()
        .suspend(&p.authority, &p.provider.pubkey(), 9)
        .unwrap();
    let r = h.claims().submit(
        &p.provider,
        "S",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [1; 32],
            billed: 100,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::ParticipantSuspended);
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
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &rival_coverage,

            document_hash: [1; 32],
            billed: 100,
            refs: &ClaimRefs::default(),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageMismatch);
}

#[test]
fn the_frequency_must_match_the_replacement() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 1_000);
    let mut ix = clm::submit_claim_ix(
        &p.provider.pubkey(),
        clm::claim_id_hash(&clm::claim_salt(&p.provider), "A-2"),
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [1; 32],
            billed: 900,
            refs: &ClaimRefs {
                replaces: Some(a),
                ..Default::default()
            },
        },
    );
    meta(&mut ix, "replaces").pubkey = claims::ID; // drop the replaced claim, keep frequency 7
    meta(&mut ix, "replaces").is_writable = false;
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        ClaimsError::InvalidFrequency,
    );
    let other = h.participant(&p.authority, roles::PROVIDER);
    let r = h.claims().submit(
        &other,
        "A-3",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [1; 32],
            billed: 900,
            refs: &ClaimRefs {
                replaces: Some(a),
                ..Default::default()
            },
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::InvalidReplacement);
}

#[test]
fn events_carry_the_claim_lifecycle() {
    use caretrail_sdk::events::{CaretrailEvent, ClaimsEvent};
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "E", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 2_000, 0)
        .unwrap();
    let out = h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    match out.events().as_slice() {
        [CaretrailEvent::Claims(ClaimsEvent::ClaimPaid(e))] => {
            assert_eq!(
                (e.claim, e.payer, e.provider, e.amount),
                (c, p.payer, p.provider.pubkey(), 1_000)
            );
        }
        other => panic!("{other:?}"),
    }
    let history = h.ledger.transactions_for_address(&c, 100).unwrap();
    let names: Vec<&str> = history
        .iter()
        .flat_map(|t| t.events())
        .map(|e| e.name())
        .collect();
    assert_eq!(names, ["ClaimSubmitted", "ClaimStatusChanged", "ClaimPaid"]);
}

#[test]
fn a_denied_claim_response_carries_the_carc() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "D", 2_000);
    h.claims().adjudicate(&p.insurer, None, &c, 0, 96).unwrap();
    let r = clm::claim_response(&c, &claim(&h, &c), "USD", h.now());
    assert_eq!(r["outcome"], "complete");
    assert_eq!(r["disposition"], "denied");
    assert_eq!(
        r["item"][0]["adjudication"][3]["reason"]["coding"][0]["code"],
        "96"
    );
    assert_eq!(r["extension"][0]["valueString"], "4");
    assert!(r.get("payment").is_none());
}

#[test]
fn a_coverage_account_passed_as_a_claim_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 2_000);
    let x = claim(&h, &c);
    let mut ix = clm::void_ix(&c, &x);
    meta(&mut ix, "claim").pubkey = p.coverage;
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

#[test]
fn a_second_appeal_after_a_second_denial() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 9_000);
    h.claims().adjudicate(&p.insurer, None, &c, 0, 50).unwrap();
    h.claims().appeal(&p.provider, &c).unwrap();
    h.claims().adjudicate(&p.insurer, None, &c, 0, 50).unwrap();
    h.claims().appeal(&p.provider, &c).unwrap();
    assert_eq!(claim(&h, &c).appeal_count, 2);
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
fn enrolment_terms_are_validated() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let bad = |start: i64, end: i64, max: u64, member: [u8; 32]| {
        h.claims().enroll(
            &p.insurer,
            &p.patient,
            EnrollArgs {
                member_commitment: member,
                period_start: start,
                period_end: end,
                annual_max: max,
                deductible: 0,
            },
        )
    };
    expect_error(
        bad(T0, T0, 10, [1; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
    );
    expect_error(
        bad(T0, T0 + DAY, 0, [1; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
    );
    expect_error(
        bad(T0, T0 + DAY, 10, [0; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
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
fn an_expired_or_misdirected_consent_grant_is_rejected() {
    use caretrail_sdk::consent::{self as con, GrantArgs, Scope};
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let scope = Scope {
        classes: con::class::MEDICATIONS,
        actions: con::action::DISCLOSE,
        purposes: con::purpose::HPAYMT,
    };
    let args = GrantArgs {
        scope,
        not_before: T0,
        expires_at: T0 + DAY,
        policy_hash: [1; 32],
    };
    h.consent()
        .grant(
            &p.patient,
            &p.patient.pubkey(),
            &p.provider.pubkey(),
            1,
            args.clone(),
        )
        .unwrap();
    h.consent()
        .grant(
            &p.patient,
            &p.patient.pubkey(),
            &p.pharmacy.pubkey(),
            1,
            args,
        )
        .unwrap();
    let to_provider = con::grant_pda(&p.patient.pubkey(), &p.provider.pubkey(), 1).0;
    let to_pharmacy = con::grant_pda(&p.patient.pubkey(), &p.pharmacy.pubkey(), 1).0;
    let refs = |g| ClaimRefs {
        consent_grant: Some(g),
        ..Default::default()
    };
    let r = h.claims().submit(
        &p.provider,
        "OTHER",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [1; 32],
            billed: 100,
            refs: &refs(to_pharmacy),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::ConsentNotValid);
    h.warp(DAY);
    let r = h.claims().submit(
        &p.provider,
        "LATE",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,

            document_hash: [1; 32],
            billed: 100,
            refs: &refs(to_provider),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::ConsentNotValid);
}

#[test]
fn the_deductible_spans_claims() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 600);
    h.claims().adjudicate(&p.insurer, None, &a, 600, 0).unwrap();
    let x = claim(&h, &a);
    assert_eq!(
        (x.status, x.approved, x.patient_share, x.carc),
        (ClaimStatus::Denied, 0, 600, clm::carc::DEDUCTIBLE)
    );
    let b = h.submit(&p, "B", 1_000);
    h.claims()
        .adjudicate(&p.insurer, None, &b, 1_000, 0)
        .unwrap();
    let x = claim(&h, &b);
    assert_eq!((x.approved, x.patient_share), (600, 400));
    let cov = clm::fetch_coverage(&h.ledger, &p.coverage)
        .unwrap()
        .unwrap();
    assert_eq!((cov.deductible_met, cov.used), (DEDUCTIBLE, 600));
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

// ----------------------------------------------------------------------------- audit finding 4

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

#[test]
fn a_suspended_or_revoked_provider_is_not_paid_and_cannot_appeal_or_void() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let approved = h.submit(&p, "P-1", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &approved, 2_000, 0)
        .unwrap();
    let partial = h.submit(&p, "P-2", 2_000);
    h.claims()
        .adjudicate(&p.insurer, None, &partial, 1_000, 45)
        .unwrap();
    h.registry()
        .suspend(&p.authority, &p.provider.pubkey(), 1)
        .unwrap();
    expect_error(
        h.claims().pay(&p.insurer, &approved, &p.provider_token),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    expect_error(
        h.claims().appeal(&p.provider, &partial),
        &CLAIMS,
        ClaimsError::ParticipantSuspended,
    );
    h.registry()
        .revoke(&p.authority, &p.provider.pubkey(), 2)
        .unwrap();
    expect_error(
        h.claims().void(&p.provider, &approved),
        &CLAIMS,
        ClaimsError::ParticipantRevoked,
    );
    expect_error(
        h.claims().pay(&p.insurer, &approved, &p.provider_token),
        &CLAIMS,
        ClaimsError::ParticipantRevoked,
    );
    assert_ne!(claim(&h, &approved).status, ClaimStatus::Paid);
    assert_eq!(claim(&h, &approved).paid, 0);
    assert_eq!(h.token_balance(&p.provider_token), 0);
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

/// Audit finding 9: claim ids are keyed per provider, so provider B cannot take provider A's
/// (predictable) claim id; and they are salted with the provider's own key.
#[test]
fn claim_ids_belong_to_their_provider() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "RX-0001", 1_000);
    let other = h.participant(&p.authority, roles::PROVIDER);
    h.claims()
        .submit(
            &other,
            "RX-0001",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [1; 32],
                billed: 1_000,
                refs: &ClaimRefs::default(),
            },
        )
        .expect("another provider's own claim RX-0001");
    let b = clm::claim_address(&p.payer, &other, "RX-0001");
    assert_ne!(a, b);
    assert_eq!(claim(&h, &a).provider, p.provider.pubkey());
    assert_eq!(claim(&h, &b).provider, other.pubkey());
    // The id hash on chain is salted: not sha256 of the id.
    let event_hash = clm::claim_id_hash(&clm::claim_salt(&p.provider), "RX-0001");
    assert_ne!(event_hash, caretrail_sdk::hash::sha256(&[b"RX-0001"]));
    // The same provider cannot submit the same id twice.
    expect_error(
        h.claims().submit(
            &p.provider,
            "RX-0001",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &p.coverage,

                document_hash: [1; 32],
                billed: 1_000,
                refs: &ClaimRefs::default(),
            },
        ),
        &CLAIMS,
        ClaimsError::DuplicateClaim,
    );
}
