//! Consent client: PDAs, typed builders from the program's own types, listing by patient or
//! grantee (memcmp), `check_access` for EHR gateways, the audit trail from events, and FHIR R4
//! Consent export / import.

use crate::ledger::{send_instructions, AccountFilter, Ledger, TxOutcome};
use crate::registry::{decode, participant_pda};
use crate::{Error, Result};
use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
pub use consent::constants::{action, class, purpose, MAX_EMERGENCY_SECONDS};
use consent::constants::{SEED_DELEGATE, SEED_GRANT, SEED_PATIENT};
pub use consent::state::{ConsentGrant, Delegate, GrantStatus, PatientRecord};
pub use consent::{AccessArgs, AmendArgs, EmergencyArgs, GrantArgs, Scope};
use serde::Serialize;
use solana_sdk::{
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

pub const PROGRAM_ID: Pubkey = consent::ID;

pub fn grant_pda(patient: &Pubkey, grantee: &Pubkey, grant_id: u64) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            SEED_GRANT,
            patient.as_ref(),
            grantee.as_ref(),
            &grant_id.to_le_bytes(),
        ],
        &PROGRAM_ID,
    )
}

pub fn delegate_pda(patient: &Pubkey, guardian: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_DELEGATE, patient.as_ref(), guardian.as_ref()],
        &PROGRAM_ID,
    )
}

pub fn patient_record_pda(patient: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_PATIENT, patient.as_ref()], &PROGRAM_ID)
}

/// `["breakglass", patient, provider]`: a provider's last break-glass grant for a patient.
pub fn breakglass_pda(patient: &Pubkey, provider: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[
            consent::constants::SEED_BREAKGLASS,
            patient.as_ref(),
            provider.as_ref(),
        ],
        &PROGRAM_ID,
    )
}

fn names<T: Copy + Into<u32>>(mask: T, all: &[&'static str]) -> Vec<&'static str> {
    let m: u32 = mask.into();
    all.iter()
        .enumerate()
        .filter(|(i, _)| m & (1 << i) != 0)
        .map(|(_, n)| *n)
        .collect()
}

pub fn class_names(mask: u16) -> Vec<&'static str> {
    names(mask, &class::NAMES)
}
pub fn action_names(mask: u8) -> Vec<&'static str> {
    names(mask, &action::NAMES)
}
pub fn purpose_names(mask: u8) -> Vec<&'static str> {
    names(mask, &purpose::NAMES)
}

fn parse_mask(list: &str, all: &[&str], what: &str) -> Result<u32> {
    let mut mask = 0u32;
    for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let i = all
            .iter()
            .position(|n| n.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown {what} {name:?} (known: {})",
                    all.join(", ")
                ))
            })?;
        mask |= 1 << i;
    }
    if mask == 0 {
        return Err(Error::invalid(format!("at least one {what} is required")));
    }
    Ok(mask)
}

