//! HL7 FHIR R4 mappings: `Consent` export of a grant and import of a Consent provision as a
//! grant request.
//!
//! No PHI leaves the chain in these documents either: the patient, grantee and delegate are
//! named by wallet identifiers (`https://caretrail.dev/fhir/wallet`), the policy by its hash.
//! A deployment that knows who the wallets are adds `Patient`/`Practitioner` references
//! off chain.

use crate::consent::{action_names, class_names, purpose_names, ConsentGrant, GrantStatus, Scope};
use crate::{Error, Result};
use serde_json::{json, Value};
use solana_sdk::pubkey::Pubkey;

/// Identifier system of caretrail wallets.
pub const WALLET_SYSTEM: &str = "https://caretrail.dev/fhir/wallet";
/// Code system of caretrail data classes.
pub const CLASS_SYSTEM: &str = "https://caretrail.dev/fhir/CodeSystem/data-class";
const ACTION_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentaction";
const PURPOSE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const SCOPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/consentscope";

fn wallet_ref(key: &Pubkey) -> Value {
    json!({ "identifier": { "system": WALLET_SYSTEM, "value": key.to_string() } })
}

/// FHIR `Consent.status` of a grant at `now`.
pub fn consent_status(g: &ConsentGrant, now: i64) -> &'static str {
    match g.status {
        GrantStatus::Proposed => "proposed",
        GrantStatus::Rejected => "rejected",
        GrantStatus::Revoked => "inactive",
        GrantStatus::Active if now >= g.expires_at => "inactive",
        GrantStatus::Active => "active",
    }
}

/// A FHIR R4 `Consent` resource for a grant.
pub fn consent_resource(address: &Pubkey, g: &ConsentGrant, now: i64) -> Value {
    let scope_code = if g.scope.purposes == crate::consent::purpose::HRESCH {
        "research"
    } else if g.scope.purposes & (crate::consent::purpose::TREAT | crate::consent::purpose::ETREAT)
        != 0
    {
        "treatment"
    } else {
        "patient-privacy"
    };
    json!({
        "resourceType": "Consent",
        "id": address.to_string(),
        "meta": { "profile": ["http://hl7.org/fhir/StructureDefinition/Consent"] },
        "identifier": [{ "system": "https://caretrail.dev/fhir/consent-grant", "value": address.to_string() }],
        "status": consent_status(g, now),
        "scope": { "coding": [{ "system": SCOPE_SYSTEM, "code": scope_code }] },
        "category": [{ "coding": [{ "system": "http://loinc.org", "code": "59284-0", "display": "Patient Consent" }] }],
        "patient": wallet_ref(&g.patient),
        "dateTime": crate::util::rfc3339(g.created_at),
        "performer": [wallet_ref(&g.patient)],
        "policy": [{ "uri": format!("urn:caretrail:policy:sha256:{}", crate::util::hex(&g.policy_hash)) }],
        "provision": {
            "type": "permit",
            "period": { "start": crate::util::rfc3339(g.not_before), "end": crate::util::rfc3339(g.expires_at) },
            "actor": [{
                "role": { "coding": [{ "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP", "display": "information recipient" }] },
                "reference": wallet_ref(&g.grantee),
            }],
            "action": action_names(g.scope.actions).iter().map(|a| json!({ "coding": [{ "system": ACTION_SYSTEM, "code": a }] })).collect::<Vec<_>>(),
            "purpose": purpose_names(g.scope.purposes).iter().map(|p| json!({ "system": PURPOSE_SYSTEM, "code": p })).collect::<Vec<_>>(),
            "class": class_names(g.scope.classes).iter().map(|c| json!({ "system": CLASS_SYSTEM, "code": c })).collect::<Vec<_>>(),
        },
        "extension": [
            { "url": "https://caretrail.dev/fhir/StructureDefinition/break-glass", "valueBoolean": g.emergency },
            { "url": "https://caretrail.dev/fhir/StructureDefinition/access-count", "valueUnsignedInt": g.access_count },
        ],
    })
}

