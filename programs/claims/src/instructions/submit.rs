use crate::constants::{frequency, ACCOUNT_VERSION, BILLING_ROLES, SEED_CLAIM};
use crate::error::ClaimsError;
use crate::events::{ClaimStatusChanged, ClaimSubmitted};
use crate::state::{Claim, ClaimStatus, Coverage, Payer};
use crate::utils::{now, require_partner};
use anchor_lang::prelude::*;
use consent::state::{ConsentGrant, GrantStatus};
use custody::state::{Unit, UnitStatus};
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SubmitArgs {
    /// sha256 of the claim id: the claim PDA's seed, so an id is submitted once.
    pub claim_id_hash: [u8; 32],
    /// sha256 of the claim document (FHIR Claim / X12 837).
    pub document_hash: [u8; 32],
    pub billed: u64,
    /// 837 CLM05-3: 1 original, 7 replacement (names `replaces`).
    pub frequency: u8,
}

/// A registered provider or dispenser bills a payer for a covered patient. Optional
/// cross-checks: a consent grant (must be active with purpose HPAYMT from this patient to this
/// provider) and a custody unit (must have been dispensed by this provider).
#[derive(Accounts)]
#[instruction(args: SubmitArgs)]
pub struct SubmitClaim<'info> {
    #[account(
        init_if_needed,
        payer = provider,
        space = 8 + Claim::INIT_SPACE,
        seeds = [SEED_CLAIM, payer.key().as_ref(), args.claim_id_hash.as_ref()],
        bump
    )]
    pub claim: Account<'info, Claim>,
    pub payer: Account<'info, Payer>,
    #[account(has_one = payer @ ClaimsError::CoverageMismatch)]
    pub coverage: Account<'info, Coverage>,
    #[account(mut)]
    pub provider: Signer<'info>,
    pub provider_participant: Account<'info, Participant>,
    pub consent_grant: Option<Account<'info, ConsentGrant>>,
    pub unit: Option<Account<'info, Unit>>,
    /// With frequency 7: the claim this one replaces (it becomes void).
    #[account(mut)]
    pub replaces: Option<Account<'info, Claim>>,
    pub system_program: Program<'info, System>,
}

impl SubmitClaim<'_> {
    pub fn validate(&self, args: &SubmitArgs) -> Result<()> {
        let now = now()?;
        require_eq!(self.claim.version, 0, ClaimsError::DuplicateClaim);
        let provider = self.provider.key();
        require_partner(&self.provider_participant, &provider, BILLING_ROLES, now)?;
        require!(args.billed > 0, ClaimsError::InvalidAmount);
        require!(self.coverage.is_active(now), ClaimsError::CoverageInactive);
        if let Some(grant) = &self.consent_grant {
            let ok = grant.status == GrantStatus::Active
                && grant.check_active(now).is_ok()
                && grant.patient == self.coverage.patient
                && grant.grantee == provider
                && grant.scope.purposes & consent::constants::purpose::HPAYMT != 0;
            require!(ok, ClaimsError::ConsentNotValid);
        }
        if let Some(unit) = &self.unit {
            require!(
                unit.status == UnitStatus::Dispensed && unit.holder == provider,
                ClaimsError::UnitNotDispensed
            );
        }
        match (args.frequency, &self.replaces) {
            (frequency::ORIGINAL, None) => {}
            (frequency::REPLACEMENT, Some(old)) => {
                let settled = matches!(
                    old.status,
                    ClaimStatus::Paid | ClaimStatus::Voided | ClaimStatus::Reversed
                );
                require!(
                    old.payer == self.payer.key() && old.provider == provider && !settled,
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
        let replaces = match &mut ctx.accounts.replaces {
            Some(old) => {
                old.status = ClaimStatus::Voided;
                old.updated_at = now;
                old.invariant()?;
                registry::emit_event!(ClaimStatusChanged {
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
        let claim = &mut ctx.accounts.claim;
        claim.set_inner(Claim {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.claim,
            status: ClaimStatus::Submitted,
            frequency: args.frequency,
            carc: 0,
            appeal_count: 0,
            payer: ctx.accounts.payer.key(),
            provider,
            coverage: ctx.accounts.coverage.key(),
            document_hash: args.document_hash,
            billed: args.billed,
            approved: 0,
            paid: 0,
            patient_share: 0,
            submitted_at: now,
            decided_at: 0,
            updated_at: now,
        });
        claim.invariant()?;
        registry::emit_event!(ClaimSubmitted {
            claim: claim.key(),
            payer: claim.payer,
            provider,
            coverage: claim.coverage,
            claim_id_hash: args.claim_id_hash,
            document_hash: args.document_hash,
            billed: args.billed,
            frequency: args.frequency,
            replaces,
            consent_grant: ctx
                .accounts
                .consent_grant
                .as_ref()
                .map(|g| g.key())
                .unwrap_or_default(),
            unit: ctx
                .accounts
                .unit
                .as_ref()
                .map(|u| u.key())
                .unwrap_or_default(),
            timestamp: now,
        });
        Ok(())
    }
}
