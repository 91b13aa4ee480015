use crate::constants::{frequency, ACCOUNT_VERSION, BILLING_ROLES, SEED_CLAIM, SEED_EVIDENCE};
use crate::error::ClaimsError;
use crate::events::{ClaimStatusChanged, ClaimSubmitted};
use crate::math::SafeMath;
use crate::state::{requirement, Claim, ClaimStatus, Coverage, Evidence, Payer};
use crate::utils::now;
use anchor_lang::prelude::*;
use caretrail_common::pda::{init_account, load_if_exists, write_account};
use consent::state::{ConsentGrant, GrantStatus};
use custody::state::{Unit, UnitStatus};
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SubmitArgs {
    /// `sha256(provider salt ‖ claim id)`: the claim PDA's seed (with the provider), so an id
    /// is submitted once, and the id itself cannot be guessed from the chain.
    pub claim_id_hash: [u8; 32],
    /// sha256 of the claim document (FHIR Claim / X12 837).
    pub document_hash: [u8; 32],
    pub billed: u64,
    /// 837 CLM05-3: 1 original, 7 replacement (names `replaces`).
    pub frequency: u8,
}

/// A registered provider or dispenser bills a payer for a covered patient. Cross-checks (the
/// payer may require either): a consent grant (active, purpose HPAYMT, from this patient to
/// this provider) and a custody unit (dispensed by this provider, backing no other live claim).
/// Both are stored in the claim.
#[derive(Accounts)]
#[instruction(args: SubmitArgs)]
pub struct SubmitClaim<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); a claim id submitted before fails with `DuplicateClaim`.
    #[account(
        mut,
        seeds = [SEED_CLAIM, payer.key().as_ref(), provider.key().as_ref(), args.claim_id_hash.as_ref()],
        bump
    )]
    pub claim: UncheckedAccount<'info>,
    /// Mutable: a replacement settles what the replaced claim was owed.
    #[account(mut)]
    pub payer: Box<Account<'info, Payer>>,
    /// Mutable: a replacement releases what the replaced claim charged to it.
    #[account(mut, has_one = payer @ ClaimsError::CoverageMismatch)]
    pub coverage: Account<'info, Coverage>,
    #[account(mut)]
    pub provider: Signer<'info>,
    pub provider_participant: Account<'info, Participant>,
    pub consent_grant: Option<Account<'info, ConsentGrant>>,
    pub unit: Option<Account<'info, Unit>>,
    /// With frequency 7: the claim this one replaces (it becomes void).
    #[account(mut)]
    pub replaces: Option<Account<'info, Claim>>,
    /// CHECK: with `unit`: its evidence record `["evidence", unit]` (created on the unit's
    /// first claim, prefund-safe; checked in `validate`).
    #[account(mut)]
    pub evidence: Option<UncheckedAccount<'info>>,
    pub system_program: Program<'info, System>,
}

