//! A consent decision service in the shape HL7 LEAP CDS serves over CDS Hooks: an EHR or a
//! health-information-exchange gateway asks, before it releases a record, whether the patient
//! consented; the answer is a card whose summary is `CONSENT_PERMIT`, `CONSENT_DENY` or
//! `NO_CONSENT`, decided by [`check_access`] (the check `record_access` makes on chain, and
//! what `caretrail consent check` answers).
//!
//! Request (`POST /cds-services/patient-consent-consult`):
//!
//! ```json
//! { "hook": "patient-consent-consult", "hookInstance": "…",
//!   "context": {
//!     "patientId": [{ "system": "urn:solana:pubkey", "value": "<patient wallet>" }],
//!     "scope": "treatment",
//!     "purposeOfUse": ["TREAT"],
//!     "actor": [{ "system": "urn:solana:pubkey", "value": "<provider wallet>" }],
//!     "class": [{ "system": "https://caretrail.dev/fhir/CodeSystem/data-class", "code": "labs" }],
//!     "action": "access" } }
//! ```
//!
//! Identifiers are wallets (`urn:solana:pubkey`, or caretrail's FHIR wallet system), or an
//! EHR's own (an MRN, an NPI) mapped to wallets by an [`IdentifierMap`] kept off chain.
//! Without `class`, the record's classes are decided one by one: the card permits those the
//! grant covers and carries a `REDACT` obligation for the others.

use super::*;
use crate::fhir::{CLASS_SYSTEM, WALLET_SYSTEM};
use serde_json::{json, Value};
use std::collections::HashMap;

/// The identifier system of a Solana wallet in CDS Hooks requests.
pub const PUBKEY_SYSTEM: &str = "urn:solana:pubkey";
/// The one hook this service answers.
pub const HOOK: &str = "patient-consent-consult";

/// An EHR's identifiers (MRN, NPI, …) for wallets: `{ system: { value: pubkey } }`, kept off
/// chain by the deployment (a JSON file).
#[derive(Debug, Clone, Default)]
pub struct IdentifierMap {
    systems: HashMap<String, HashMap<String, Pubkey>>,
}

impl IdentifierMap {
    /// Parses `{"http://hospital.example/mrn": {"12345": "<pubkey>"}, …}`.
    pub fn from_json(text: &str) -> Result<IdentifierMap> {
        let raw: HashMap<String, HashMap<String, String>> = serde_json::from_str(text)
            .map_err(|e| {
                Error::invalid(format!(
                    "identifier map: line {} column {}: {e} (expected {{\"system\": {{\"value\": \"pubkey\"}}}})",
                    e.line(),
                    e.column()
                ))
            })?;
        let mut systems = HashMap::new();
        for (system, values) in raw {
            let mut m = HashMap::new();
            for (value, key) in values {
                let k: Pubkey = key.parse().map_err(|_| {
                    Error::invalid(format!(
                        "identifier map: {system}|{value} maps to {key:?}, not a base58 public key"
                    ))
                })?;
                m.insert(value, k);
            }
            systems.insert(system, m);
        }
        Ok(IdentifierMap { systems })
    }

    /// The wallet an identifier names.
    pub fn resolve(&self, system: &str, value: &str) -> Option<Pubkey> {
        if system == PUBKEY_SYSTEM || system == WALLET_SYSTEM {
            return value.parse().ok();
        }
        self.systems.get(system)?.get(value).copied()
    }