/// Parses comma-separated class, action and purpose names into a scope.
pub fn parse_scope(classes: &str, actions: &str, purposes: &str) -> Result<Scope> {
    Ok(Scope {
        classes: parse_mask(classes, &class::NAMES, "class")? as u16,
        actions: parse_mask(actions, &action::NAMES, "action")? as u8,
        purposes: parse_mask(purposes, &purpose::NAMES, "purpose")? as u8,
    })
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

fn ix(accounts: Vec<anchor_lang::prelude::AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

/// `grant`: `authority` is the patient or a guardian (then its delegate account is passed).
pub fn grant_ix(
    patient: &Pubkey,
    grantee: &Pubkey,
    authority: &Pubkey,
    payer: &Pubkey,
    grant_id: u64,
    args: GrantArgs,
) -> Instruction {
    ix(
        consent::accounts::Grant {
            grant: grant_pda(patient, grantee, grant_id).0,
            patient: *patient,
            grantee_participant: participant_pda(grantee).0,
            authority: *authority,
            delegate: (authority != patient).then(|| delegate_pda(patient, authority).0),
            payer: *payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::Grant { grant_id, args }.data(),
    )
}

pub fn request_ix(
    patient: &Pubkey,
    grantee: &Pubkey,
    grant_id: u64,
    args: GrantArgs,
) -> Instruction {
    ix(
        consent::accounts::Request {
            grant: grant_pda(patient, grantee, grant_id).0,
            patient: *patient,
            grantee: *grantee,
            grantee_participant: participant_pda(grantee).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::Request { grant_id, args }.data(),
    )
}

fn change_accounts(
    grant: &Pubkey,
    patient: &Pubkey,
    authority: &Pubkey,
) -> Vec<anchor_lang::prelude::AccountMeta> {
    consent::accounts::ChangeGrant {
        grant: *grant,
        authority: *authority,
        delegate: (authority != patient).then(|| delegate_pda(patient, authority).0),
    }
    .to_account_metas(None)
}

pub fn approve_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Approve {}.data(),
    )
}

pub fn reject_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Reject {}.data(),
    )
}

pub fn amend_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    authority: &Pubkey,
    args: AmendArgs,
) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Amend { args }.data(),
    )
}

pub fn revoke_ix(grant: &Pubkey, patient: &Pubkey, authority: &Pubkey) -> Instruction {
    ix(
        change_accounts(grant, patient, authority),
        consent::instruction::Revoke {}.data(),
    )
}

