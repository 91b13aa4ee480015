//! Helpers shared by the custody instructions.

use crate::error::CustodyError;
use anchor_lang::prelude::*;
use anchor_lang::solana_program::{program::invoke_signed, system_instruction};
use registry::state::Participant;

/// The registry role check, reported under custody's error codes.
pub fn require_partner(
    participant: &Participant,
    wallet: &Pubkey,
    roles: u16,
    now: i64,
) -> Result<()> {
    participant
        .check_role(wallet, roles, now)
        .map_err(|e| CustodyError::from(e).into())
}

/// Unix time from the Clock sysvar.
pub fn now() -> Result<i64> {
    Ok(Clock::get()?.unix_timestamp)
}

/// Creates a program-owned PDA `target` of `space` bytes, paid by `payer`. Handles a target
/// that somebody pre-funded (transfer the shortfall, allocate, assign), so nobody can block an
/// address by sending it lamports.
pub fn create_pda_account<'info>(
    payer: &AccountInfo<'info>,
    target: &AccountInfo<'info>,
    system_program: &AccountInfo<'info>,
    space: usize,
    seeds: &[&[u8]],
) -> Result<()> {
    let rent = Rent::get()?;
    let required = rent.minimum_balance(space).max(1);
    let current = target.lamports();
    if current == 0 {
        invoke_signed(
            &system_instruction::create_account(
                payer.key,
                target.key,
                required,
                space as u64,
                &crate::ID,
            ),
            &[payer.clone(), target.clone(), system_program.clone()],
            &[seeds],
        )?;
    } else {
        let shortfall = required.saturating_sub(current);
        if shortfall > 0 {
            invoke_signed(
                &system_instruction::transfer(payer.key, target.key, shortfall),
                &[payer.clone(), target.clone(), system_program.clone()],
                &[],
            )?;
        }
        invoke_signed(
            &system_instruction::allocate(target.key, space as u64),
            &[target.clone(), system_program.clone()],
            &[seeds],
        )?;
        invoke_signed(
            &system_instruction::assign(target.key, &crate::ID),
            &[target.clone(), system_program.clone()],
            &[seeds],
        )?;
    }
    Ok(())
}

/// Writes an Anchor account (discriminator + Borsh) into a freshly created account.
pub fn write_account<T: AccountSerialize>(target: &AccountInfo, value: &T) -> Result<()> {
    let mut data = target.try_borrow_mut_data()?;
    let mut cursor: &mut [u8] = &mut data;
    value.try_serialize(&mut cursor)
}

/// Loads a mutable program-owned `Unit` from an unchecked account (remaining accounts).
pub fn load_unit(info: &AccountInfo) -> Result<crate::state::Unit> {
    require_keys_eq!(
        *info.owner,
        crate::ID,
        ErrorCode::AccountOwnedByWrongProgram
    );
    require!(info.is_writable, ErrorCode::AccountNotMutable);
    let data = info.try_borrow_data()?;
    let mut slice: &[u8] = &data;
    crate::state::Unit::try_deserialize(&mut slice)
}

/// Loads a program-owned `Lot` from an unchecked account (remaining accounts).
pub fn load_lot(info: &AccountInfo) -> Result<crate::state::Lot> {
    require_keys_eq!(
        *info.owner,
        crate::ID,
        ErrorCode::AccountOwnedByWrongProgram
    );
    let data = info.try_borrow_data()?;
    let mut slice: &[u8] = &data;
    crate::state::Lot::try_deserialize(&mut slice)
}

/// Checks the lot of an item: it is the unit's lot, released, and not expired.
pub fn require_lot_ok(
    unit: &crate::state::Unit,
    lot_key: &Pubkey,
    lot: &crate::state::Lot,
    now: i64,
) -> Result<()> {
    require_keys_eq!(*lot_key, unit.lot, CustodyError::LotMismatch);
    require!(
        lot.status == crate::state::LotStatus::Released,
        CustodyError::LotRecalled
    );
    require!(!unit.is_expired(now), CustodyError::UnitExpired);
    Ok(())
}