    pub fn len(&self) -> usize {
        self.systems.values().map(HashMap::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The discovery document (`GET /cds-services`).
pub fn discovery() -> Value {
    json!({
        "services": [{
            "hook": HOOK,
            "id": HOOK,
            "title": "caretrail consent decision service",
            "description": "Decides from the patient's consents on the caretrail ledger whether an actor may access a class of the patient's record for a purpose of use: CONSENT_PERMIT, CONSENT_DENY or NO_CONSENT.",
            "prefetch": {},
            "usageRequirements": "context.patientId and context.actor as identifiers (system urn:solana:pubkey, or one the service maps), context.purposeOfUse codes (v3 ActReason: TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT); optional context.class (caretrail data classes), context.action (access, use, disclose, correct), context.scope or context.category."
        }]
    })
}

fn identifiers<'a>(v: &'a Value, field: &str) -> Result<Vec<(&'a str, &'a str)>> {
    let list = match v {
        Value::Array(a) => a.iter().collect::<Vec<_>>(),
        Value::Object(_) => vec![v],
        Value::Null => {
            return Err(Error::invalid(format!(
                "context.{field} is required: a list of identifiers {{system, value}}"
            )))
        }
        _ => {
            return Err(Error::invalid(format!(
                "context.{field} must be a list of identifiers {{system, value}}"
            )))
        }
    };
    list.iter()
        .enumerate()
        .map(|(i, id)| {
            let system = id["system"].as_str();
            let value = id["value"].as_str();
            match (system, value) {
                (Some(s), Some(v)) => Ok((s, v)),
                _ => Err(Error::invalid(format!(
                    "context.{field}[{i}] needs a system and a value"
                ))),
            }
        })
        .collect()
}

fn resolve(ids: &IdentifierMap, v: &Value, field: &str) -> Result<Pubkey> {
    let list = identifiers(v, field)?;
    for (system, value) in &list {
        if let Some(k) = ids.resolve(system, value) {
            return Ok(k);
        }
    }
    Err(Error::invalid(format!(
        "context.{field}: no identifier this service knows ({}); use system {PUBKEY_SYSTEM} or one of the identifier map's",
        list.iter()
            .map(|(s, v)| format!("{s}|{v}"))
            .collect::<Vec<_>>()
            .join(", ")
    )))
}

/// Codes of a list of strings or codings (`["TREAT"]`, `[{"system":…,"code":"TREAT"}]`).
fn codes(v: &Value, field: &str) -> Result<Vec<String>> {
    let one = |x: &Value| -> Option<String> {
        x.as_str()
            .map(str::to_string)
            .or_else(|| x["code"].as_str().map(str::to_string))
            .or_else(|| x["coding"][0]["code"].as_str().map(str::to_string))
    };
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .map(|(i, x)| {
                one(x).ok_or_else(|| {
                    Error::invalid(format!("context.{field}[{i}] is not a code or a coding"))
                })
            })
            .collect(),
        x => one(x)
            .map(|c| vec![c])
            .ok_or_else(|| Error::invalid(format!("context.{field} is not a code or a coding"))),
    }
}

/// What a consult asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consult {
    pub patient: Pubkey,
    pub actor: Pubkey,
    /// One class bit each (every class when the request named none).
    pub classes: Vec<u16>,
    pub action: u8,
    /// One purpose bit each; every one must be permitted.
    pub purposes: Vec<u8>,
}

/// Parses a `patient-consent-consult` request.
pub fn parse_request(request: &Value, ids: &IdentifierMap) -> Result<Consult> {
    if !request.is_object() {
        return Err(Error::invalid("the request must be a JSON object"));
    }
    if let Some(h) = request.get("hook") {
        if h != HOOK {
            return Err(Error::invalid(format!("hook must be {HOOK:?}, not {h}")));
        }
    }
    let c = &request["context"];
    if !c.is_object() {
        return Err(Error::invalid("context is required"));
    }
    let patient = resolve(ids, &c["patientId"], "patientId")?;
    let actor = resolve(ids, &c["actor"], "actor")?;
    let purposes = codes(&c["purposeOfUse"], "purposeOfUse")?;
    if purposes.is_empty() {
        return Err(Error::invalid(
            "context.purposeOfUse is required (TREAT, ETREAT, HPAYMT, HOPERAT, HRESCH, PUBHLTH, PATRQT)",
        ));
    }
    let purposes = purposes
        .iter()
        .map(|p| parse_purposes(p))
        .collect::<Result<Vec<_>>>()?;
    let scope = c["scope"]
        .as_str()
        .or_else(|| c["category"][0]["coding"][0]["code"].as_str());
    if let Some(s) = scope {
        if !["patient-privacy", "treatment", "research", "adr"].contains(&s) {
            return Err(Error::invalid(format!(
                "context.scope {s:?} is not a consent scope (patient-privacy, treatment, research, adr)"
            )));
        }
    }
    let classes = codes(&c["class"], "class")?;
    let classes: Vec<u16> = if classes.is_empty() {
        (0..class::NAMES.len()).map(|i| 1u16 << i).collect()
    } else {
        classes
            .iter()
            .map(|x| parse_classes(x))
            .collect::<Result<Vec<_>>>()?
    };
    let action = match c["action"].as_str() {
        Some(a) => parse_actions(a)?,
        None => action::ACCESS,
    };
    Ok(Consult {
        patient,
        actor,
        classes,
        action,
        purposes,
    })
}