/// The grant request a FHIR Consent's provision describes: `(grantee, scope, not_before,
/// expires_at)`. The grantee is the provision's first actor with a caretrail wallet
/// identifier; the period's bounds are RFC 3339 date-times.
pub fn request_from_consent(consent: &Value) -> Result<(Pubkey, Scope, i64, i64)> {
    if consent["resourceType"] != "Consent" {
        return Err(Error::invalid("not a FHIR Consent resource"));
    }
    let p = &consent["provision"];
    if p["type"].as_str().unwrap_or("permit") != "permit" {
        return Err(Error::invalid("only permit provisions become grants"));
    }
    let grantee = p["actor"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|a| {
            let id = &a["reference"]["identifier"];
            (id["system"] == WALLET_SYSTEM)
                .then(|| id["value"].as_str())
                .flatten()
        })
        .ok_or(Error::invalid(
            "the provision names no actor with a caretrail wallet identifier",
        ))?;
    let grantee: Pubkey = grantee
        .parse()
        .map_err(|_| Error::invalid(format!("bad wallet {grantee}")))?;
    let codes = |v: &Value, key: Option<&str>| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .flat_map(|x| match key {
                Some(k) => x[k].as_array().cloned().unwrap_or_default(),
                None => vec![x.clone()],
            })
            .filter_map(|c| c["code"].as_str().map(str::to_string))
            .collect()
    };
    let scope = crate::consent::parse_scope(
        &codes(&p["class"], None).join(","),
        &codes(&p["action"], Some("coding")).join(","),
        &codes(&p["purpose"], None).join(","),
    )?;
    let time = |s: &Value, what: &str| -> Result<i64> {
        let s = s
            .as_str()
            .ok_or_else(|| Error::invalid(format!("provision.period.{what} is missing")))?;
        parse_rfc3339(s).ok_or_else(|| {
            Error::invalid(format!(
                "provision.period.{what} {s:?} is not an RFC 3339 date-time"
            ))
        })
    };
    Ok((
        grantee,
        scope,
        time(&p["period"]["start"], "start")?,
        time(&p["period"]["end"], "end")?,
    ))
}

/// `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` to unix seconds.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y: i64 = s.get(0..4)?.parse().ok()?;
    let m: u32 = s.get(5..7)?.parse().ok()?;
    let d: u32 = s.get(8..10)?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut t = crate::util::days_from_civil(y, m, d) * 86_400;
    if b.len() == 10 {
        return Some(t);
    }
    if b[10] != b'T' || b.len() < 19 {
        return None;
    }
    let hh: i64 = s.get(11..13)?.parse().ok()?;
    let mm: i64 = s.get(14..16)?.parse().ok()?;
    let ss: i64 = s.get(17..19)?.parse().ok()?;
    t += hh * 3600 + mm * 60 + ss;
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        rest = frac.trim_start_matches(|c: char| c.is_ascii_digit());
    }
    match rest {
        "Z" => Some(t),
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let oh: i64 = tz.get(1..3)?.parse().ok()?;
            let om: i64 = tz.get(4..6)?.parse().ok()?;
            let off = oh * 3600 + om * 60;
            Some(if tz.starts_with('+') {
                t - off
            } else {
                t + off
            })
        }
        _ => None,
    }
}

/// A FHIR R4 `AuditEvent` of one recorded access (an `AccessRecorded` event) of `patient`'s
/// record: who (the grantee's wallet), which data class, for what purpose, when, under which
/// grant, and the transaction that recorded it.
pub fn audit_event_resource(patient: &Pubkey, a: &crate::consent::AccessEntry) -> Value {
    json!({
        "resourceType": "AuditEvent",
        // FHIR ids are at most 64 characters: the recording transaction's signature, hashed.
        "id": crate::util::hex(&crate::hash::sha256(&[a.signature.as_bytes()])),
        "type": { "system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110", "display": "Patient Record" },
        "subtype": a.actions.iter().map(|c| json!({ "system": ACTION_SYSTEM, "code": c })).collect::<Vec<_>>(),
        "action": "R",
        "recorded": a.time,
        "outcome": "0",
        "purposeOfEvent": a.purposes.iter().map(|p| json!({ "coding": [{ "system": PURPOSE_SYSTEM, "code": p }] })).collect::<Vec<_>>(),
        "agent": [{
            "who": wallet_ref(&a.grantee.parse().unwrap_or_default()),
            "requestor": true,
            "purposeOfUse": a.purposes.iter().map(|p| json!({ "coding": [{ "system": PURPOSE_SYSTEM, "code": p }] })).collect::<Vec<_>>(),
        }],
        "source": {
            "observer": { "identifier": { "system": "https://caretrail.dev/fhir/program", "value": crate::consent::PROGRAM_ID.to_string() } },
            "type": [{ "system": "http://terminology.hl7.org/CodeSystem/security-source-type", "code": "4", "display": "Application Server" }],
        },
        "entity": [
            {
                "what": wallet_ref(patient),
                "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person" },
                "role": { "system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient" },
            },
            {
                "what": { "reference": format!("Consent/{}", a.grant) },
                "type": { "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object" },
                "detail": a.classes.iter().map(|c| json!({ "type": CLASS_SYSTEM, "valueString": c })).chain(
                    std::iter::once(json!({ "type": "https://caretrail.dev/fhir/transaction", "valueString": a.signature }))
                ).chain(a.emergency.then(|| json!({ "type": "https://caretrail.dev/fhir/StructureDefinition/break-glass", "valueString": "true" }))).collect::<Vec<_>>(),
            }
        ],
    })
}

