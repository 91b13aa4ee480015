//! Consent client: PDAs, typed builders from the program's own types, listing by patient or
//! grantee (memcmp), `check_access` for EHR gateways, the audit trail from events, and FHIR R4
//! Consent export / import.
//!
//! Grant and check access: the patient (their own key) grants a provider access to medications
//! for treatment for 30 days; an EHR gateway asks before it releases a record:
//!
//! ```no_run
//! use caretrail_sdk::consent::{self, ConsentClient, GrantArgs};
//! use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
//!
//! fn grant_and_check(
//!     ledger: &dyn caretrail_sdk::Ledger,
//!     patient: &Keypair,
//!     provider: &Keypair,
//! ) -> caretrail_sdk::Result<()> {
//!     let now = ledger.get_clock()?.unix_timestamp;
//!     let args = GrantArgs {
//!         scope: consent::parse_scope("medications", "access", "TREAT")?,
//!         not_before: now,
//!         expires_at: now + 30 * 86_400,
//!         policy_hash: caretrail_sdk::hash::sha256(&[b"signed consent form"]),
//!     };
//!     let id = consent::next_grant_id(ledger, &patient.pubkey(), &provider.pubkey())?;
//!     ConsentClient::new(ledger, patient).grant(patient, &patient.pubkey(), &provider.pubkey(), id, args)?;
//!     let decision = consent::check_access(
//!         ledger,
//!         &patient.pubkey(),
//!         &provider.pubkey(),
//!         consent::class::MEDICATIONS,
//!         consent::action::ACCESS,
//!         consent::purpose::TREAT,
//!     )?;
//!     assert!(decision.is_permit());
//!     Ok(())
//! }
//! ```

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

mod ix;
pub use ix::*;
mod client;
pub use client::*;
mod access;
pub use access::*;
pub mod cds;
pub mod decision;
pub mod fhir;
mod overview;
pub use overview::*;

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

/// Comma-separated data class names (`medications,labs`) as a class mask.
pub fn parse_classes(list: &str) -> Result<u16> {
    Ok(parse_mask(list, &class::NAMES, "class")? as u16)
}

/// Comma-separated action names (`access,use`) as an action mask.
pub fn parse_actions(list: &str) -> Result<u8> {
    Ok(parse_mask(list, &action::NAMES, "action")? as u8)
}

/// Comma-separated PurposeOfUse codes (`TREAT,HPAYMT`) as a purpose mask.
pub fn parse_purposes(list: &str) -> Result<u8> {
    Ok(parse_mask(list, &purpose::NAMES, "purpose")? as u8)
}

/// Parses comma-separated class, action and purpose names into a scope.
pub fn parse_scope(classes: &str, actions: &str, purposes: &str) -> Result<Scope> {
    Ok(Scope {
        classes: parse_classes(classes)?,
        actions: parse_actions(actions)?,
        purposes: parse_purposes(purposes)?,
    })
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

pub fn fetch_grant(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<ConsentGrant>> {
    crate::account::fetch_owned(ledger, address, &PROGRAM_ID)
}

pub fn fetch_patient_record(
    ledger: &dyn Ledger,
    patient: &Pubkey,
) -> Result<Option<PatientRecord>> {
    crate::account::fetch_owned(ledger, &patient_record_pda(patient).0, &PROGRAM_ID)
}

/// A provider's break-glass record for a patient (its last emergency grant and its expiry).
pub fn fetch_breakglass(
    ledger: &dyn Ledger,
    patient: &Pubkey,
    provider: &Pubkey,
) -> Result<Option<consent::state::BreakGlass>> {
    crate::account::fetch_owned(ledger, &breakglass_pda(patient, provider).0, &PROGRAM_ID)
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
