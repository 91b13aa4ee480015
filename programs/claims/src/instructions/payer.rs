//! Payer setup: init (with its vault) and funding.

use crate::constants::{ACCOUNT_VERSION, MAX_ADJUDICATORS, SEED_PAYER, SEED_VAULT};
use crate::error::ClaimsError;
use crate::events::{PayerInitialized, VaultFunded};
use crate::math::SafeMath;
use crate::state::Payer;
use crate::utils::{now, require_payer};
use anchor_lang::prelude::*;
use anchor_spl::token_2022::spl_token_2022::extension::{
    BaseStateWithExtensions, ExtensionType, StateWithExtensions,
};
use anchor_spl::token_interface::{
    initialize_account3, transfer_checked, InitializeAccount3, Mint, TokenAccount, TokenInterface,
    TransferChecked,
};
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
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); an existing payer fails with `AlreadyInitialized`.
    #[account(mut, seeds = [SEED_PAYER, authority.key().as_ref()], bump)]
    pub payer: UncheckedAccount<'info>,
    /// CHECK: the vault token account, created at its PDA by the handler (prefund-safe) and
    /// initialized by the token program with the payer PDA as owner.
    #[account(mut, seeds = [SEED_VAULT, payer.key().as_ref()], bump)]
    pub vault: UncheckedAccount<'info>,
    pub mint: InterfaceAccount<'info, Mint>,
    #[account(mut)]
    pub authority: Signer<'info>,
    pub authority_participant: Account<'info, Participant>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl InitPayer<'_> {
    pub fn validate(&self, args: &PayerArgs) -> Result<()> {
        require_keys_neq!(
            *self.payer.owner,
            crate::ID,
            ClaimsError::AlreadyInitialized
        );
        require_keys_eq!(
            *self.mint.to_account_info().owner,
            self.token_program.key(),
            ClaimsError::TokenMismatch
        );
        vault_space(&self.mint.to_account_info())?;
        require_payer(&self.authority_participant, &self.authority.key())?;
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
        let a = &ctx.accounts;
        let authority = a.authority.key();
        let payer_key = a.payer.key();
        let (bump, vault_bump) = (ctx.bumps.payer, ctx.bumps.vault);
        let payer = Payer {
            version: ACCOUNT_VERSION,
            bump,
            vault_bump,
            adjudicator_count: args.adjudicators.len() as u8,
            authority,
            mint: a.mint.key(),
            vault: a.vault.key(),
            token_program: a.token_program.key(),
            auto_approve_limit: args.auto_approve_limit,
            daily_limit: args.daily_limit,
            appeal_window: args.appeal_window,
            window: crate::state::PayoutWindow::default(),
            total_funded: 0,
            total_paid: 0,
            total_reversed: 0,
            adjudicators,
            creator: authority,
            pending_authority: Pubkey::default(),
            paused: false,
            requirements: 0,
            outstanding: 0,
            total_withdrawn: 0,
        };
        payer.invariant()?;
        let funder = a.authority.to_account_info();
        let system = a.system_program.to_account_info();
        caretrail_common::pda::init_account(
            &funder,
            &a.payer,
            &system,
            &crate::ID,
            &[SEED_PAYER, authority.as_ref(), &[bump]],
            &payer,
        )?;
        // The vault: a token account at its PDA, created whatever lamports it holds, then
        // initialized by the token program with the payer PDA as its owner.
        let mint = a.mint.to_account_info();
        caretrail_common::pda::create_pda(
            &funder,
            &a.vault,
            &system,
            vault_space(&mint)?,
            &a.token_program.key(),
            &[SEED_VAULT, payer_key.as_ref(), &[vault_bump]],
        )?;
        initialize_account3(CpiContext::new(
            a.token_program.key(),
            InitializeAccount3 {
                account: a.vault.to_account_info(),
                mint,
                authority: a.payer.to_account_info(),
            },
        ))?;
        caretrail_common::emit_event!(PayerInitialized {
            payer: payer_key,
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

/// Token-2022 mint extensions a vault may live with: none of them moves, freezes, taxes or
/// hooks the vault's tokens.
const ALLOWED_MINT_EXTENSIONS: [ExtensionType; 6] = [
    ExtensionType::MetadataPointer,
    ExtensionType::TokenMetadata,
    ExtensionType::InterestBearingConfig,
    ExtensionType::MintCloseAuthority,
    ExtensionType::GroupPointer,
    ExtensionType::GroupMemberPointer,
];

/// Bytes of a vault token account of `mint`: SPL Token's 165, or Token-2022's length with the
/// account extensions the mint requires. Fails with `UnsupportedMint` for a Token-2022 mint
/// with transfer fees, a transfer hook, a permanent delegate, default-frozen accounts,
/// confidential transfers or any extension not known to be harmless to a vault.
fn vault_space(mint: &AccountInfo) -> Result<usize> {
    if *mint.owner != anchor_spl::token_2022::ID {
        return Ok(anchor_spl::token::TokenAccount::LEN);
    }
    let data = mint.try_borrow_data()?;
    let state =
        StateWithExtensions::<anchor_spl::token_2022::spl_token_2022::state::Mint>::unpack(&data)?;
    let extensions = state.get_extension_types()?;
    require!(
        extensions
            .iter()
            .all(|e| ALLOWED_MINT_EXTENSIONS.contains(e)),
        ClaimsError::UnsupportedMint
    );
    let required = ExtensionType::get_required_init_account_extensions(&extensions);
    Ok(ExtensionType::try_calculate_account_len::<
        anchor_spl::token_2022::spl_token_2022::state::Account,
    >(&required)?)
}

/// Anyone may fund a payer's vault (the payer itself, a reinsurer, a sponsor).
#[derive(Accounts)]
pub struct FundVault<'info> {
    #[account(mut, has_one = vault @ ClaimsError::TokenMismatch, has_one = mint @ ClaimsError::TokenMismatch)]
    pub payer: Box<Account<'info, Payer>>,
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
        payer.total_funded = payer.total_funded.safe_add(amount)?;
        payer.invariant()?;
        caretrail_common::emit_event!(VaultFunded {
            payer: payer.key(),
            funder: ctx.accounts.funder.key(),
            amount,
            timestamp: now()?
        });
        Ok(())
    }
}