/// A FHIR R4 `searchset` Bundle of `entries` (`(resource type/id, resource)`), `total` in all,
/// with the page's `self` and `next` links.
pub fn searchset(
    base: &str,
    entries: Vec<Value>,
    total: usize,
    self_link: String,
    next_link: Option<String>,
) -> Value {
    let mut links = vec![json!({ "relation": "self", "url": self_link })];
    if let Some(n) = next_link {
        links.push(json!({ "relation": "next", "url": n }));
    }
    json!({
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": entries.into_iter().map(|r| json!({
            "fullUrl": format!("{}/{}/{}", base.trim_end_matches('/'), r["resourceType"].as_str().unwrap_or(""), r["id"].as_str().unwrap_or("")),
            "resource": r,
            "search": { "mode": "match" },
        })).collect::<Vec<_>>(),
    })
}

/// A FHIR R4 `OperationOutcome` with one error issue (`code`: invalid, not-found, …).
pub fn operation_outcome(code: &str, diagnostics: &str) -> Value {
    json!({
        "resourceType": "OperationOutcome",
        "issue": [{ "severity": "error", "code": code, "diagnostics": diagnostics }],
    })
}

/// The `CapabilityStatement` of the read API `caretrail serve` offers.
pub fn capability_statement(base: &str, version: &str) -> Value {
    json!({
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": crate::util::rfc3339(crate::util::unix_now()),
        "publisher": "caretrail",
        "kind": "instance",
        "software": { "name": "caretrail serve", "version": version },
        "implementation": { "description": "Patient consents and recorded accesses read from the caretrail ledger", "url": base },
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json", "json"],
        "rest": [{
            "mode": "server",
            "resource": [
                {
                    "type": "Consent",
                    "interaction": [{ "code": "read" }, { "code": "search-type" }],
                    "searchParam": [
                        { "name": "patient", "type": "reference", "documentation": "the patient's wallet: PUBKEY or https://caretrail.dev/fhir/wallet|PUBKEY" },
                        { "name": "_count", "type": "number", "documentation": "page size (1-100, default 20)" },
                        { "name": "_offset", "type": "number", "documentation": "entries to skip" }
                    ]
                },
                {
                    "type": "AuditEvent",
                    "interaction": [{ "code": "search-type" }],
                    "searchParam": [
                        { "name": "patient", "type": "reference", "documentation": "the patient's wallet" },
                        { "name": "date", "type": "date", "documentation": "recorded time, with prefixes ge, gt, le, lt, eq (repeatable)" },
                        { "name": "_count", "type": "number" },
                        { "name": "_offset", "type": "number" }
                    ]
                }
            ]
        }],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_parsing() {
        assert_eq!(parse_rfc3339("2026-06-01T00:00:00Z"), Some(1_780_272_000));
        assert_eq!(parse_rfc3339("2026-06-01"), Some(1_780_272_000));
        assert_eq!(
            parse_rfc3339("2026-06-01T02:00:00.123+02:00"),
            Some(1_780_272_000)
        );
        assert_eq!(parse_rfc3339("2026-13-01"), None);
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
