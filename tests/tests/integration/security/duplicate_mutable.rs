//! The same account passed twice where two different mutable accounts are expected.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::{claims as clm, custody as cus};
use caretrail_tests::*;

#[test]
fn custody_the_same_child_twice_in_one_pack() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"]);
    let s = cus::parse_sscc(&cus::complete_sscc("10614141000000001").unwrap()).unwrap();
    h.custody()
        .create_aggregate(&sc.manufacturer, s, cus::UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&s).0;
    let r = h
        .custody()
        .aggregate(&sc.manufacturer, &case, &[u[0], u[0]]);
    expect_error(
        r,
        &custody::ID,
        custody::error::CustodyError::AlreadyAggregated,
    );
    assert_eq!(
        cus::fetch_unit(&h.ledger, &case)
            .unwrap()
            .unwrap()
            .child_count,
        0,
        "nothing was counted twice"
    );
}

#[test]
fn claims_vault_passed_as_the_providers_token_account() {
    let h = Harness::new();
    let p = h.plan(&caretrail_sdk::tokens::TOKEN);
    let c = h.submit(&p, "C", 3_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 3_000, 0)
        .unwrap();
    let x = clm::fetch_claim(&h.ledger, &c).unwrap().unwrap();
    let payer = clm::fetch_payer(&h.ledger, &p.payer).unwrap().unwrap();
    let ix = clm::pay_ix(&c, &x, &payer, &p.vault);
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &claims::ID,
        AnchorError::ConstraintDuplicateMutableAccount,
    );
}