pub fn close_grant_ix(grant: &Pubkey, patient: &Pubkey) -> Instruction {
    ix(
        consent::accounts::CloseGrant {
            grant: *grant,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::CloseGrant {}.data(),
    )
}

pub fn set_delegate_ix(
    patient: &Pubkey,
    guardian: &Pubkey,
    scope: Scope,
    expires_at: i64,
) -> Instruction {
    ix(
        consent::accounts::SetDelegate {
            delegate: delegate_pda(patient, guardian).0,
            patient: *patient,
            guardian: *guardian,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::SetDelegate { scope, expires_at }.data(),
    )
}

pub fn remove_delegate_ix(patient: &Pubkey, guardian: &Pubkey) -> Instruction {
    ix(
        consent::accounts::RemoveDelegate {
            delegate: delegate_pda(patient, guardian).0,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::RemoveDelegate {}.data(),
    )
}

pub fn emergency_access_ix(
    patient: &Pubkey,
    provider: &Pubkey,
    grant_id: u64,
    args: EmergencyArgs,
) -> Instruction {
    ix(
        consent::accounts::EmergencyAccess {
            grant: grant_pda(patient, provider, grant_id).0,
            patient_record: patient_record_pda(patient).0,
            breakglass: breakglass_pda(patient, provider).0,
            patient: *patient,
            provider: *provider,
            provider_participant: participant_pda(provider).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        consent::instruction::EmergencyAccess { grant_id, args }.data(),
    )
}

pub fn review_emergency_ix(grant: &Pubkey, patient: &Pubkey) -> Instruction {
    ix(
        consent::accounts::ReviewEmergency {
            grant: *grant,
            patient_record: patient_record_pda(patient).0,
            patient: *patient,
        }
        .to_account_metas(None),
        consent::instruction::ReviewEmergency {}.data(),
    )
}

/// Records one access under a grant the patient made (see [`record_access_under_ix`] for a
/// grant a guardian made).
pub fn record_access_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    args: AccessArgs,
) -> Instruction {
    record_access_under_ix(grant, patient, grantee, None, args)
}

/// Records one access under a grant; `guardian` is the grant's `delegate` when a guardian made,
/// approved or last changed it (the program then checks that delegation is still alive).
pub fn record_access_under_ix(
    grant: &Pubkey,
    patient: &Pubkey,
    grantee: &Pubkey,
    guardian: Option<&Pubkey>,
    args: AccessArgs,
) -> Instruction {
    ix(
        consent::accounts::RecordAccess {
            grant: *grant,
            patient: *patient,
            grantee: *grantee,
            grantee_participant: participant_pda(grantee).0,
            delegate: guardian.map(|g| delegate_pda(patient, g).0),
        }
        .to_account_metas(None),
        consent::instruction::RecordAccess { args }.data(),
    )
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

pub fn fetch_grant(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<ConsentGrant>> {
    crate::registry::fetch_owned(ledger, address, &PROGRAM_ID)
}

pub fn fetch_patient_record(
    ledger: &dyn Ledger,
    patient: &Pubkey,
) -> Result<Option<PatientRecord>> {
    crate::registry::fetch_owned(ledger, &patient_record_pda(patient).0, &PROGRAM_ID)
}

/// A provider's break-glass record for a patient (its last emergency grant and its expiry).
pub fn fetch_breakglass(
    ledger: &dyn Ledger,
    patient: &Pubkey,
    provider: &Pubkey,
) -> Result<Option<consent::state::BreakGlass>> {
    crate::registry::fetch_owned(ledger, &breakglass_pda(patient, provider).0, &PROGRAM_ID)
}

/// Grants of a patient and/or a grantee (memcmp filters), ordered by creation time.
pub fn list_grants(
    ledger: &dyn Ledger,
    patient: Option<&Pubkey>,
    grantee: Option<&Pubkey>,
) -> Result<Vec<(Pubkey, ConsentGrant)>> {
    let mut filters = vec![
        AccountFilter::DataSize((8 + <ConsentGrant as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, ConsentGrant::DISCRIMINATOR.to_vec()),
    ];
    if let Some(p) = patient {
        filters.push(AccountFilter::memcmp(
            ConsentGrant::PATIENT_OFFSET,
            p.to_bytes().to_vec(),
        ));
    }
    if let Some(g) = grantee {
        filters.push(AccountFilter::memcmp(
            ConsentGrant::GRANTEE_OFFSET,
            g.to_bytes().to_vec(),
        ));
    }
    let mut out: Vec<(Pubkey, ConsentGrant)> = ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<ConsentGrant>(&a.data).map(|g| (k, g)))
        .collect();
    out.sort_by_key(|(k, g)| (g.created_at, *k));
    Ok(out)
}

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

impl Decision {
    pub fn is_permit(&self) -> bool {
        matches!(self, Decision::Permit { .. })
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
    let mut reason = "no grant from this patient to this grantee".to_string();
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

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// Sends consent instructions; `payer` pays fees (and rent where the payer is not fixed).
pub struct ConsentClient<'a> {
    pub ledger: &'a dyn Ledger,
    pub payer: &'a Keypair,
}

impl<'a> ConsentClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, payer: &'a Keypair) -> Self {
        ConsentClient { ledger, payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.payer, signers, ixs)
    }

    fn grant_of(&self, grant: &Pubkey) -> Result<ConsentGrant> {
        fetch_grant(self.ledger, grant)?.ok_or_else(|| Error::not_found("grant", *grant))
    }

    /// `authority`: the patient, or a guardian acting for `patient`.
    pub fn grant(
        &self,
        authority: &Keypair,
        patient: &Pubkey,
        grantee: &Pubkey,
        grant_id: u64,
        args: GrantArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[grant_ix(
                patient,
                grantee,
                &authority.pubkey(),
                &self.payer.pubkey(),
                grant_id,
                args,
            )],
        )
    }

    pub fn request(
        &self,
        grantee: &Keypair,
        patient: &Pubkey,
        grant_id: u64,
        args: GrantArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[grantee],
            &[request_ix(patient, &grantee.pubkey(), grant_id, args)],
        )
    }

    pub fn approve(&self, authority: &Keypair, grant: &Pubkey) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        self.send(
            &[authority],
            &[approve_ix(grant, &g.patient, &authority.pubkey())],
        )
    }

    pub fn reject(&self, authority: &Keypair, grant: &Pubkey) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        self.send(
            &[authority],
            &[reject_ix(grant, &g.patient, &authority.pubkey())],
        )
    }

    pub fn amend(&self, authority: &Keypair, grant: &Pubkey, args: AmendArgs) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        self.send(
            &[authority],
            &[amend_ix(grant, &g.patient, &authority.pubkey(), args)],
        )
    }

    pub fn revoke(&self, authority: &Keypair, grant: &Pubkey) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        self.send(
            &[authority],
            &[revoke_ix(grant, &g.patient, &authority.pubkey())],
        )
    }

    pub fn close(&self, patient: &Keypair, grant: &Pubkey) -> Result<TxOutcome> {
        self.send(&[patient], &[close_grant_ix(grant, &patient.pubkey())])
    }

    pub fn set_delegate(
        &self,
        patient: &Keypair,
        guardian: &Pubkey,
        scope: Scope,
        expires_at: i64,
    ) -> Result<TxOutcome> {
        self.send(
            &[patient],
            &[set_delegate_ix(
                &patient.pubkey(),
                guardian,
                scope,
                expires_at,
            )],
        )
    }

    pub fn remove_delegate(&self, patient: &Keypair, guardian: &Pubkey) -> Result<TxOutcome> {
        self.send(
            &[patient],
            &[remove_delegate_ix(&patient.pubkey(), guardian)],
        )
    }

    pub fn emergency(
        &self,
        provider: &Keypair,
        patient: &Pubkey,
        grant_id: u64,
        args: EmergencyArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[provider],
            &[emergency_access_ix(
                patient,
                &provider.pubkey(),
                grant_id,
                args,
            )],
        )
    }

    pub fn review_emergency(&self, patient: &Keypair, grant: &Pubkey) -> Result<TxOutcome> {
        self.send(&[patient], &[review_emergency_ix(grant, &patient.pubkey())])
    }

    pub fn record_access(
        &self,
        grantee: &Keypair,
        grant: &Pubkey,
        args: AccessArgs,
    ) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        self.send(
            &[grantee],
            &[record_access_under_ix(
                grant,
                &g.patient,
                &grantee.pubkey(),
                g.is_delegate_made().then_some(&g.delegate),
                args,
            )],
        )
    }
}

