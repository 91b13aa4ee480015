//! Claims client for insurers: PDAs, typed builders, listing by payer / provider / status
//! (memcmp), the FHIR ClaimResponse `outcome` and X12 835 CLP02 of every status, and FHIR R4
//! ClaimResponse export.
//!
//! Submit and pay a claim: the provider submits, the insurer adjudicates and pays from its vault
//! to the provider's token account:
//!
//! ```no_run
//! use caretrail_sdk::claims::{self, ClaimRefs, ClaimsClient, SubmitClaim};
//! use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::{Keypair, Signer}};
//!
//! fn submit_and_pay(
//!     ledger: &dyn caretrail_sdk::Ledger,
//!     provider: &Keypair,
//!     insurer: &Keypair,
//!     coverage: &Pubkey,
//!     provider_token: &Pubkey,
//! ) -> caretrail_sdk::Result<()> {
//!     let payer = claims::payer_pda(&insurer.pubkey()).0;
//!     let claim = SubmitClaim {
//!         payer: &payer,
//!         coverage,
//!         document_hash: caretrail_sdk::hash::sha256(&[b"the 837 claim's segments"]),
//!         billed: 12_000, // base units of the payer's mint
//!         refs: &ClaimRefs::default(),
//!     };
//!     ClaimsClient::new(ledger, provider).submit(provider, "CLM-0001", &claim)?;
//!     let address = claims::claim_address(&payer, provider, "CLM-0001");
//!     let insurer_client = ClaimsClient::new(ledger, insurer);
//!     insurer_client.adjudicate(insurer, None, &address, 12_000, 0)?;
//!     insurer_client.pay(insurer, &address, provider_token)?;
//!     Ok(())
//! }
//! ```

use crate::ledger::{send_instructions, AccountFilter, Ledger, TxOutcome};
use crate::registry::{decode, participant_pda};
use crate::{Error, Result};
use anchor_lang::{Discriminator, InstructionData, ToAccountMetas};
pub use claims::constants::{carc, frequency};
use claims::constants::{SEED_CLAIM, SEED_COVERAGE, SEED_EVIDENCE, SEED_PAYER, SEED_VAULT};
pub use claims::state::{requirement, Claim, ClaimStatus, Coverage, Evidence, Payer};
pub use claims::{EnrollArgs, PayerArgs, PayerSettings, SubmitArgs};
use serde_json::{json, Value};
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

mod ix;
pub use ix::*;
mod client;
pub use client::*;
mod fhir;
pub use fhir::*;
pub mod ack;
pub mod intake;
pub mod remit;
mod x12;
pub use x12::*;

pub const PROGRAM_ID: Pubkey = claims::ID;

/// `["payer", creator]`: the payer an authority created (the address stays when the
/// authority is later handed over).
pub fn payer_pda(authority: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_PAYER, authority.as_ref()], &PROGRAM_ID)
}
pub fn vault_pda(payer: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_VAULT, payer.as_ref()], &PROGRAM_ID)
}
pub fn coverage_pda(payer: &Pubkey, member_commitment: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_COVERAGE, payer.as_ref(), member_commitment],
        &PROGRAM_ID,
    )
}
/// `["claim", payer, provider, claim_id_hash]`: a provider's claim ids are its own.
pub fn claim_pda(payer: &Pubkey, provider: &Pubkey, claim_id_hash: &[u8; 32]) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_CLAIM, payer.as_ref(), provider.as_ref(), claim_id_hash],
        &PROGRAM_ID,
    )
}

/// `["evidence", unit]`: the live claim a dispensed unit backs.
pub fn evidence_pda(unit: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_EVIDENCE, unit.as_ref()], &PROGRAM_ID)
}

/// The provider's claim-id salt: the hash of its wallet's signature over a fixed message, so
/// the provider (and only it) derives the same salt on every machine, and nothing new must be
/// stored. Claim ids are short and guessable (an 837 CLM01); salted, their hashes on chain
/// cannot be matched to an id by anyone without the provider's key.
pub fn claim_salt(provider: &Keypair) -> [u8; 32] {
    let signature = provider.sign_message(b"caretrail claim-id salt v1");
    crate::hash::sha256(&[signature.as_ref()])
}

