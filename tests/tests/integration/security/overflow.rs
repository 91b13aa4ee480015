//! Arithmetic at u64::MAX and counters at their limits: checked math everywhere.

use caretrail_sdk::claims as clm;
use caretrail_tests::*;
use solana_sdk::signature::Signer;

#[test]
fn claims_amounts_at_u64_max_never_wrap() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let c = h.submit(&p, "MAX", u64::MAX);
    h.claims()
        .adjudicate(&p.insurer, Some(&p.adjudicator), &c, u64::MAX, 0)
        .unwrap();
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    assert!(x.approved <= x.billed && x.paid <= x.approved);
    assert_eq!(x.approved, ANNUAL_MAX);
}

#[test]
fn consent_break_glass_duration_at_i64_max_is_rejected_not_wrapped() {
    let h = Harness::new();
    let t = h.care_team();
    let mut args = caretrail_sdk::consent::EmergencyArgs {
        scope: caretrail_sdk::consent::Scope {
            classes: 1,
            actions: 1,
            purposes: caretrail_sdk::consent::purpose::ETREAT,
        },
        duration_seconds: i64::MAX,
        justification_hash: [0; 32],
    };
    expect_error(
        h.consent()
            .emergency(&t.provider, &t.patient.pubkey(), 1, args.clone()),
        &consent::ID,
        consent::error::ConsentError::EmergencyTooLong,
    );
    args.duration_seconds = i64::MIN;
    expect_error(
        h.consent()
            .emergency(&t.provider, &t.patient.pubkey(), 1, args),
        &consent::ID,
        consent::error::ConsentError::InvalidPeriod,
    );
}

#[test]
fn custody_and_registry_use_checked_helpers() {
    // The helpers every program instantiates fail instead of wrapping.
    assert!(registry::math::SafeMath::safe_add(u64::MAX, 1).is_err());
    assert!(custody::math::SafeMath::safe_add(u32::MAX, 1).is_err());
    assert!(consent::math::SafeMath::safe_add(i64::MAX, 1).is_err());
    assert!(claims::math::SafeMath::safe_sub(0u64, 1).is_err());
}
