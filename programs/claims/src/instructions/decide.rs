//! The payer's side of the state machine: start review, adjudicate (approve / partially approve
//! / deny with a CARC code), with the coverage's deductible and benefit maximum applied.

use crate::constants::carc;
use crate::error::ClaimsError;
use crate::events::ClaimStatusChanged;
use crate::math::SafeMath;
use crate::state::{Claim, ClaimStatus, Coverage, Payer};
use crate::utils::{now, require_biller, require_payer};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(Accounts)]
pub struct Decide<'info> {
    #[account(mut, has_one = payer @ ClaimsError::Unauthorized, has_one = coverage @ ClaimsError::CoverageMismatch)]
    pub claim: Account<'info, Claim>,
    /// Mutable: what the payer owes follows each decision.
    #[account(mut, has_one = authority @ ClaimsError::Unauthorized)]
    pub payer: Box<Account<'info, Payer>>,
    #[account(mut)]
    pub coverage: Account<'info, Coverage>,
    pub authority: Signer<'info>,
    /// The payer authority's registry entry: it must still be an active payer.
    pub authority_participant: Account<'info, Participant>,
    /// Required for approvals above the payer's auto-approve limit.
    pub adjudicator: Option<Signer<'info>>,
}

fn changed(claim: &Account<Claim>, by: Pubkey, now: i64) {
    caretrail_common::emit_event!(ClaimStatusChanged {
        claim: claim.key(),
        status: claim.status as u8,
        by,
        carc: claim.carc,
        approved: claim.approved,
        patient_share: claim.patient_share,
        timestamp: now,
    });
}

impl Decide<'_> {
    fn require_payer_standing(&self) -> Result<()> {
        require_payer(&self.authority_participant, &self.authority.key())
    }

    pub fn validate_review(&self) -> Result<()> {
        self.require_payer_standing()?;
        require!(
            matches!(
                self.claim.status,
                ClaimStatus::Submitted | ClaimStatus::Appealed
            ),
            ClaimsError::InvalidTransition
        );
        Ok(())
    }

    pub fn review(ctx: Context<Decide>) -> Result<()> {
        let now = now()?;
        let claim = &mut ctx.accounts.claim;
        claim.status = ClaimStatus::InReview;
        claim.updated_at = now;
        claim.invariant()?;
        changed(claim, ctx.accounts.authority.key(), now);
        Ok(())
    }

    pub fn validate_adjudicate(&self, allowed: u64, reason: u16) -> Result<()> {
        self.require_payer_standing()?;
        let c = &self.claim;
        require!(
            matches!(
                c.status,
                ClaimStatus::Submitted | ClaimStatus::InReview | ClaimStatus::Appealed
            ),
            ClaimsError::InvalidTransition
        );
        require!(allowed <= c.billed, ClaimsError::InvalidAmount);
        require!(
            allowed == c.billed || reason != 0,
            ClaimsError::ReasonRequired
        );
        if allowed > self.payer.auto_approve_limit {
            let adjudicator = self
                .adjudicator
                .as_ref()
                .ok_or(ClaimsError::AdjudicatorRequired)?;
            require!(
                self.payer.is_adjudicator(&adjudicator.key()),
                ClaimsError::AdjudicatorRequired
            );
        }
        Ok(())
    }

    /// `allowed` is the amount the payer allows of the billed amount; the member's remaining
    /// deductible comes off it first, then the plan pays up to its benefit maximum.
    pub fn adjudicate(ctx: Context<Decide>, allowed: u64, reason: u16) -> Result<()> {
        let now = now()?;
        let coverage = &mut ctx.accounts.coverage;
        let claim = &mut ctx.accounts.claim;
        // An appealed claim is re-adjudicated: undo what its previous decision accrued.
        claim.release(coverage)?;
        let payer = &mut ctx.accounts.payer;
        payer.settle(claim.approved)?;
        let deductible_left = coverage.deductible.safe_sub(coverage.deductible_met)?;
        let patient_share = allowed.min(deductible_left);
        let plan = allowed.safe_sub(patient_share)?;
        let benefit_left = coverage.annual_max.safe_sub(coverage.used)?;
        let approved = plan.min(benefit_left);
        coverage.deductible_met = coverage.deductible_met.safe_add(patient_share)?;
        coverage.used = coverage.used.safe_add(approved)?;
        coverage.invariant()?;
        claim.approved = approved;
        claim.patient_share = patient_share;
        claim.carc = if reason != 0 {
            reason
        } else if approved < plan {
            carc::BENEFIT_MAXIMUM
        } else if patient_share > 0 {
            carc::DEDUCTIBLE
        } else {
            0
        };
        claim.status = if approved == 0 {
            ClaimStatus::Denied
        } else if approved < claim.billed {
            ClaimStatus::PartiallyApproved
        } else {
            ClaimStatus::Approved
        };
        claim.decided_at = now;
        claim.updated_at = now;
        claim.invariant()?;
        payer.outstanding = payer.outstanding.safe_add(approved)?;
        payer.invariant()?;
        let by = ctx
            .accounts
            .adjudicator
            .as_ref()
            .map(|a| a.key())
            .unwrap_or(ctx.accounts.authority.key());
        changed(claim, by, now);
        Ok(())
    }
}