/// `sha256(salt || claim id)`, the claim's seed.
pub fn claim_id_hash(salt: &[u8; 32], claim_id: &str) -> [u8; 32] {
    crate::hash::sha256(&[salt, claim_id.as_bytes()])
}

/// The address of `provider`'s claim `claim_id` at `payer`.
pub fn claim_address(payer: &Pubkey, provider: &Keypair, claim_id: &str) -> Pubkey {
    let hash = claim_id_hash(&claim_salt(provider), claim_id);
    claim_pda(payer, &provider.pubkey(), &hash).0
}

pub fn status_name(s: ClaimStatus) -> &'static str {
    match s {
        ClaimStatus::Submitted => "submitted",
        ClaimStatus::InReview => "in_review",
        ClaimStatus::Approved => "approved",
        ClaimStatus::PartiallyApproved => "partially_approved",
        ClaimStatus::Denied => "denied",
        ClaimStatus::Paid => "paid",
        ClaimStatus::Appealed => "appealed",
        ClaimStatus::Voided => "voided",
        ClaimStatus::Reversed => "reversed",
    }
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

fn fetch<T: anchor_lang::AccountDeserialize>(
    ledger: &dyn Ledger,
    address: &Pubkey,
) -> Result<Option<T>> {
    crate::account::fetch_owned(ledger, address, &PROGRAM_ID)
}
pub fn fetch_payer(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Payer>> {
    fetch(ledger, address)
}
pub fn fetch_coverage(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Coverage>> {
    fetch(ledger, address)
}
pub fn fetch_claim(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Claim>> {
    fetch(ledger, address)
}
/// The evidence record of a unit (the live claim it backs), if it ever backed one.
pub fn fetch_evidence(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Option<Evidence>> {
    fetch(ledger, &evidence_pda(unit).0)
}

/// Coverages of `patient` under `payer` (the payer PDA).
pub fn coverages_of(
    ledger: &dyn Ledger,
    payer: &Pubkey,
    patient: &Pubkey,
) -> Result<Vec<(Pubkey, Coverage)>> {
    let filters = [
        AccountFilter::memcmp(0, Coverage::DISCRIMINATOR.to_vec()),
        AccountFilter::memcmp(Coverage::PAYER_OFFSET, payer.to_bytes().to_vec()),
        AccountFilter::memcmp(Coverage::PATIENT_OFFSET, patient.to_bytes().to_vec()),
    ];
    Ok(ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<Coverage>(&a.data).map(|c| (k, c)))
        .collect())
}

/// What a payer checks before it enrols a patient: not twice under the same payer.
pub fn check_enroll(ledger: &dyn Ledger, payer: &Pubkey, patient: &Pubkey) -> Result<()> {
    if let Some((k, _)) = coverages_of(ledger, payer, patient)?.first() {
        return Err(Error::invalid(format!(
            "{patient} is already enrolled with this payer (coverage {k}); a second plan is enrolled with --additional-coverage"
        )));
    }
    Ok(())
}

/// Claims of a payer and/or provider, optionally in one status, oldest first.
pub fn list_claims(
    ledger: &dyn Ledger,
    payer: Option<&Pubkey>,
    provider: Option<&Pubkey>,
    status: Option<ClaimStatus>,
) -> Result<Vec<(Pubkey, Claim)>> {
    let mut filters = vec![
        AccountFilter::DataSize((8 + <Claim as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, Claim::DISCRIMINATOR.to_vec()),
    ];
    if let Some(p) = payer {
        filters.push(AccountFilter::memcmp(
            Claim::PAYER_OFFSET,
            p.to_bytes().to_vec(),
        ));
    }
    if let Some(p) = provider {
        filters.push(AccountFilter::memcmp(
            Claim::PROVIDER_OFFSET,
            p.to_bytes().to_vec(),
        ));
    }
    if let Some(s) = status {
        filters.push(AccountFilter::memcmp(Claim::STATUS_OFFSET, vec![s as u8]));
    }
    let mut out: Vec<(Pubkey, Claim)> = ledger
        .get_program_accounts(&PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| decode::<Claim>(&a.data).map(|c| (k, c)))
        .collect();
    out.sort_by_key(|(k, c)| (c.submitted_at, *k));
    Ok(out)
}
