//! What a patient sees of their own consents (the patient portal, `caretrail serve`): grants,
//! pending requests, emergency accesses to review, guardians, and every recorded access.
//! Public data only: pubkeys, registry entries, codes and times, nothing that is PHI.

use super::decision::{list_delegates, short_party_of, status_words};
use super::*;

/// A grant with its grantee's registry entry.
#[derive(Debug, Clone, Serialize)]
pub struct GrantEntry {
    #[serde(flatten)]
    pub grant: GrantView,
    /// pending, active, expired, revoked or rejected.
    pub state: &'static str,
    /// The grantee as its registry entry in a few words ("provider 0614141000005").
    pub grantee_entry: String,
    pub grantee_roles: Vec<&'static str>,
}

/// A guardian the patient named.
#[derive(Debug, Clone, Serialize)]
pub struct GuardianEntry {
    pub address: String,
    pub guardian: String,
    pub guardian_entry: String,
    pub classes: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    pub purposes: Vec<&'static str>,
    pub expires_at: String,
    pub active: bool,
}

/// One recorded access (an `AccessRecorded` event).
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub time: String,
    pub unix_time: i64,
    pub grant: String,
    pub grantee: String,
    pub grantee_entry: String,
    pub classes: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    pub purposes: Vec<&'static str>,
    pub emergency: bool,
    pub signature: String,
}

/// Everything the portal shows a patient.
#[derive(Debug, Clone, Serialize)]
pub struct PatientOverview {
    pub patient: String,
    pub now: String,
    /// Active, expired, revoked and rejected grants (not pending requests).
    pub grants: Vec<GrantEntry>,
    /// Requests awaiting the patient's approval.
    pub pending: Vec<GrantEntry>,
    /// Emergency (break-glass) accesses the patient has not reviewed yet.
    pub emergencies: Vec<GrantEntry>,
    pub guardians: Vec<GuardianEntry>,
    /// Recorded accesses, oldest first.
    pub accesses: Vec<AccessEntry>,
}

/// Reads `patient`'s overview from the ledger.
pub fn patient_overview(ledger: &dyn Ledger, patient: &Pubkey) -> Result<PatientOverview> {
    use crate::events::{CaretrailEvent, ConsentEvent};
    let now = ledger.get_clock()?.unix_timestamp;
    let mut names = std::collections::HashMap::<Pubkey, (String, Vec<&'static str>)>::new();
    let mut entry = |wallet: &Pubkey| -> Result<(String, Vec<&'static str>)> {
        if let Some(e) = names.get(wallet) {
            return Ok(e.clone());
        }
        // One registry read per wallet: its entry in words and its roles.
        let participant = crate::registry::fetch_participant(ledger, wallet)?;
        let roles = participant
            .as_ref()
            .map(|p| crate::registry::role_names(p.roles))
            .unwrap_or_default();
        let e = (short_party_of(wallet, participant.as_ref()), roles);
        names.insert(*wallet, e.clone());
        Ok(e)
    };
    let (mut grants, mut pending, mut emergencies) = (Vec::new(), Vec::new(), Vec::new());
    for (k, g) in list_grants(ledger, Some(patient), None)? {
        let (grantee_entry, grantee_roles) = entry(&g.grantee)?;
        let e = GrantEntry {
            grant: GrantView::new(&k, &g, now),
            state: status_words(&g, now),
            grantee_entry,
            grantee_roles,
        };
        if g.status == GrantStatus::Proposed {
            pending.push(e);
            continue;
        }
        if g.emergency && !g.reviewed {
            emergencies.push(e.clone());
        }
        grants.push(e);
    }
    let mut guardians = Vec::new();
    for (k, d) in list_delegates(ledger, patient)? {
        guardians.push(GuardianEntry {
            address: k.to_string(),
            guardian: d.guardian.to_string(),
            guardian_entry: entry(&d.guardian)?.0,
            classes: class_names(d.scope.classes),
            actions: action_names(d.scope.actions),
            purposes: purpose_names(d.scope.purposes),
            expires_at: crate::util::rfc3339(d.expires_at),
            active: now < d.expires_at,
        });
    }
    let mut accesses = Vec::new();
    for record in ledger.transactions_for_address(patient, usize::MAX)? {
        for ev in record.events() {
            let CaretrailEvent::Consent(ConsentEvent::AccessRecorded(x)) = ev else {
                continue;
            };
            if x.patient != *patient {
                continue;
            }
            accesses.push(AccessEntry {
                time: crate::util::rfc3339(x.timestamp),
                unix_time: x.timestamp,
                grant: x.grant.to_string(),
                grantee: x.grantee.to_string(),
                grantee_entry: entry(&x.grantee)?.0,
                classes: class_names(x.class),
                actions: action_names(x.action),
                purposes: purpose_names(x.purpose),
                emergency: x.emergency,
                signature: record.signature.to_string(),
            });
        }
    }
    Ok(PatientOverview {
        patient: patient.to_string(),
        now: crate::util::rfc3339(now),
        grants,
        pending,
        emergencies,
        guardians,
        accesses,
    })
}
