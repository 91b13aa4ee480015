use super::*;

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
