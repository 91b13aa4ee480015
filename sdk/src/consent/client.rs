//! Client.

use super::*;

/// Sends consent instructions; `payer` pays fees (and rent where the payer is not fixed).
pub struct ConsentClient<'a> {
    pub ledger: &'a dyn Ledger,
    /// Pays transaction fees and the rent of created accounts.
    pub fee_payer: &'a Keypair,
}

impl<'a> ConsentClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, fee_payer: &'a Keypair) -> Self {
        ConsentClient { ledger, fee_payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.fee_payer, signers, ixs)
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
                &self.fee_payer.pubkey(),
                &GrantRequest {
                    patient,
                    grantee,
                    authority: &authority.pubkey(),
                    grant_id,
                    args,
                },
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

impl ConsentClient<'_> {
    /// Records one access to the anchored record version `proof` names (class, action and
    /// purpose from `args`; its resource hash is replaced by the version's leaf).
    pub fn record_anchored_access(
        &self,
        grantee: &Keypair,
        grant: &Pubkey,
        mut args: AccessArgs,
        proof: &crate::records::RecordProof,
    ) -> Result<TxOutcome> {
        let g = self.grant_of(grant)?;
        args.resource_hash = proof.leaf_hash()?;
        self.send(
            &[grantee],
            &[record_anchored_access_ix(
                grant,
                &g.patient,
                &grantee.pubkey(),
                g.is_delegate_made().then_some(&g.delegate),
                args,
                &proof.batch_address()?,
                proof.siblings()?,
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

/// What a client checks before it sends a grant or a request (the program checks it again):
/// a patient does not grant to itself, the grantee is a registered participant in good
/// standing, and the period is not empty.
pub fn check_grant(
    ledger: &dyn Ledger,
    patient: &Pubkey,
    grantee: &Pubkey,
    args: &GrantArgs,
) -> Result<()> {
    if patient == grantee {
        return Err(Error::invalid("a patient cannot be its own grantee"));
    }
    match crate::registry::fetch_participant(ledger, grantee)? {
        None => {
            return Err(Error::invalid(format!(
                "{grantee} is not registered: only registered providers, researchers, payers and dispensers receive grants"
            )))
        }
        Some(p) if !p.is_active() => {
            return Err(Error::invalid(format!(
                "{grantee} is {} in the registry and cannot receive a grant",
                crate::registry::status_name(p.status)
            )))
        }
        Some(_) => {}
    }
    if args.expires_at <= args.not_before {
        return Err(Error::invalid(format!(
            "the grant would end ({}) before it starts ({})",
            crate::util::rfc3339(args.expires_at),
            crate::util::rfc3339(args.not_before)
        )));
    }
    Ok(())
}

/// A patient's (or guardian's) decision on a grant is not the grantee's to make.
pub fn check_decision(grant: &ConsentGrant, authority: &Pubkey) -> Result<()> {
    if *authority == grant.grantee && *authority != grant.patient {
        return Err(Error::invalid(
            "the grantee cannot decide on its own request: the patient (or a guardian) approves, rejects or revokes",
        ));
    }
    Ok(())
}
