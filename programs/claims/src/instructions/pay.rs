//! Payment (once, from the vault, within the daily limit) and reversal (funds back to the
//! vault, recorded as 835 CLP02 = 22).

use crate::constants::SEED_PAYER;
use crate::error::ClaimsError;
use crate::events::{ClaimPaid, PaymentReversed};
use crate::math::SafeMath;
use crate::state::{Claim, ClaimStatus, Coverage, Payer};
use crate::utils::{now, require_biller, require_payer};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};
use registry::state::Participant;

#[derive(Accounts)]
pub struct Pay<'info> {
    #[account(mut, has_one = payer @ ClaimsError::Unauthorized)]
    pub claim: Account<'info, Claim>,
    #[account(
        mut,
        has_one = authority @ ClaimsError::Unauthorized,
        has_one = vault @ ClaimsError::TokenMismatch,
        has_one = mint @ ClaimsError::TokenMismatch
    )]
    pub payer: Box<Account<'info, Payer>>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    /// The provider's token account of the payer's mint.
    #[account(
        mut,
        constraint = provider_token.mint == mint.key() @ ClaimsError::TokenMismatch,
        constraint = provider_token.owner == claim.provider @ ClaimsError::TokenMismatch
    )]
    pub provider_token: InterfaceAccount<'info, TokenAccount>,
    pub authority: Signer<'info>,
    /// The payer authority's registry entry: it must still be an active payer.
    pub authority_participant: Account<'info, Participant>,
    /// The paid provider's registry entry: a suspended, revoked or expired provider is not
    /// paid.
    pub provider_participant: Account<'info, Participant>,
    #[account(address = payer.token_program @ ClaimsError::TokenMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl Pay<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        require_payer(&self.authority_participant, &self.authority.key())?;
        require_biller(&self.provider_participant, &self.claim.provider)?;
        match self.claim.status {
            ClaimStatus::Approved | ClaimStatus::PartiallyApproved => {}
            ClaimStatus::Paid | ClaimStatus::Reversed => return err!(ClaimsError::AlreadyPaid),
            _ => return err!(ClaimsError::InvalidTransition),
        }
        require_eq!(self.claim.paid, 0, ClaimsError::AlreadyPaid);
        require!(!self.payer.paused, ClaimsError::PaymentsPaused);
        let amount = self.claim.approved;
        require!(
            amount <= self.payer.window.headroom(self.payer.daily_limit, now),
            ClaimsError::DailyLimitExceeded
        );
        require!(self.vault.amount >= amount, ClaimsError::InsufficientVault);
        Ok(())
    }

    pub fn handler(ctx: Context<Pay>) -> Result<()> {
        let now = now()?;
        let amount = ctx.accounts.claim.approved;
        let a = &ctx.accounts;
        let seeds: &[&[u8]] = &[SEED_PAYER, a.payer.creator.as_ref(), &[a.payer.bump]];
        transfer_checked(
            CpiContext::new(
                a.token_program.key(),
                TransferChecked {
                    from: a.vault.to_account_info(),
                    mint: a.mint.to_account_info(),
                    to: a.provider_token.to_account_info(),
                    authority: a.payer.to_account_info(),
                },
            )
            .with_signer(&[seeds]),
            amount,
            a.mint.decimals,
        )?;
        let payer = &mut ctx.accounts.payer;
        let limit = payer.daily_limit;
        payer.window.pay(amount, limit, now)?;
        payer.settle(amount)?;
        payer.total_paid = payer.total_paid.safe_add(amount)?;
        payer.invariant()?;
        let claim = &mut ctx.accounts.claim;
        claim.paid = amount;
        claim.status = ClaimStatus::Paid;
        claim.updated_at = now;
        claim.invariant()?;
        caretrail_common::emit_event!(ClaimPaid {
            claim: claim.key(),
            payer: payer.key(),
            provider: claim.provider,
            amount,
            timestamp: now
        });
        Ok(())
    }
}

/// Reverses a payment: the provider returns the funds to the vault (both the payer and the
/// provider sign), the coverage is credited back, and the claim ends `Reversed`.
#[derive(Accounts)]
pub struct Reverse<'info> {
    #[account(mut, has_one = payer @ ClaimsError::Unauthorized, has_one = provider @ ClaimsError::Unauthorized, has_one = coverage @ ClaimsError::CoverageMismatch)]
    pub claim: Account<'info, Claim>,
    #[account(
        mut,
        has_one = authority @ ClaimsError::Unauthorized,
        has_one = vault @ ClaimsError::TokenMismatch,
        has_one = mint @ ClaimsError::TokenMismatch
    )]
    pub payer: Box<Account<'info, Payer>>,
    #[account(mut)]
    pub coverage: Account<'info, Coverage>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut, token::mint = mint, token::authority = provider, token::token_program = token_program)]
    pub provider_token: InterfaceAccount<'info, TokenAccount>,
    pub provider: Signer<'info>,
    pub authority: Signer<'info>,
    /// The payer authority's registry entry: it must still be an active payer. (The provider
    /// is not checked: returning funds stays possible for a suspended or revoked provider.)
    pub authority_participant: Account<'info, Participant>,
    #[account(address = payer.token_program @ ClaimsError::TokenMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: the evidence record of the claim's unit, when it names one (released here).
    #[account(mut)]
    pub evidence: Option<UncheckedAccount<'info>>,
}

impl Reverse<'_> {
    pub fn validate(&self) -> Result<()> {
        require_payer(&self.authority_participant, &self.authority.key())?;
        require!(
            self.claim.status == ClaimStatus::Paid,
            ClaimsError::InvalidTransition
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Reverse>, reason: u16) -> Result<()> {
        let now = now()?;
        let amount = ctx.accounts.claim.paid;
        let a = &ctx.accounts;
        transfer_checked(
            CpiContext::new(
                a.token_program.key(),
                TransferChecked {
                    from: a.provider_token.to_account_info(),
                    mint: a.mint.to_account_info(),
                    to: a.vault.to_account_info(),
                    authority: a.provider.to_account_info(),
                },
            ),
            amount,
            a.mint.decimals,
        )?;
        let payer = &mut ctx.accounts.payer;
        payer.total_reversed = payer.total_reversed.safe_add(amount)?;
        payer.invariant()?;
        let coverage = &mut ctx.accounts.coverage;
        let claim = &mut ctx.accounts.claim;
        claim.release(coverage)?;
        crate::state::release_evidence(
            ctx.accounts.evidence.as_deref(),
            &claim.key(),
            &claim.unit,
        )?;
        claim.status = ClaimStatus::Reversed;
        claim.carc = reason;
        claim.updated_at = now;
        claim.invariant()?;
        caretrail_common::emit_event!(PaymentReversed {
            claim: claim.key(),
            payer: payer.key(),
            provider: claim.provider,
            amount,
            carc: reason,
            timestamp: now
        });
        Ok(())
    }
}
