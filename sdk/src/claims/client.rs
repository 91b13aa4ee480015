//! Client.

use super::*;

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
        claim_id: &str,
        claim: &SubmitClaim,
    ) -> Result<TxOutcome> {
        self.send(
            &[provider],
            &[submit_claim_ix(
                &provider.pubkey(),
                claim_id_hash(&claim_salt(provider), claim_id),
                claim,
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

/// The provider's token account a claim is paid into (and a reversal taken from) when none is
/// named: the provider's associated token account for the payer's mint and token program.
pub fn provider_token_account(ledger: &dyn Ledger, claim: &Pubkey) -> Result<Pubkey> {
    let c = fetch_claim(ledger, claim)?.ok_or(Error::not_found("claim", *claim))?;
    let p = fetch_payer(ledger, &c.payer)?.ok_or(Error::not_found("payer", c.payer))?;
    Ok(crate::tokens::associated_address(
        &c.provider,
        &p.mint,
        &p.token_program,
    ))
}

/// [`provider_token_account`], created (paid by `fee_payer`) when it does not exist yet, so a
/// payer can pay a provider that never held the payer's mint.
pub fn ensure_provider_token_account(
    ledger: &dyn Ledger,
    fee_payer: &Keypair,
    claim: &Pubkey,
) -> Result<Pubkey> {
    let c = fetch_claim(ledger, claim)?.ok_or(Error::not_found("claim", *claim))?;
    let p = fetch_payer(ledger, &c.payer)?.ok_or(Error::not_found("payer", c.payer))?;
    crate::tokens::create_ata(ledger, fee_payer, &c.provider, &p.mint, &p.token_program)
}

/// The hash a claim carries of its document (the FHIR Claim or X12 837 the provider keeps):
/// sha256 of the document, or, when a provider submits without one, of the claim id and a
/// fixed label, so the same claim always carries the same hash.
pub fn document_hash(document: Option<&[u8]>, claim_id: &str) -> [u8; 32] {
    match document {
        Some(d) => crate::hash::sha256(&[d]),
        None => crate::hash::sha256(&[claim_id.as_bytes(), b"claim document"]),
    }
}

/// What a client checks before funding a payer's vault from `from`: the account exists, holds
/// the payer's mint, belongs to `owner` and holds `amount`.
pub fn check_fund(
    ledger: &dyn Ledger,
    payer: &Pubkey,
    owner: &Pubkey,
    from: &Pubkey,
    amount: u64,
) -> Result<()> {
    let p = fetch_payer(ledger, payer)?.ok_or(Error::not_found("payer", *payer))?;
    let account = crate::tokens::fetch_token_account(ledger, from).map_err(|_| {
        Error::invalid(format!(
            "no token account at {from}: create one with `caretrail token create-account --mint {}` and mint or transfer to it",
            p.mint
        ))
    })?;
    if account.mint != p.mint {
        return Err(Error::invalid(format!(
            "{from} holds mint {}, but the payer pays in mint {}",
            account.mint, p.mint
        )));
    }
    if account.owner != *owner {
        return Err(Error::invalid(format!(
            "{from} belongs to {}, not to the signer {owner}",
            account.owner
        )));
    }
    if account.amount < amount {
        return Err(Error::invalid(format!(
            "{from} holds {} base units, less than the {amount} to fund",
            account.amount
        )));
    }
    Ok(())
}

/// What a client checks before creating a payer: the mint exists and belongs to the token
/// program named.
pub fn check_payer_init(ledger: &dyn Ledger, mint: &Pubkey, token_program: &Pubkey) -> Result<()> {
    let m = crate::tokens::fetch_mint(ledger, mint).map_err(|_| {
        Error::invalid(format!(
            "no token mint at {mint}: create one with `caretrail token create-mint`"
        ))
    })?;
    if m.token_program != *token_program {
        let name = |p: &Pubkey| {
            if *p == crate::tokens::TOKEN_2022 {
                "token-2022"
            } else {
                "token"
            }
        };
        return Err(Error::invalid(format!(
            "{mint} is a {} mint: pass --token-program {}",
            name(&m.token_program),
            name(&m.token_program)
        )));
    }
    Ok(())
}