/// Answers a consult: one card.
pub fn consult(ledger: &dyn Ledger, request: &Value, ids: &IdentifierMap) -> Result<Value> {
    let Consult {
        patient,
        actor,
        classes,
        action,
        purposes,
    } = parse_request(request, ids)?;
    let whole_record = request["context"]["class"].is_null();
    let mut permitted: Vec<(u16, String)> = Vec::new();
    let mut denied: Vec<(u16, String)> = Vec::new();
    let mut no_consent = true;
    for &class in &classes {
        // Every purpose asked must be permitted for the class.
        let mut grant = None;
        let mut reason = None;
        for &purpose in &purposes {
            match check_access(ledger, &patient, &actor, class, action, purpose)? {
                Decision::Permit { grant: g, .. } => {
                    no_consent = false;
                    grant.get_or_insert(g);
                }
                d @ Decision::Deny { .. } => {
                    if !d.is_no_consent() {
                        no_consent = false;
                    }
                    if let Decision::Deny { reason: r } = d {
                        reason.get_or_insert(r);
                    }
                }
            }
        }
        match (grant, reason) {
            (Some(g), None) => permitted.push((class, g)),
            (_, Some(r)) => denied.push((class, r)),
            (None, None) => unreachable!("purposes is not empty"),
        }
    }
    let names = |list: &[(u16, String)]| -> Vec<&'static str> {
        list.iter().flat_map(|(c, _)| class_names(*c)).collect()
    };
    let (decision, detail, based_on) = if no_consent {
        (
            "NO_CONSENT",
            "The patient has made no consent to this actor.".to_string(),
            None,
        )
    } else if !permitted.is_empty() && (whole_record || denied.is_empty()) {
        let detail = if denied.is_empty() {
            format!("Permitted: {}.", names(&permitted).join(", "))
        } else {
            format!(
                "Permitted: {}; redact {} (no consent covers them).",
                names(&permitted).join(", "),
                names(&denied).join(", ")
            )
        };
        ("CONSENT_PERMIT", detail, Some(permitted[0].1.clone()))
    } else {
        (
            "CONSENT_DENY",
            format!(
                "Denied: {} ({}).",
                names(&denied).join(", "),
                denied
                    .first()
                    .map(|d| d.1.as_str())
                    .unwrap_or("no grant permits it")
            ),
            None,
        )
    };
    let mut extension = json!({ "decision": decision });
    if let Some(g) = &based_on {
        extension["basedOn"] = json!(format!("Consent/{g}"));
        let grants: Vec<String> = {
            let mut v: Vec<String> = permitted
                .iter()
                .map(|(_, g)| format!("Consent/{g}"))
                .collect();
            v.dedup();
            v
        };
        extension["grants"] = json!(grants);
    }
    if decision == "CONSENT_PERMIT" && !denied.is_empty() {
        extension["obligations"] = json!([{
            "id": { "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "REDACT" },
            "parameters": { "codes": names(&denied).iter().map(|c| json!({ "system": CLASS_SYSTEM, "code": c })).collect::<Vec<_>>() }
        }]);
    }
    Ok(json!({
        "cards": [{
            "summary": decision,
            "indicator": if decision == "CONSENT_PERMIT" { "info" } else { "warning" },
            "detail": detail,
            "source": { "label": "caretrail consent ledger", "topic": { "code": decision, "system": "https://caretrail.dev/cds/decision" } },
            "extension": extension,
        }]
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_name_what_is_wrong() {
        let ids = IdentifierMap::default();
        let k = Pubkey::new_unique().to_string();
        let ok = json!({ "hook": HOOK, "context": {
            "patientId": [{ "system": PUBKEY_SYSTEM, "value": k }],
            "actor": [{ "system": PUBKEY_SYSTEM, "value": k }],
            "purposeOfUse": ["TREAT"] } });
        let c = parse_request(&ok, &ids).unwrap();
        assert_eq!(c.classes.len(), class::NAMES.len());
        assert_eq!(c.action, action::ACCESS);
        assert_eq!(c.purposes, vec![purpose::TREAT]);
        let err = |v: Value| parse_request(&v, &ids).unwrap_err().to_string();
        assert!(err(json!({"context": {}})).contains("context.patientId is required"));
        assert!(
            err(json!({"context": {"patientId": [{"system": "http://mrn", "value": "1"}]}}))
                .contains("no identifier this service knows (http://mrn|1)")
        );
        let mut bad = ok.clone();
        bad["context"]["purposeOfUse"] = json!(["SHOPPING"]);
        assert!(err(bad).contains("unknown purpose \"SHOPPING\""));
        let mut bad = ok.clone();
        bad["hook"] = json!("order-sign");
        assert!(err(bad).contains("hook must be"));
    }

    #[test]
    fn the_identifier_map_resolves_an_ehrs_identifiers() {
        let k = Pubkey::new_unique();
        let m = IdentifierMap::from_json(&format!(
            r#"{{"http://hospital.example/mrn": {{"MRN-1": "{k}"}}}}"#
        ))
        .unwrap();
        assert_eq!(m.resolve("http://hospital.example/mrn", "MRN-1"), Some(k));
        assert_eq!(m.resolve(PUBKEY_SYSTEM, &k.to_string()), Some(k));
        assert_eq!(m.resolve("http://hospital.example/mrn", "MRN-2"), None);
        assert!(IdentifierMap::from_json(r#"{"s": {"v": "nope"}}"#)
            .unwrap_err()
            .to_string()
            .contains("not a base58 public key"));
    }
}
