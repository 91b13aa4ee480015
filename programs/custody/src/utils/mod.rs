//! Helpers shared by the custody instructions.

use crate::error::CustodyError;
use anchor_lang::prelude::*;

/// The GS1 key (GTIN or SSCC) is under `prefix`, which `signer` holds: nobody registers lots
/// under a rival's GTINs or claims another company's SSCCs.
pub fn require_prefix_holder(
    prefix: &registry::state::CompanyPrefix,
    key: &[u8],
    signer: &Pubkey,
) -> Result<()> {
    require!(prefix.covers(key), CustodyError::NotUnderPrefix);
    require_keys_eq!(prefix.holder, *signer, CustodyError::PrefixNotHeld);
    Ok(())
}

pub use caretrail_common::now;

pub use caretrail_common::pda::write_account;

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
