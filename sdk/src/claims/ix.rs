//! Builders.

use super::*;

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

impl ClaimRefs {
    /// A claim that names no consent grant, unit or replaced claim.
    pub const NONE: ClaimRefs = ClaimRefs {
        consent_grant: None,
        unit: None,
        replaces: None,
    };
}

/// A claim a provider submits (beside its claim id, which reaches the chain only as
/// `sha256(provider salt ‖ id)`): which payer and coverage, the hash of the claim document, the
/// billed amount in the payer mint's base units, and what the claim refers to.
#[derive(Debug, Clone, Copy)]
pub struct SubmitClaim<'a> {
    /// The insurer's `Payer` account.
    pub payer: &'a Pubkey,
    pub coverage: &'a Pubkey,
    pub document_hash: [u8; 32],
    pub billed: u64,
    pub refs: &'a ClaimRefs,
}

/// `submit_claim` of `claim` by `provider`, under `claim_id_hash`: [`claim_id_hash`] of the
/// provider's [`claim_salt`] and its claim id.
pub fn submit_claim_ix(
    provider: &Pubkey,
    claim_id_hash: [u8; 32],
    claim: &SubmitClaim,
) -> Instruction {
    let SubmitClaim {
        payer,
        coverage,
        document_hash,
        billed,
        refs,
    } = *claim;
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
