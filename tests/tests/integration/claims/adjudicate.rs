use super::*;

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
fn a_denied_claim_response_carries_the_carc() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "D", 2_000);
    h.claims().adjudicate(&p.insurer, None, &c, 0, 96).unwrap();
    let x = claim(&h, &c);
    let terms = clm::ResponseTerms::of(&h.ledger, &x, "USD").unwrap();
    let r = clm::claim_response(&c, &x, &terms, h.now());
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
