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
    // Token-2022's builders serve both programs (they check the program id is one of the two,
    // and the instruction layouts are the same).
    let ix = anchor_spl::token_2022::spl_token_2022::instruction::mint_to(
        token_program,
        mint,
        account,
        &authority.pubkey(),
        &[],
        amount,
    )
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

/// A mint as the token programs store it (the same base layout in SPL Token and Token-2022).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MintInfo {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub address: Pubkey,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub token_program: Pubkey,
    pub decimals: u8,
    pub supply: u64,
    #[serde(serialize_with = "crate::util::ser_display_opt")]
    pub mint_authority: Option<Pubkey>,
}

/// Reads a mint; `Error::NotFound` when the address holds none.
pub fn fetch_mint(ledger: &dyn Ledger, mint: &Pubkey) -> Result<MintInfo> {
    let account = ledger
        .get_account(mint)?
        .filter(|a| (a.owner == TOKEN || a.owner == TOKEN_2022) && a.data.len() >= MINT_LEN)
        .ok_or(crate::Error::not_found("token mint", *mint))?;
    let d = &account.data;
    let authority = (d[0..4] == [1, 0, 0, 0])
        .then(|| Pubkey::new_from_array(d[4..36].try_into().expect("32 bytes")));
    Ok(MintInfo {
        address: *mint,
        token_program: account.owner,
        supply: u64::from_le_bytes(d[36..44].try_into().expect("8 bytes")),
        decimals: d[44],
        mint_authority: authority,
    })
}

/// A token account's mint, owner and amount.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TokenAccountInfo {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub address: Pubkey,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub mint: Pubkey,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub owner: Pubkey,
    pub amount: u64,
}

/// Reads a token account; `Error::NotFound` when the address holds none.
pub fn fetch_token_account(ledger: &dyn Ledger, account: &Pubkey) -> Result<TokenAccountInfo> {
    let a = ledger
        .get_account(account)?
        .filter(|a| (a.owner == TOKEN || a.owner == TOKEN_2022) && a.data.len() >= 165)
        .ok_or(crate::Error::not_found("token account", *account))?;
    let key = |r: std::ops::Range<usize>| Pubkey::new_from_array(a.data[r].try_into().expect("32"));
    Ok(TokenAccountInfo {
        address: *account,
        mint: key(0..32),
        owner: key(32..64),
        amount: u64::from_le_bytes(a.data[64..72].try_into().expect("8 bytes")),
    })
}

/// `amount` base units of a mint with `decimals` as a decimal number (`4250` with 2 → `42.50`).
pub fn ui_amount(amount: u64, decimals: u8) -> String {
    if decimals == 0 {
        return amount.to_string();
    }
    let d = decimals as u32;
    let scale = 10u128.pow(d);
    let a = amount as u128;
    format!("{}.{:0w$}", a / scale, a % scale, w = d as usize)
}

/// Moves `amount` base units from `from` (owned by `owner`) to `to`, checked against the mint
/// and its decimals (`TransferChecked`, which both token programs have).
#[allow(clippy::too_many_arguments)]
pub fn transfer(
    ledger: &dyn Ledger,
    fee_payer: &Keypair,
    mint: &MintInfo,
    from: &Pubkey,
    to: &Pubkey,
    owner: &Keypair,
    amount: u64,
) -> Result<TxOutcome> {
    // As in `mint_to`: Token-2022's builder serves both programs.
    let ix = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &mint.token_program,
        from,
        &mint.address,
        to,
        &owner.pubkey(),
        &[],
        amount,
        mint.decimals,
    )
    .map_err(|e| crate::Error::invalid(format!("transfer: {e}")))?;
    send_instructions(ledger, fee_payer, &[owner], &[ix])
}

#[cfg(test)]
mod amount_tests {
    #[test]
    fn base_units_print_with_the_mints_decimals() {
        assert_eq!(super::ui_amount(4250, 2), "42.50");
        assert_eq!(super::ui_amount(5, 6), "0.000005");
        assert_eq!(super::ui_amount(7, 0), "7");
        assert_eq!(super::ui_amount(u64::MAX, 9), "18446744073.709551615");
    }
}