/// The provider appeals a denial or partial approval within the payer's appeal window.
#[derive(Accounts)]
pub struct Appeal<'info> {
    #[account(mut, has_one = payer @ ClaimsError::Unauthorized, has_one = provider @ ClaimsError::Unauthorized)]
    pub claim: Account<'info, Claim>,
    pub payer: Box<Account<'info, Payer>>,
    pub provider: Signer<'info>,
    /// The provider's registry entry: it must still be an active provider or dispenser.
    pub provider_participant: Account<'info, Participant>,
}

impl Appeal<'_> {
    pub fn validate(&self) -> Result<()> {
        require_biller(&self.provider_participant, &self.provider.key())?;
        let c = &self.claim;
        require!(
            matches!(
                c.status,
                ClaimStatus::Denied | ClaimStatus::PartiallyApproved
            ),
            ClaimsError::InvalidTransition
        );
        let deadline = c.decided_at.safe_add(self.payer.appeal_window)?;
        require!(now()? <= deadline, ClaimsError::AppealWindowClosed);
        Ok(())
    }

    pub fn handler(ctx: Context<Appeal>) -> Result<()> {
        let now = now()?;
        let claim = &mut ctx.accounts.claim;
        claim.status = ClaimStatus::Appealed;
        claim.appeal_count = claim.appeal_count.saturating_add(1);
        claim.updated_at = now;
        claim.invariant()?;
        changed(claim, ctx.accounts.provider.key(), now);
        Ok(())
    }
}

/// The provider voids its claim before payment (837 frequency 8).
#[derive(Accounts)]
pub struct Void<'info> {
    #[account(
        mut,
        has_one = provider @ ClaimsError::Unauthorized,
        has_one = coverage @ ClaimsError::CoverageMismatch,
        has_one = payer @ ClaimsError::Unauthorized
    )]
    pub claim: Account<'info, Claim>,
    /// Mutable: a voided claim is no longer owed.
    #[account(mut)]
    pub payer: Box<Account<'info, Payer>>,
    #[account(mut)]
    pub coverage: Account<'info, Coverage>,
    pub provider: Signer<'info>,
    /// The provider's registry entry: it must still be an active provider or dispenser.
    pub provider_participant: Account<'info, Participant>,
    /// CHECK: the evidence record of the claim's unit, when it names one (released here).
    #[account(mut)]
    pub evidence: Option<UncheckedAccount<'info>>,
}

impl Void<'_> {
    pub fn validate(&self) -> Result<()> {
        require_biller(&self.provider_participant, &self.provider.key())?;
        match self.claim.status {
            ClaimStatus::Paid => err!(ClaimsError::AlreadyPaid),
            ClaimStatus::Voided | ClaimStatus::Reversed => err!(ClaimsError::InvalidTransition),
            _ => Ok(()),
        }
    }

    pub fn handler(ctx: Context<Void>) -> Result<()> {
        let now = now()?;
        let a = &mut *ctx.accounts;
        // Release what a decision had accrued against the coverage, what the payer owed, and
        // the unit the claim named.
        a.claim.void(&mut a.coverage, &mut a.payer, now)?;
        crate::state::release_evidence(a.evidence.as_deref(), &a.claim.key(), &a.claim.unit)?;
        let claim = &mut a.claim;
        claim.frequency = crate::constants::frequency::VOID;
        claim.invariant()?;
        changed(claim, a.provider.key(), now);
        Ok(())
    }
}