impl SubmitClaim<'_> {
    pub fn validate(&self, args: &SubmitArgs) -> Result<()> {
        let now = now()?;
        require_keys_neq!(*self.claim.owner, crate::ID, ClaimsError::DuplicateClaim);
        let provider = self.provider.key();
        self.provider_participant
            .require_role::<ClaimsError>(&provider, BILLING_ROLES, now)?;
        require!(args.billed > 0, ClaimsError::InvalidAmount);
        require!(self.coverage.is_active(now), ClaimsError::CoverageInactive);
        let required = self.payer.requirements;
        match &self.consent_grant {
            Some(grant) => {
                let ok = grant.status == GrantStatus::Active
                    && grant.check_active(now).is_ok()
                    && grant.patient == self.coverage.patient
                    && grant.grantee == provider
                    && grant.scope.purposes & consent::constants::purpose::HPAYMT != 0;
                require!(ok, ClaimsError::ConsentNotValid);
            }
            None => require!(
                required & requirement::CONSENT == 0,
                ClaimsError::ConsentRequired
            ),
        }
        let replaced = self.replaces.as_ref().map(|c| c.key());
        match &self.unit {
            Some(unit) => {
                require!(
                    unit.status == UnitStatus::Dispensed && unit.holder == provider,
                    ClaimsError::UnitNotDispensed
                );
                let evidence = self
                    .evidence
                    .as_ref()
                    .ok_or(ClaimsError::EvidenceMismatch)?;
                let (address, _) =
                    Pubkey::find_program_address(&[SEED_EVIDENCE, unit.key().as_ref()], &crate::ID);
                require_keys_eq!(evidence.key(), address, ClaimsError::EvidenceMismatch);
                if let Some(record) = load_if_exists::<Evidence>(evidence, &crate::ID)? {
                    let free = record.claim == Pubkey::default() || Some(record.claim) == replaced;
                    require!(free, ClaimsError::UnitAlreadyClaimed);
                }
            }
            None => require!(
                required & requirement::DISPENSED_UNIT == 0,
                ClaimsError::DispensedUnitRequired
            ),
        }
        match (args.frequency, &self.replaces) {
            (frequency::ORIGINAL, None) => {}
            (frequency::REPLACEMENT, Some(old)) => {
                let settled = matches!(
                    old.status,
                    ClaimStatus::Paid | ClaimStatus::Voided | ClaimStatus::Reversed
                );
                // A replacement corrects the same service: same payer, provider, coverage and
                // unit (so releasing the original's evidence is releasing this unit's).
                let unit = self.unit.as_ref().map(|u| u.key()).unwrap_or_default();
                require!(
                    old.payer == self.payer.key()
                        && old.provider == provider
                        && old.coverage == self.coverage.key()
                        && old.unit == unit
                        && !settled,
                    ClaimsError::InvalidReplacement
                );
            }
            _ => return err!(ClaimsError::InvalidFrequency),
        }
        Ok(())
    }

    pub fn handler(ctx: Context<SubmitClaim>, args: SubmitArgs) -> Result<()> {
        let now = now()?;
        let provider = ctx.accounts.provider.key();
        let a = &mut *ctx.accounts;
        let replaces = match &mut a.replaces {
            Some(old) => {
                // A replacement voids the original exactly as `void` does (its evidence
                // record passes to the replacement below, which names the same unit).
                old.void(&mut a.coverage, &mut a.payer, now)?;
                caretrail_common::emit_event!(ClaimStatusChanged {
                    claim: old.key(),
                    status: ClaimStatus::Voided as u8,
                    by: provider,
                    carc: 0,
                    approved: old.approved,
                    patient_share: old.patient_share,
                    timestamp: now,
                });
                old.key()
            }
            None => Pubkey::default(),
        };
        let a = &ctx.accounts;
        let bump = ctx.bumps.claim;
        let consent_grant = a
            .consent_grant
            .as_ref()
            .map(|g| g.key())
            .unwrap_or_default();
        let unit = a.unit.as_ref().map(|u| u.key()).unwrap_or_default();
        let claim = Claim {
            version: ACCOUNT_VERSION,
            bump,
            status: ClaimStatus::Submitted,
            frequency: args.frequency,
            carc: 0,
            appeal_count: 0,
            payer: a.payer.key(),
            provider,
            coverage: a.coverage.key(),
            document_hash: args.document_hash,
            billed: args.billed,
            approved: 0,
            paid: 0,
            patient_share: 0,
            submitted_at: now,
            decided_at: 0,
            updated_at: now,
            consent_grant,
            unit,
        };
        claim.invariant()?;
        let payer_key = a.payer.key();
        let payer_info = a.provider.to_account_info();
        let system = a.system_program.to_account_info();
        init_account(
            &payer_info,
            &a.claim,
            &system,
            &crate::ID,
            &[
                SEED_CLAIM,
                payer_key.as_ref(),
                provider.as_ref(),
                args.claim_id_hash.as_ref(),
                &[bump],
            ],
            &claim,
        )?;
        if let (Some(_), Some(evidence)) = (&a.unit, &a.evidence) {
            // The unit now backs this claim (and no other live one).
            let existing = load_if_exists::<Evidence>(evidence, &crate::ID)?;
            let (_, evidence_bump) =
                Pubkey::find_program_address(&[SEED_EVIDENCE, unit.as_ref()], &crate::ID);
            let record = Evidence {
                version: ACCOUNT_VERSION,
                bump: evidence_bump,
                unit,
                claim: a.claim.key(),
                claims_count: (existing.as_ref().map_or(0, |e| e.claims_count)).safe_add(1)?,
            };
            record.invariant()?;
            if existing.is_some() {
                write_account(evidence, &record)?;
            } else {
                init_account(
                    &payer_info,
                    evidence,
                    &system,
                    &crate::ID,
                    &[SEED_EVIDENCE, unit.as_ref(), &[evidence_bump]],
                    &record,
                )?;
            }
        }
        caretrail_common::emit_event!(ClaimSubmitted {
            claim: a.claim.key(),
            payer: claim.payer,
            provider,
            coverage: claim.coverage,
            claim_id_hash: args.claim_id_hash,
            document_hash: args.document_hash,
            billed: args.billed,
            frequency: args.frequency,
            replaces,
            consent_grant,
            unit,
            timestamp: now,
        });
        Ok(())
    }
}
