//! Claims client for insurers: PDAs, typed builders, listing by payer / provider / status
//! (memcmp), the FHIR ClaimResponse `outcome` and X12 835 CLP02 of every status, and FHIR R4
//! ClaimResponse export.

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

/// X12 835 CLP02 claim status code of a status (None: not yet in an 835).
pub fn x12_clp02(s: ClaimStatus) -> Option<&'static str> {
    match s {
        ClaimStatus::Approved | ClaimStatus::PartiallyApproved | ClaimStatus::Paid => Some("1"),
        ClaimStatus::Denied => Some("4"),
        ClaimStatus::Reversed => Some("22"),
        ClaimStatus::Submitted
        | ClaimStatus::InReview
        | ClaimStatus::Appealed
        | ClaimStatus::Voided => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

fn ix(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

pub fn init_payer_ix(
    authority: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    args: PayerArgs,
) -> Instruction {
    let payer = payer_pda(authority).0;
    ix(
        claims::accounts::InitPayer {
            payer,
            vault: vault_pda(&payer).0,
            mint: *mint,
            authority: *authority,
            authority_participant: participant_pda(authority).0,
            token_program: *token_program,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        claims::instruction::InitPayer { args }.data(),
    )
}

pub fn fund_vault_ix(
    payer: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
    funder: &Pubkey,
    funder_token: &Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        claims::accounts::FundVault {
            payer: *payer,
            vault: vault_pda(payer).0,
            mint: *mint,
            funder: *funder,
            funder_token: *funder_token,
            token_program: *token_program,
        }
        .to_account_metas(None),
        claims::instruction::FundVault { amount }.data(),
    )
}

/// Enrols at the payer `authority` created (see [`enroll_at_ix`] after a handover).
pub fn enroll_ix(authority: &Pubkey, patient: &Pubkey, args: EnrollArgs) -> Instruction {
    enroll_at_ix(&payer_pda(authority).0, authority, patient, args)
}

/// Enrols at `payer`, whose current authority is `authority`.
pub fn enroll_at_ix(
    payer: &Pubkey,
    authority: &Pubkey,
    patient: &Pubkey,
    args: EnrollArgs,
) -> Instruction {
    let payer = *payer;
    ix(
        claims::accounts::Enroll {
            coverage: coverage_pda(&payer, &args.member_commitment).0,
            payer,
            authority: *authority,
            authority_participant: participant_pda(authority).0,
            patient: *patient,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        claims::instruction::Enroll { args }.data(),
    )
}

/// Optional cross-references of a claim.
#[derive(Debug, Clone, Default)]
pub struct ClaimRefs {
    pub consent_grant: Option<Pubkey>,
    pub unit: Option<Pubkey>,
    pub replaces: Option<Pubkey>,
}

/// `claim_id_hash`: [`claim_id_hash`] of the provider's [`claim_salt`] and the claim id.
pub fn submit_claim_ix(
    provider: &Pubkey,
    payer: &Pubkey,
    coverage: &Pubkey,
    claim_id_hash: [u8; 32],
    document_hash: [u8; 32],
    billed: u64,
    refs: &ClaimRefs,
) -> Instruction {
    let args = SubmitArgs {
        claim_id_hash,
        document_hash,
        billed,
        frequency: if refs.replaces.is_some() {
            frequency::REPLACEMENT
        } else {
            frequency::ORIGINAL
        },
    };
    ix(
        claims::accounts::SubmitClaim {
            claim: claim_pda(payer, provider, &claim_id_hash).0,
            payer: *payer,
            coverage: *coverage,
            provider: *provider,
            provider_participant: participant_pda(provider).0,
            consent_grant: refs.consent_grant,
            unit: refs.unit,
            replaces: refs.replaces,
            evidence: refs.unit.map(|u| evidence_pda(&u).0),
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        claims::instruction::SubmitClaim { args }.data(),
    )
}

/// The evidence record a claim's unit needs released (`None` when it names no unit).
fn evidence_of(c: &Claim) -> Option<Pubkey> {
    (c.unit != Pubkey::default()).then(|| evidence_pda(&c.unit).0)
}

fn payer_admin_accounts(payer: &Pubkey, authority: &Pubkey) -> Vec<AccountMeta> {
    claims::accounts::AdministerPayer {
        payer: *payer,
        authority: *authority,
        authority_participant: participant_pda(authority).0,
    }
    .to_account_metas(None)
}

/// The authority changes its payer's settings (`None` fields keep their value).
pub fn update_payer_ix(payer: &Pubkey, authority: &Pubkey, settings: PayerSettings) -> Instruction {
    ix(
        payer_admin_accounts(payer, authority),
        claims::instruction::UpdatePayer { settings }.data(),
    )
}

/// Step 1 of a payer authority handover.
pub fn propose_payer_authority_ix(
    payer: &Pubkey,
    authority: &Pubkey,
    new_authority: &Pubkey,
) -> Instruction {
    ix(
        payer_admin_accounts(payer, authority),
        claims::instruction::ProposePayerAuthority {
            new_authority: *new_authority,
        }
        .data(),
    )
}

/// Step 2 of a payer authority handover (the new authority signs).
pub fn accept_payer_authority_ix(payer: &Pubkey, new_authority: &Pubkey) -> Instruction {
    ix(
        claims::accounts::AcceptPayerAuthority {
            payer: *payer,
            new_authority: *new_authority,
            new_authority_participant: participant_pda(new_authority).0,
        }
        .to_account_metas(None),
        claims::instruction::AcceptPayerAuthority {}.data(),
    )
}

/// The authority withdraws `amount` the vault holds beyond what approved, unpaid claims need.
pub fn withdraw_vault_ix(
    payer: &Pubkey,
    p: &Payer,
    destination: &Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        claims::accounts::WithdrawVault {
            payer: *payer,
            vault: p.vault,
            mint: p.mint,
            destination: *destination,
            authority: p.authority,
            authority_participant: participant_pda(&p.authority).0,
            token_program: p.token_program,
        }
        .to_account_metas(None),
        claims::instruction::WithdrawVault { amount }.data(),
    )
}

fn decide_accounts(
    claim: &Pubkey,
    c: &Claim,
    authority: &Pubkey,
    adjudicator: Option<Pubkey>,
) -> Vec<AccountMeta> {
    claims::accounts::Decide {
        claim: *claim,
        payer: c.payer,
        coverage: c.coverage,
        authority: *authority,
        authority_participant: participant_pda(authority).0,
        adjudicator,
    }
    .to_account_metas(None)
}

pub fn start_review_ix(claim: &Pubkey, c: &Claim, authority: &Pubkey) -> Instruction {
    ix(
        decide_accounts(claim, c, authority, None),
        claims::instruction::StartReview {}.data(),
    )
}

pub fn adjudicate_ix(
    claim: &Pubkey,
    c: &Claim,
    authority: &Pubkey,
    adjudicator: Option<Pubkey>,
    allowed: u64,
    reason: u16,
) -> Instruction {
    ix(
        decide_accounts(claim, c, authority, adjudicator),
        claims::instruction::Adjudicate { allowed, reason }.data(),
    )
}

pub fn appeal_ix(claim: &Pubkey, c: &Claim) -> Instruction {
    ix(
        claims::accounts::Appeal {
            claim: *claim,
            payer: c.payer,
            provider: c.provider,
            provider_participant: participant_pda(&c.provider).0,
        }
        .to_account_metas(None),
        claims::instruction::Appeal {}.data(),
    )
}

pub fn void_ix(claim: &Pubkey, c: &Claim) -> Instruction {
    ix(
        claims::accounts::Void {
            claim: *claim,
            payer: c.payer,
            coverage: c.coverage,
            provider: c.provider,
            provider_participant: participant_pda(&c.provider).0,
            evidence: evidence_of(c),
        }
        .to_account_metas(None),
        claims::instruction::Void {}.data(),
    )
}

pub fn pay_ix(claim: &Pubkey, c: &Claim, p: &Payer, provider_token: &Pubkey) -> Instruction {
    ix(
        claims::accounts::Pay {
            claim: *claim,
            payer: c.payer,
            vault: p.vault,
            mint: p.mint,
            provider_token: *provider_token,
            authority: p.authority,
            authority_participant: participant_pda(&p.authority).0,
            provider_participant: participant_pda(&c.provider).0,
            token_program: p.token_program,
        }
        .to_account_metas(None),
        claims::instruction::Pay {}.data(),
    )
}

pub fn reverse_ix(
    claim: &Pubkey,
    c: &Claim,
    p: &Payer,
    provider_token: &Pubkey,
    reason: u16,
) -> Instruction {
    ix(
        claims::accounts::Reverse {
            claim: *claim,
            payer: c.payer,
            coverage: c.coverage,
            vault: p.vault,
            mint: p.mint,
            provider_token: *provider_token,
            provider: c.provider,
            authority: p.authority,
            authority_participant: participant_pda(&p.authority).0,
            token_program: p.token_program,
            evidence: evidence_of(c),
        }
        .to_account_metas(None),
        claims::instruction::Reverse { reason }.data(),
    )
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

fn fetch<T: anchor_lang::AccountDeserialize>(
    ledger: &dyn Ledger,
    address: &Pubkey,
) -> Result<Option<T>> {
    crate::registry::fetch_owned(ledger, address, &PROGRAM_ID)
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

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// Sends claims instructions; `payer` (the fee payer, not the insurer) pays fees.
pub struct ClaimsClient<'a> {
    pub ledger: &'a dyn Ledger,
    pub fee_payer: &'a Keypair,
}

impl<'a> ClaimsClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        ClaimsClient { ledger, fee_payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.fee_payer, signers, ixs)
    }

    fn claim(&self, claim: &Pubkey) -> Result<Claim> {
        fetch_claim(self.ledger, claim)?.ok_or_else(|| Error::not_found("claim", *claim))
    }

    fn payer(&self, payer: &Pubkey) -> Result<Payer> {
        fetch_payer(self.ledger, payer)?.ok_or_else(|| Error::not_found("payer", *payer))
    }

    pub fn init_payer(
        &self,
        authority: &Keypair,
        mint: &Pubkey,
        token_program: &Pubkey,
        args: PayerArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[init_payer_ix(
                &authority.pubkey(),
                mint,
                token_program,
                args,
            )],
        )
    }

    pub fn fund(
        &self,
        payer: &Pubkey,
        funder: &Keypair,
        funder_token: &Pubkey,
        amount: u64,
    ) -> Result<TxOutcome> {
        let p = self.payer(payer)?;
        self.send(
            &[funder],
            &[fund_vault_ix(
                payer,
                &p.mint,
                &p.token_program,
                &funder.pubkey(),
                funder_token,
                amount,
            )],
        )
    }

    pub fn enroll(
        &self,
        authority: &Keypair,
        patient: &Keypair,
        args: EnrollArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority, patient],
            &[enroll_ix(&authority.pubkey(), &patient.pubkey(), args)],
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub fn submit(
        &self,
        provider: &Keypair,
        payer: &Pubkey,
        coverage: &Pubkey,
        claim_id: &str,
        document_hash: [u8; 32],
        billed: u64,
        refs: &ClaimRefs,
    ) -> Result<TxOutcome> {
        self.send(
            &[provider],
            &[submit_claim_ix(
                &provider.pubkey(),
                payer,
                coverage,
                claim_id_hash(&claim_salt(provider), claim_id),
                document_hash,
                billed,
                refs,
            )],
        )
    }

    /// The payer authority changes its settings.
    pub fn update_payer(
        &self,
        authority: &Keypair,
        payer: &Pubkey,
        settings: PayerSettings,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[update_payer_ix(payer, &authority.pubkey(), settings)],
        )
    }

    /// Step 1 of a payer authority handover.
    pub fn propose_payer_authority(
        &self,
        authority: &Keypair,
        payer: &Pubkey,
        new_authority: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[propose_payer_authority_ix(
                payer,
                &authority.pubkey(),
                new_authority,
            )],
        )
    }

    /// Step 2 of a payer authority handover.
    pub fn accept_payer_authority(
        &self,
        new_authority: &Keypair,
        payer: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[new_authority],
            &[accept_payer_authority_ix(payer, &new_authority.pubkey())],
        )
    }

    /// The authority withdraws vault funds no approved, unpaid claim needs.
    pub fn withdraw(
        &self,
        authority: &Keypair,
        payer: &Pubkey,
        destination: &Pubkey,
        amount: u64,
    ) -> Result<TxOutcome> {
        let p = self.payer(payer)?;
        self.send(
            &[authority],
            &[withdraw_vault_ix(payer, &p, destination, amount)],
        )
    }

    pub fn start_review(&self, authority: &Keypair, claim: &Pubkey) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        self.send(
            &[authority],
            &[start_review_ix(claim, &c, &authority.pubkey())],
        )
    }

    pub fn adjudicate(
        &self,
        authority: &Keypair,
        adjudicator: Option<&Keypair>,
        claim: &Pubkey,
        allowed: u64,
        reason: u16,
    ) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        let ix = adjudicate_ix(
            claim,
            &c,
            &authority.pubkey(),
            adjudicator.map(|a| a.pubkey()),
            allowed,
            reason,
        );
        let mut signers = vec![authority];
        signers.extend(adjudicator);
        self.send(&signers, &[ix])
    }

    pub fn appeal(&self, provider: &Keypair, claim: &Pubkey) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        self.send(&[provider], &[appeal_ix(claim, &c)])
    }

    pub fn void(&self, provider: &Keypair, claim: &Pubkey) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        self.send(&[provider], &[void_ix(claim, &c)])
    }

    pub fn pay(
        &self,
        authority: &Keypair,
        claim: &Pubkey,
        provider_token: &Pubkey,
    ) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        let p = self.payer(&c.payer)?;
        self.send(&[authority], &[pay_ix(claim, &c, &p, provider_token)])
    }

    pub fn reverse(
        &self,
        authority: &Keypair,
        provider: &Keypair,
        claim: &Pubkey,
        provider_token: &Pubkey,
        reason: u16,
    ) -> Result<TxOutcome> {
        let c = self.claim(claim)?;
        let p = self.payer(&c.payer)?;
        self.send(
            &[authority, provider],
            &[reverse_ix(claim, &c, &p, provider_token, reason)],
        )
    }
}