/// The first grant id of the pair with no grant account yet.
pub fn next_grant_id(ledger: &dyn Ledger, patient: &Pubkey, grantee: &Pubkey) -> Result<u64> {
    let mut id = 1;
    while ledger
        .get_account(&grant_pda(patient, grantee, id).0)?
        .is_some()
    {
        id += 1;
    }
    Ok(id)
}

/// A grant as clients show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct GrantView {
    pub address: String,
    pub status: &'static str,
    pub patient: String,
    pub grantee: String,
    pub classes: Vec<&'static str>,
    pub actions: Vec<&'static str>,
    pub purposes: Vec<&'static str>,
    pub not_before: String,
    pub expires_at: String,
    pub emergency: bool,
    pub reviewed: bool,
    pub by_delegate: bool,
    pub access_count: u32,
    pub policy_hash: String,
}

impl GrantView {
    pub fn new(address: &Pubkey, g: &ConsentGrant, now: i64) -> GrantView {
        GrantView {
            address: address.to_string(),
            status: crate::fhir::consent_status(g, now),
            patient: g.patient.to_string(),
            grantee: g.grantee.to_string(),
            classes: class_names(g.scope.classes),
            actions: action_names(g.scope.actions),
            purposes: purpose_names(g.scope.purposes),
            not_before: crate::util::rfc3339(g.not_before),
            expires_at: crate::util::rfc3339(g.expires_at),
            emergency: g.emergency,
            reviewed: g.reviewed,
            by_delegate: g.by_delegate,
            access_count: g.access_count,
            policy_hash: crate::util::hex(&g.policy_hash),
        }
    }
}
