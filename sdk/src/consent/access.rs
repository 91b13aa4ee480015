//! Access decisions (the same check `record_access` makes on chain) and audit trails.

use super::*;

/// An EHR gateway's access decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "decision", rename_all = "snake_case")]
pub enum Decision {
    /// A grant permits it; record the access under it.
    Permit {
        grant: String,
        emergency: bool,
        expires_at: i64,
    },
    /// No grant permits it; the reason is the closest grant's, or "no grant".
    Deny { reason: String },
}

/// The reason of a denial when the patient made no grant at all to the grantee.
pub const NO_GRANT: &str = "no grant from this patient to this grantee";

impl Decision {
    pub fn is_permit(&self) -> bool {
        matches!(self, Decision::Permit { .. })
    }

    /// A denial because no grant exists between the pair at all (CDS Hooks `NO_CONSENT`).
    pub fn is_no_consent(&self) -> bool {
        matches!(self, Decision::Deny { reason } if reason == NO_GRANT)
    }
}

/// Would `grantee` be allowed `action` on `class` for `purpose` of `patient`'s data now? The
/// same check `record_access` makes on chain, over every grant of the pair.
pub fn check_access(
    ledger: &dyn Ledger,
    patient: &Pubkey,
    grantee: &Pubkey,
    class: u16,
    action: u8,
    purpose: u8,
) -> Result<Decision> {
    let now = ledger.get_clock()?.unix_timestamp;
    let mut reason = NO_GRANT.to_string();
    for (k, g) in list_grants(ledger, Some(patient), Some(grantee))? {
        match g.check_access(class, action, purpose, now) {
            Ok(()) => {
                return Ok(Decision::Permit {
                    grant: k.to_string(),
                    emergency: g.emergency,
                    expires_at: g.expires_at,
                })
            }
            Err(e) => reason = e.to_string(),
        }
    }
    Ok(Decision::Deny { reason })
}

/// One entry of an audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub time: String,
    pub event: &'static str,
    pub signature: String,
    pub grant: String,
    /// Who acted (patient, delegate or grantee).
    pub by: String,
    pub detail: serde_json::Value,
}

/// The audit trail of a patient or a grant (any address the consent transactions name), from
/// the ledger's events, oldest first.
pub fn audit_trail(ledger: &dyn Ledger, address: &Pubkey) -> Result<Vec<AuditEntry>> {
    use crate::events::{CaretrailEvent, ConsentEvent::*};
    use serde_json::json;
    let mut out = Vec::new();
    for record in ledger.transactions_for_address(address, usize::MAX)? {
        for ev in record.events() {
            let CaretrailEvent::Consent(e) = ev else {
                continue;
            };
            // The version an access read (records): told on that access's entry.
            if let AnchoredVersionRead(x) = &e {
                if let Some(entry) = out.iter_mut().rev().find(|a: &&mut AuditEntry| {
                    a.event == "AccessRecorded"
                        && a.signature == record.signature.to_string()
                        && a.grant == x.grant.to_string()
                }) {
                    entry.detail["anchored_batch"] = json!(x.batch.to_string());
                    entry.detail["anchored_version_leaf"] = json!(crate::util::hex(&x.leaf));
                }
                continue;
            }
            let (grant, by, t, detail) = match &e {
                GrantCreated(x) => (
                    x.grant,
                    x.by,
                    x.timestamp,
                    json!({ "grantee": x.grantee.to_string(), "classes": class_names(x.scope.classes), "actions": action_names(x.scope.actions), "purposes": purpose_names(x.scope.purposes), "expires_at": x.expires_at, "active": x.active, "emergency": x.emergency }),
                ),
                GrantApproved(x) => (x.grant, x.by, x.timestamp, json!({})),
                GrantRejected(x) => (x.grant, x.by, x.timestamp, json!({})),
                GrantAmended(x) => (
                    x.grant,
                    x.by,
                    x.timestamp,
                    json!({ "classes": class_names(x.scope.classes), "actions": action_names(x.scope.actions), "purposes": purpose_names(x.scope.purposes), "expires_at": x.expires_at, "widened": x.widened }),
                ),
                GrantRevoked(x) => (x.grant, x.by, x.timestamp, json!({})),
                GrantClosed(x) => (x.grant, x.patient, x.timestamp, json!({})),
                EmergencyReviewed(x) => (x.grant, x.patient, x.timestamp, json!({})),
                AccessRecorded(x) => (
                    x.grant,
                    x.grantee,
                    x.timestamp,
                    json!({ "class": class_names(x.class), "action": action_names(x.action), "purpose": purpose_names(x.purpose), "resource_hash": crate::util::hex(&x.resource_hash), "emergency": x.emergency }),
                ),
                DelegateSet(x) => (
                    x.delegate,
                    x.patient,
                    x.timestamp,
                    json!({ "guardian": x.guardian.to_string(), "expires_at": x.expires_at }),
                ),
                DelegateRemoved(x) => (
                    x.delegate,
                    x.patient,
                    x.timestamp,
                    json!({ "guardian": x.guardian.to_string() }),
                ),
                AnchoredVersionRead(_) => continue,
            };
            out.push(AuditEntry {
                time: crate::util::rfc3339(t),
                event: e.name(),
                signature: record.signature.to_string(),
                grant: grant.to_string(),
                by: by.to_string(),
                detail,
            });
        }
    }
    Ok(out)
}
