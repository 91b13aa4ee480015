use super::*;

#[test]
fn a_claim_response_maps_status_outcome_and_x12() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "F", 12_000);
    h.claims()
        .adjudicate(&p.insurer, None, &c, 12_000, 0)
        .unwrap();
    h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
    let x = claim(&h, &c);
    let terms = clm::ResponseTerms::of(&h.ledger, &x, "USD").unwrap();
    let r = clm::claim_response(&c, &x, &terms, h.now());
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
    // Base units of the plan's 2-decimal mint, as money: 11,000 cents are 110.00 USD.
    assert_eq!(r["payment"]["amount"]["value"], 110.0);
    assert_eq!(r["payment"]["amount"]["currency"], "USD");
    assert_eq!(
        r["item"][0]["adjudication"][2]["amount"]["value"],
        DEDUCTIBLE as f64 / 100.0
    );
    // The patient is the coverage's patient; a provider's claim is professional.
    assert_eq!(
        r["patient"]["identifier"]["value"],
        p.patient.pubkey().to_string()
    );
    assert_eq!(r["type"]["coding"][0]["code"], "professional");
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
