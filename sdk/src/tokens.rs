//! SPL Token / Token-2022 helpers for payers and providers: create a mint, an associated token
//! account, mint, read a balance. The same helpers drive the demo and the tests.

use crate::ledger::{send_instructions, Ledger, TxOutcome};
use crate::Result;
use anchor_lang::solana_program::system_instruction;
use solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// SPL Token and Token-2022 program ids.
pub const TOKEN: Pubkey = anchor_spl::token::ID;
pub const TOKEN_2022: Pubkey = anchor_spl::token_2022::ID;

/// Size of a mint without extensions (the same in both token programs).
pub const MINT_LEN: usize = 82;

/// Creates a mint (`mint` keypair) of `token_program` with `authority`, paid by `payer`.
pub fn create_mint(
    ledger: &dyn Ledger,
    payer: &Keypair,
    mint: &Keypair,
    token_program: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
) -> Result<TxOutcome> {
    let lamports = ledger.minimum_balance_for_rent_exemption(MINT_LEN)?;
    let create = system_instruction::create_account(
        &payer.pubkey(),
        &mint.pubkey(),
        lamports,
        MINT_LEN as u64,
        token_program,
    );
    let init = if *token_program == TOKEN {
        anchor_spl::token::spl_token::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            authority,
            None,
            decimals,
        )
    } else {
        anchor_spl::token_2022::spl_token_2022::instruction::initialize_mint2(
            token_program,
            &mint.pubkey(),
            authority,
            None,
            decimals,
        )
    }
    .map_err(|e| crate::Error::Unsupported(format!("initialize_mint2: {e}")))?;
    send_instructions(ledger, payer, &[mint], &[create, init])
}

/// The associated token account address.
pub fn associated_address(owner: &Pubkey, mint: &Pubkey, token_program: &Pubkey) -> Pubkey {
    anchor_spl::associated_token::get_associated_token_address_with_program_id(
        owner,
        mint,
        token_program,
    )
}

/// Creates `owner`'s associated token account for `mint` (if missing); returns its address.
pub fn create_ata(
    ledger: &dyn Ledger,
    payer: &Keypair,
    owner: &Pubkey,
    mint: &Pubkey,
    token_program: &Pubkey,
) -> Result<Pubkey> {
    let address = associated_address(owner, mint, token_program);
    if ledger.get_account(&address)?.is_none() {
        let ix = anchor_spl::associated_token::spl_associated_token_account::instruction::create_associated_token_account(
            &payer.pubkey(),
            owner,
            mint,
            token_program,
        );
        send_instructions(ledger, payer, &[], &[ix])?;
    }
    Ok(address)
}

/// Mints `amount` to `account` (`authority` is the mint authority).
pub fn mint_to(
    ledger: &dyn Ledger,
    payer: &Keypair,
    token_program: &Pubkey,
    mint: &Pubkey,
    account: &Pubkey,
    authority: &Keypair,
    amount: u64,
) -> Result<TxOutcome> {
    let ix = if *token_program == TOKEN {
        anchor_spl::token::spl_token::instruction::mint_to(
            token_program,
            mint,
            account,
            &authority.pubkey(),
            &[],
            amount,
        )
    } else {
        anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
            token_program,
            mint,
            account,
            &authority.pubkey(),
            &[],
            amount,
        )
    }
    .map_err(|e| crate::Error::Unsupported(format!("mint_to: {e}")))?;
    send_instructions(ledger, payer, &[authority], &[ix])
}

/// The amount held by a token account (the same base layout in both programs).
pub fn balance(ledger: &dyn Ledger, account: &Pubkey) -> Result<u64> {
    Ok(ledger
        .get_account(account)?
        .filter(|a| a.data.len() >= 72)
        .map(|a| u64::from_le_bytes(a.data[64..72].try_into().expect("8 bytes")))
        .unwrap_or(0))
}
