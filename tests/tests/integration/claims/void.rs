use super::*;

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
            &clm::SubmitClaim {
                refs: &refs,
                ..p.claim([7; 32], 1_500)
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
        &clm::SubmitClaim {
            refs: &refs,
            ..p.claim([7; 32], 1_500)
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
            &clm::SubmitClaim {
                refs: &refs,
                ..p.claim([7; 32], 500)
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
            &clm::SubmitClaim {
                refs: &refs,
                ..p.claim([7; 32], 30_000)
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
fn the_frequency_must_match_the_replacement() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "A", 1_000);
    let mut ix = clm::submit_claim_ix(
        &p.provider.pubkey(),
        clm::claim_id_hash(&clm::claim_salt(&p.provider), "A-2"),
        &clm::SubmitClaim {
            refs: &ClaimRefs {
                replaces: Some(a),
                ..Default::default()
            },
            ..p.claim([1; 32], 900)
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
        &clm::SubmitClaim {
            refs: &ClaimRefs {
                replaces: Some(a),
                ..Default::default()
            },
            ..p.claim([1; 32], 900)
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::InvalidReplacement);
}