/// A claim as clients show it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct ClaimView {
    pub address: String,
    pub status: &'static str,
    pub fhir_outcome: &'static str,
    pub x12_clp02: Option<&'static str>,
    pub frequency: u8,
    pub carc: u16,
    pub payer: String,
    pub provider: String,
    pub coverage: String,
    pub billed: u64,
    pub approved: u64,
    pub patient_share: u64,
    pub paid: u64,
    pub submitted_at: String,
    pub updated_at: String,
}

impl ClaimView {
    pub fn new(address: &Pubkey, c: &Claim) -> ClaimView {
        ClaimView {
            address: address.to_string(),
            status: status_name(c.status),
            fhir_outcome: fhir_outcome(c.status),
            x12_clp02: x12_clp02(c.status),
            frequency: c.frequency,
            carc: c.carc,
            payer: c.payer.to_string(),
            provider: c.provider.to_string(),
            coverage: c.coverage.to_string(),
            billed: c.billed,
            approved: c.approved,
            patient_share: c.patient_share,
            paid: c.paid,
            submitted_at: crate::util::rfc3339(c.submitted_at),
            updated_at: crate::util::rfc3339(c.updated_at),
        }
    }
}

/// Parses a status name (`submitted`, `in_review`, …).
pub fn parse_status(s: &str) -> Result<ClaimStatus> {
    use ClaimStatus::*;
    [
        Submitted,
        InReview,
        Approved,
        PartiallyApproved,
        Denied,
        Paid,
        Appealed,
        Voided,
        Reversed,
    ]
    .into_iter()
    .find(|x| status_name(*x) == s.replace('-', "_"))
    .ok_or_else(|| Error::invalid(format!("unknown claim status {s:?}")))
}

