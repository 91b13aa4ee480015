//! The payer authority's administration: settings (limits, adjudicators, requirements,
//! pause), a two-step authority handover, and withdrawals of funds no claim needs.

use crate::constants::{MAX_ADJUDICATORS, SEED_PAYER};
use crate::error::ClaimsError;
use crate::events::{PayerAuthorityChanged, PayerUpdated, VaultWithdrawn};
use crate::math::SafeMath;
use crate::state::{requirement, Payer};
use crate::utils::{now, require_payer};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};
use registry::state::Participant;

/// Settings the authority may change; `None` keeps the current value.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct PayerSettings {
    pub auto_approve_limit: Option<u64>,
    pub daily_limit: Option<u64>,
    pub appeal_window: Option<i64>,
    pub adjudicators: Option<Vec<Pubkey>>,
    /// `requirement` bits every new claim must meet.
    pub requirements: Option<u8>,
    /// Pause (or resume) payments.
    pub paused: Option<bool>,
}

/// Accounts of the authority's settings and handover proposal.
#[derive(Accounts)]
pub struct AdministerPayer<'info> {
    #[account(mut, has_one = authority @ ClaimsError::Unauthorized)]
    pub payer: Box<Account<'info, Payer>>,
    pub authority: Signer<'info>,
    /// The authority's registry entry: it must still be an active payer.
    pub authority_participant: Account<'info, Participant>,
}

impl AdministerPayer<'_> {
    fn require_standing(&self) -> Result<()> {
        require_payer(&self.authority_participant, &self.authority.key())
    }

    pub fn validate_update(&self, s: &PayerSettings) -> Result<()> {
        self.require_standing()?;
        if let Some(a) = &s.adjudicators {
            require!(
                a.len() <= MAX_ADJUDICATORS,
                ClaimsError::TooManyAdjudicators
            );
        }
        if let Some(r) = s.requirements {
            require!(r & !requirement::ALL == 0, ClaimsError::InvalidRequirements);
        }
        require!(
            s.daily_limit != Some(0) && s.appeal_window.is_none_or(|w| w >= 0),
            ClaimsError::InvalidAmount
        );
        Ok(())
    }

    pub fn update(ctx: Context<AdministerPayer>, s: PayerSettings) -> Result<()> {
        let now = now()?;
        let payer = &mut ctx.accounts.payer;
        if let Some(v) = s.auto_approve_limit {
            payer.auto_approve_limit = v;
        }
        if let Some(v) = s.daily_limit {
            payer.daily_limit = v;
        }
        if let Some(v) = s.appeal_window {
            payer.appeal_window = v;
        }
        if let Some(list) = &s.adjudicators {
            let mut adjudicators = [Pubkey::default(); MAX_ADJUDICATORS];
            adjudicators[..list.len()].copy_from_slice(list);
            payer.adjudicators = adjudicators;
            payer.adjudicator_count = list.len() as u8;
        }
        if let Some(v) = s.requirements {
            payer.requirements = v;
        }
        if let Some(v) = s.paused {
            payer.paused = v;
        }
        payer.invariant()?;
        caretrail_common::emit_event!(PayerUpdated {
            payer: payer.key(),
            auto_approve_limit: payer.auto_approve_limit,
            daily_limit: payer.daily_limit,
            appeal_window: payer.appeal_window,
            adjudicator_count: payer.adjudicator_count,
            requirements: payer.requirements,
            paused: payer.paused,
            timestamp: now,
        });
        Ok(())
    }

    pub fn validate_propose(&self, new_authority: &Pubkey) -> Result<()> {
        self.require_standing()?;
        require_keys_neq!(*new_authority, Pubkey::default(), ClaimsError::Unauthorized);
        Ok(())
    }

    /// Step 1: the authority names its successor (e.g. a multisig vault).
    pub fn propose(ctx: Context<AdministerPayer>, new_authority: Pubkey) -> Result<()> {
        let payer = &mut ctx.accounts.payer;
        payer.pending_authority = new_authority;
        payer.invariant()?;
        caretrail_common::emit_event!(PayerAuthorityChanged {
            payer: payer.key(),
            authority: payer.authority,
            pending_authority: new_authority,
            timestamp: now()?,
        });
        Ok(())
    }
}

/// Step 2 of the handover: the pending authority accepts.
#[derive(Accounts)]
pub struct AcceptPayerAuthority<'info> {
    #[account(mut)]
    pub payer: Box<Account<'info, Payer>>,
    pub new_authority: Signer<'info>,
    /// The new authority's registry entry: it must be an active payer too.
    pub new_authority_participant: Account<'info, Participant>,
}

impl AcceptPayerAuthority<'_> {
    pub fn validate(&self) -> Result<()> {
        let signer = self.new_authority.key();
        require!(
            self.payer.pending_authority != Pubkey::default()
                && self.payer.pending_authority == signer,
            ClaimsError::NotPendingAuthority
        );
        require_payer(&self.new_authority_participant, &signer)
    }

    pub fn handler(ctx: Context<AcceptPayerAuthority>) -> Result<()> {
        let payer = &mut ctx.accounts.payer;
        payer.authority = ctx.accounts.new_authority.key();
        payer.pending_authority = Pubkey::default();
        payer.invariant()?;
        caretrail_common::emit_event!(PayerAuthorityChanged {
            payer: payer.key(),
            authority: payer.authority,
            pending_authority: Pubkey::default(),
            timestamp: now()?,
        });
        Ok(())
    }
}

/// The authority withdraws vault funds no approved, unpaid claim needs.
#[derive(Accounts)]
pub struct WithdrawVault<'info> {
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
    /// Where the funds go (any token account of the mint).
    #[account(mut, token::mint = mint, token::token_program = token_program)]
    pub destination: InterfaceAccount<'info, TokenAccount>,
    pub authority: Signer<'info>,
    pub authority_participant: Account<'info, Participant>,
    #[account(address = payer.token_program @ ClaimsError::TokenMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl WithdrawVault<'_> {
    pub fn validate(&self, amount: u64) -> Result<()> {
        require_payer(&self.authority_participant, &self.authority.key())?;
        require!(amount > 0, ClaimsError::InvalidAmount);
        let free = self.vault.amount.saturating_sub(self.payer.outstanding);
        require!(amount <= free, ClaimsError::WithdrawalTooLarge);
        Ok(())
    }

    pub fn handler(ctx: Context<WithdrawVault>, amount: u64) -> Result<()> {
        let a = &ctx.accounts;
        let seeds: &[&[u8]] = &[SEED_PAYER, a.payer.creator.as_ref(), &[a.payer.bump]];
        transfer_checked(
            CpiContext::new(
                a.token_program.key(),
                TransferChecked {
                    from: a.vault.to_account_info(),
                    mint: a.mint.to_account_info(),
                    to: a.destination.to_account_info(),
                    authority: a.payer.to_account_info(),
                },
            )
            .with_signer(&[seeds]),
            amount,
            a.mint.decimals,
        )?;
        let destination = a.destination.key();
        let payer = &mut ctx.accounts.payer;
        payer.total_withdrawn = payer.total_withdrawn.safe_add(amount)?;
        payer.invariant()?;
        caretrail_common::emit_event!(VaultWithdrawn {
            payer: payer.key(),
            destination,
            amount,
            timestamp: now()?,
        });
        Ok(())
    }
}
