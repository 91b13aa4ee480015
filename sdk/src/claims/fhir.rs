//! FHIR renderings of claims (ClaimResponse).

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

/// A FHIR R4 ClaimResponse of a claim (amounts in the mint's smallest unit, currency given).
pub fn claim_response(address: &Pubkey, c: &Claim, currency: &str, now: i64) -> Value {
    let money = |v: u64| json!({ "value": v, "currency": currency });
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
    let mut r = json!({
        "resourceType": "ClaimResponse",
        "id": address.to_string(),
        "identifier": [{ "system": "https://caretrail.dev/fhir/claim", "value": address.to_string() }],
        "status": if c.status == ClaimStatus::Voided { "cancelled" } else { "active" },
        "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/claim-type", "code": "pharmacy" }] },
        "use": "claim",
        "patient": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": c.coverage.to_string() } },
        "created": crate::util::rfc3339(now),
        "insurer": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": c.payer.to_string() } },
        "requestor": { "identifier": { "system": crate::fhir::WALLET_SYSTEM, "value": c.provider.to_string() } },
        "request": { "identifier": { "system": "https://caretrail.dev/fhir/claim-document", "value": crate::util::hex(&c.document_hash) } },
        "outcome": fhir_outcome(c.status),
        "disposition": status_name(c.status),
        "item": [{ "itemSequence": 1, "adjudication": adjudication }],
        "total": [
            { "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "submitted" }] }, "amount": money(c.billed) },
            { "category": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/adjudication", "code": "benefit" }] }, "amount": money(c.approved) },
        ],
    });
    if c.paid > 0 && c.status == ClaimStatus::Paid {
        r["payment"] = json!({
            "type": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/ex-paymenttype", "code": "complete" }] },
            "amount": money(c.paid),
            "date": crate::util::rfc3339(c.updated_at)[..10],
        });
    }
    if let Some(clp02) = x12_clp02(c.status) {
        r["extension"] = json!([{ "url": "https://caretrail.dev/fhir/StructureDefinition/x12-835-clp02", "valueString": clp02 }]);
    }
    r
}
