//! FHIR renderings of claims (ClaimResponse, ExplanationOfBenefit).

use super::*;

/// FHIR R4 `ClaimResponse.outcome` of a status.
pub fn fhir_outcome(s: ClaimStatus) -> &'static str {
    match s {
        ClaimStatus::Submitted | ClaimStatus::InReview | ClaimStatus::Appealed => "queued",
        ClaimStatus::Approved | ClaimStatus::Paid | ClaimStatus::Denied | ClaimStatus::Reversed => {
            "complete"
        }
        ClaimStatus::PartiallyApproved => "partial",
        ClaimStatus::Voided => "error",
    }
}

/// What a ClaimResponse needs beside the claim: what the payer's mint counts (an ISO 4217
/// currency, and the mint's decimals: 4250 base units of a 2-decimal USD mint are 42.50 USD),
/// the patient of the coverage, and the claim type (FHIR claim-type: `pharmacy` for a
/// dispenser, `professional` for a provider).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseTerms<'a> {
    pub currency: &'a str,
    pub decimals: u8,
    pub patient: Pubkey,
    pub claim_type: &'static str,
}

impl<'a> ResponseTerms<'a> {
    /// The terms of `claim` from the ledger: the payer's mint decimals, the coverage's patient
    /// and the provider's registry role.
    pub fn of(ledger: &dyn Ledger, c: &Claim, currency: &'a str) -> Result<ResponseTerms<'a>> {
        let payer = fetch_payer(ledger, &c.payer)?.ok_or(Error::not_found("payer", c.payer))?;
        let mint = crate::tokens::fetch_mint(ledger, &payer.mint)?;
        let coverage =
            fetch_coverage(ledger, &c.coverage)?.ok_or(Error::not_found("coverage", c.coverage))?;
        let dispenser = crate::registry::fetch_participant(ledger, &c.provider)?
            .is_some_and(|p| p.has_role(registry::constants::roles::DISPENSER));
        Ok(ResponseTerms {
            currency,
            decimals: mint.decimals,
            patient: coverage.patient,
            claim_type: if dispenser {
                "pharmacy"
            } else {
                "professional"
            },
        })
    }
}

/// `amount` base units at `decimals` as a FHIR Money value (a decimal number).
fn money_value(amount: u64, decimals: u8) -> Value {
    let text = crate::tokens::ui_amount(amount, decimals);
    serde_json::from_str::<serde_json::Number>(&text)
        .map(Value::Number)
        .unwrap_or_else(|_| json!(amount))
}

/// The adjudication of a claim as FHIR has it (ClaimResponse and ExplanationOfBenefit alike):
/// the item's adjudication (submitted; once decided eligible, deductible, benefit with its CARC
/// reason) and the totals (submitted, benefit).
fn adjudication(c: &Claim, terms: &ResponseTerms) -> (Vec<Value>, Vec<Value>) {
    let currency = terms.currency;
    let money = |v: u64| json!({ "value": money_value(v, terms.decimals), "currency": currency });
    let mut adjudication = vec![
        json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted" }] }, "amount": money(c.billed) }),
    ];
    if c.is_decided() || matches!(c.status, ClaimStatus::Paid | ClaimStatus::Reversed) {
        adjudication.push(json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "eligible" }] }, "amount": money(c.approved + c.patient_share) }));
        adjudication.push(json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "deductible" }] }, "amount": money(c.patient_share) }));
        let mut benefit = json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "benefit" }] }, "amount": money(c.approved) });
        if c.carc != 0 {
            benefit["reason"] = json!({ "coding": [{ "system": "https://x12.org/codes/claim-adjustment-reason-codes", "code": c.carc.to_string() }] });
        }
        adjudication.push(benefit);
    }
    let total = vec![
        json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted" }] }, "amount": money(c.billed) }),
        json!({ "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "benefit" }] }, "amount": money(c.approved) }),
    ];
    (adjudication, total)
}

/// The payment of a paid claim (FHIR `payment`), if any.
fn payment(c: &Claim, terms: &ResponseTerms) -> Option<Value> {
    (c.paid > 0 && c.status == ClaimStatus::Paid).then(|| {
        json!({
            "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "code": "complete" }] },
            "amount": { "value": money_value(c.paid, terms.decimals), "currency": terms.currency },
            "date": crate::util::rfc3339(c.updated_at)[..10],
        })
    })
}

/// A FHIR R4 ClaimResponse of a claim, amounts as money of the terms' currency.
pub fn claim_response(address: &Pubkey, c: &Claim, terms: &ResponseTerms, now: i64) -> Value {
    let (adjudication, total) = adjudication(c, terms);
    let mut r = json!({
        "resourceType": "ClaimResponse",
        "id": address.to_string(),
        "identifier": [{ "system": "https://caretrail.dev/fhir/claim", "value": address.to_string() }],
        "status": if c.status == ClaimStatus::Voided { "cancelled" } else { "active" },
        "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": terms.claim_type }] },
        "use": "claim",
        "patient": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": terms.patient.to_string() } },
        "created": crate::util::rfc3339(now),
        "insurer": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": c.payer.to_string() } },
        "requestor": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": c.provider.to_string() } },
        "request": { "identifier": { "system": "https://caretrail.dev/fhir/claim-document", "value": crate::util::hex(&c.document_hash) } },
        "outcome": fhir_outcome(c.status),
        "disposition": status_name(c.status),
        "item": [{ "itemSequence": 1, "adjudication": adjudication }],
        "total": total,
    });
    if let Some(p) = payment(c, terms) {
        r["payment"] = p;
    }
    if let Some(clp02) = x12_clp02(c.status) {
        r["extension"] = json!([{ "url": "https://caretrail.dev/fhir/StructureDefinition/x12-835-clp02", "valueString": clp02 }]);
    }
    r
}

/// A FHIR R4 ExplanationOfBenefit of a claim: what the payer tells the patient — the same
/// adjudication as the ClaimResponse (amounts, CARC reasons), the coverage as the focal
/// insurance, the payment when paid.
pub fn explanation_of_benefit(
    address: &Pubkey,
    c: &Claim,
    terms: &ResponseTerms,
    now: i64,
) -> Value {
    let (adjudication, total) = adjudication(c, terms);
    let wallet = |k: &Pubkey| json!({ "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": k.to_string() } });
    let mut r = json!({
        "resourceType": "ExplanationOfBenefit",
        "id": address.to_string(),
        "identifier": [{ "system": "https://caretrail.dev/fhir/claim", "value": address.to_string() }],
        "status": if c.status == ClaimStatus::Voided { "cancelled" } else { "active" },
        "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": terms.claim_type }] },
        "use": "claim",
        "patient": wallet(&terms.patient),
        "created": crate::util::rfc3339(now),
        "insurer": wallet(&c.payer),
        "provider": wallet(&c.provider),
        "outcome": fhir_outcome(c.status),
        "disposition": status_name(c.status),
        "insurance": [{ "focal": true, "coverage": { "identifier": { "system": "https://caretrail.dev/fhir/coverage", "value": c.coverage.to_string() } } }],
        "item": [{
            "sequence": 1,
            "productOrService": { "coding": [{ "system": "https://caretrail.dev/fhir/claim-document", "code": crate::util::hex(&c.document_hash) }] },
            "adjudication": adjudication,
        }],
        "total": total,
    });
    if let Some(p) = payment(c, terms) {
        r["payment"] = p;
    }
    r
}