/// A claim that arrived at a payer, from its `ClaimSubmitted` event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewClaim {
    pub signature: solana_sdk::signature::Signature,
    pub event: claims::events::ClaimSubmitted,
}

/// Claims submitted to `payer` (the payer PDA) after the transaction `after` (all when
/// `None`), oldest first. Poll it with the last signature seen to watch a payer's inbox; the
/// same call works on the embedded ledger and on a cluster (RPC transaction history).
pub fn new_claims(
    ledger: &dyn Ledger,
    payer: &Pubkey,
    after: Option<&solana_sdk::signature::Signature>,
) -> Result<Vec<NewClaim>> {
    use crate::events::{CaretrailEvent, ClaimsEvent};
    let history = ledger.transactions_for_address(payer, usize::MAX)?;
    let start = match after {
        Some(sig) => history
            .iter()
            .position(|t| t.signature == *sig)
            .map(|i| i + 1)
            .unwrap_or(0),
        None => 0,
    };
    let mut out = Vec::new();
    for record in &history[start..] {
        for ev in record.events() {
            if let CaretrailEvent::Claims(ClaimsEvent::ClaimSubmitted(e)) = ev {
                if e.payer == *payer {
                    out.push(NewClaim {
                        signature: record.signature,
                        event: e,
                    });
                }
            }
        }
    }
    Ok(out)
}
