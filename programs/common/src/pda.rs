//! Account creation that nobody can block: the one way every caretrail program creates an
//! account (a PDA, or a vault token account at a PDA).
//!
//! Anchor's `init` / `init_if_needed` create an address that already holds lamports with the
//! system program's `CreateAccountAllowPrefund`, which not every runtime has (the Agave 3.1 bank
//! rejects it with "invalid instruction data"). caretrail's addresses are predictable, so an
//! outsider could block any of them for ever by sending it lamports first. [`create_pda`] never
//! uses that instruction: an unfunded address is created with `CreateAccount`; a funded one is
//! topped up to rent exemption with `Transfer`, then `Allocate`d and `Assign`ed, signed with the
//! PDA's seeds. The same instructions exist on every Solana runtime.
//!
//! Instructions name such an account as a `mut` `UncheckedAccount` with `seeds` and `bump`
//! constraints (Anchor checks the address and finds the canonical bump), check in `validate()`
//! that it does not exist yet (their own named error), and in the handler call
//! [`init_account`] (or [`create_pda`] then a token program's initialize).

use anchor_lang::prelude::*;
use anchor_lang::solana_program::{program::invoke, program::invoke_signed, system_instruction};

/// Creates `target` at a PDA of the calling program: `space` bytes owned by `owner`, rent
/// exempt, paid by `payer`, whatever lamports `target` held before.
///
/// Errors: `target` already owned by a program (`AccountAlreadyInitialized` when owned by
/// `owner`, Anchor's `AccountNotSystemOwned` otherwise), or `payer` cannot pay the shortfall
/// (`InsufficientFunds`, after a log line naming both accounts and the amounts).
pub fn create_pda<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    signer_seeds: &[&[u8]],
) -> Result<()> {
    if target.owner == owner {
        return Err(ProgramError::AccountAlreadyInitialized.into());
    }
    if *target.owner != anchor_lang::system_program::ID || !target.data_is_empty() {
        return Err(error!(ErrorCode::AccountNotSystemOwned).with_account_name("target"));
    }
    require_keys_neq!(
        *payer.key,
        *target.key,
        ErrorCode::TryingToInitPayerAsProgramAccount
    );
    let required = Rent::get()?.minimum_balance(space).max(1);
    let current = target.lamports();
    let shortfall = required.saturating_sub(current);
    if shortfall > payer.lamports() {
        msg!(
            "cannot create {}: it needs {} more lamports for rent exemption, payer {} has {}",
            target.key,
            shortfall,
            payer.key,
            payer.lamports()
        );
        return Err(ProgramError::InsufficientFunds.into());
    }
    if current == 0 {
        invoke_signed(
            &system_instruction::create_account(
                payer.key,
                target.key,
                required,
                space as u64,
                owner,
            ),
            &[payer.clone(), target.clone(), system_program.clone()],
            &[signer_seeds],
        )?;
        return Ok(());
    }
    // Somebody funded the address first: top up, allocate, assign (never AllowPrefund).
    if shortfall > 0 {
        invoke(
            &system_instruction::transfer(payer.key, target.key, shortfall),
            &[payer.clone(), target.clone(), system_program.clone()],
        )?;
    }
    invoke_signed(
        &system_instruction::allocate(target.key, space as u64),
        &[target.clone(), system_program.clone()],
        &[signer_seeds],
    )?;
    invoke_signed(
        &system_instruction::assign(target.key, owner),
        &[target.clone(), system_program.clone()],
        &[signer_seeds],
    )?;
    Ok(())
}

/// Creates the calling program's account `target` (`8 + T::INIT_SPACE` bytes, owned by
/// `program_id`) with [`create_pda`] and writes `value` (discriminator + Borsh) into it.
pub fn init_account<'info, T>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    program_id: &Pubkey,
    signer_seeds: &[&[u8]],
    value: &T,
) -> Result<()>
where
    T: AccountSerialize + Space,
{
    create_pda(
        payer,
        target,
        system_program,
        8 + T::INIT_SPACE,
        program_id,
        signer_seeds,
    )?;
    write_account(target, value)
}

/// Writes an Anchor account (discriminator + Borsh) into an account this program owns.
pub fn write_account<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    let mut cursor: &mut [u8] = &mut data;
    value.try_serialize(&mut cursor)
}

/// Reads an Anchor account of this program that may not exist yet: `None` while the address is
/// still a system account (created or not), the decoded account once `program_id` owns it.
pub fn load_if_exists<T: AccountDeserialize>(
    info: &AccountInfo,
    program_id: &Pubkey,
) -> Result<Option<T>> {
    if info.owner != program_id {
        return Ok(None);
    }
    let data = info.try_borrow_data()?;
    let mut slice: &[u8] = &data;
    T::try_deserialize(&mut slice).map(Some)
}

/// Closes an account this program owns: all its lamports to `destination`, its data zeroed and
/// emptied, and ownership handed back to the system program, so the address can be created
/// again later (with [`create_pda`]) and nothing of it can be revived in the same transaction.
pub fn close_account<'info>(
    target: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
) -> Result<()> {
    let lamports = target.lamports();
    **destination.try_borrow_mut_lamports()? = destination
        .lamports()
        .checked_add(lamports)
        .ok_or(ProgramError::ArithmeticOverflow)?;
    **target.try_borrow_mut_lamports()? = 0;
    target.try_borrow_mut_data()?.fill(0);
    target.resize(0)?;
    target.assign(&anchor_lang::system_program::ID);
    Ok(())
}
