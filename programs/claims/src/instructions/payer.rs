//! Payer setup: init (with its vault) and funding.

use crate::constants::{ACCOUNT_VERSION, MAX_ADJUDICATORS, SEED_PAYER, SEED_VAULT};
use crate::error::ClaimsError;
use crate::events::{PayerInitialized, VaultFunded};
use crate::state::Payer;
use crate::utils::{now, require_partner};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{
    transfer_checked, Mint, TokenAccount, TokenInterface, TransferChecked,
};
use registry::constants::roles;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct PayerArgs {
    pub auto_approve_limit: u64,
    pub daily_limit: u64,
    pub appeal_window: i64,
    pub adjudicators: Vec<Pubkey>,
}

#[derive(Accounts)]
pub struct InitPayer<'info> {
    #[account(
        init_if_needed,
        payer = authority,
        space = 8 + Payer::INIT_SPACE,
        seeds = [SEED_PAYER, authority.key().as_ref()],
        bump
    )]
    pub payer: Account<'info, Payer>,
    #[account(
        init_if_needed,
        payer = authority,
        seeds = [SEED_VAULT, payer.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = payer,
        token::token_program = token_program
    )]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub authority_participant: Account<'info, Participant>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl InitPayer<'_> {
    pub fn validate(&self, args: &PayerArgs) -> Result<()> {
        require_eq!(self.payer.version, 0, ClaimsError::AlreadyInitialized);
        require_partner(
            &self.authority_participant,
            &self.authority.key(),
            roles::PAYER,
            now()?,
        )?;
        require!(
            args.adjudicators.len() <= MAX_ADJUDICATORS,
            ClaimsError::TooManyAdjudicators
        );
        require!(
            args.daily_limit > 0 && args.appeal_window >= 0,
            ClaimsError::InvalidAmount
        );
        Ok(())
    }

    pub fn handler(ctx: Context<InitPayer>, args: PayerArgs) -> Result<()> {
        let now = now()?;
        let mut adjudicators = [Pubkey::default(); MAX_ADJUDICATORS];
        adjudicators[..args.adjudicators.len()].copy_from_slice(&args.adjudicators);
        let payer = &mut ctx.accounts.payer;
        payer.set_inner(Payer {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.payer,
            vault_bump: ctx.bumps.vault,
            adjudicator_count: args.adjudicators.len() as u8,
            authority: ctx.accounts.authority.key(),
            mint: ctx.accounts.mint.key(),
            vault: ctx.accounts.vault.key(),
            token_program: ctx.accounts.token_program.key(),
            auto_approve_limit: args.auto_approve_limit,
            daily_limit: args.daily_limit,
            appeal_window: args.appeal_window,
            day: now.div_euclid(crate::constants::DAY),
            paid_today: 0,
            total_funded: 0,
            total_paid: 0,
            total_reversed: 0,
            adjudicators,
        });
        payer.invariant()?;
        registry::emit_event!(PayerInitialized {
            payer: payer.key(),
            authority: payer.authority,
            mint: payer.mint,
            vault: payer.vault,
            auto_approve_limit: args.auto_approve_limit,
            daily_limit: args.daily_limit,
            timestamp: now,
        });
        Ok(())
    }
}

/// Anyone may fund a payer's vault (the payer itself, a reinsurer, a sponsor).
#[derive(Accounts)]
pub struct FundVault<'info> {
    #[account(mut, has_one = vault @ ClaimsError::TokenMismatch, has_one = mint @ ClaimsError::TokenMismatch)]
    pub payer: Account<'info, Payer>,
    #[account(mut)]
    pub vault: InterfaceAccount<'info, TokenAccount>,
    pub mint: InterfaceAccount<'info, Mint>,
    pub funder: Signer<'info>,
    #[account(mut, token::mint = mint, token::authority = funder, token::token_program = token_program)]
    pub funder_token: InterfaceAccount<'info, TokenAccount>,
    #[account(address = payer.token_program @ ClaimsError::TokenMismatch)]
    pub token_program: Interface<'info, TokenInterface>,
}

impl FundVault<'_> {
    pub fn handler(ctx: Context<FundVault>, amount: u64) -> Result<()> {
        require!(amount > 0, ClaimsError::InvalidAmount);
        let a = &ctx.accounts;
        transfer_checked(
            CpiContext::new(
                a.token_program.key(),
                TransferChecked {
                    from: a.funder_token.to_account_info(),
                    mint: a.mint.to_account_info(),
                    to: a.vault.to_account_info(),
                    authority: a.funder.to_account_info(),
                },
            ),
            amount,
            a.mint.decimals,
        )?;
        let payer = &mut ctx.accounts.payer;
        payer.total_funded = crate::math::add_u64(payer.total_funded, amount)?;
        payer.invariant()?;
        registry::emit_event!(VaultFunded {
            payer: payer.key(),
            funder: ctx.accounts.funder.key(),
            amount,
            timestamp: now()?
        });
        Ok(())
    }
}
