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

/// The lot takes new packages and moves: released (`LotRecalled`) and not expired
/// (`UnitExpired`).
pub fn require_lot_usable(lot: &crate::state::Lot, now: i64) -> Result<()> {
    require!(
        lot.status == crate::state::LotStatus::Released,
        CustodyError::LotRecalled
    );
    require!(!lot.is_expired(now), CustodyError::UnitExpired);
    Ok(())
}

/// A shipment's parties: the sender and the receiver are authorized trading partners in good
/// standing and not the same; returns the receiver's wallet.
pub fn require_trading_partners(
    sender: &Pubkey,
    sender_participant: &registry::state::Participant,
    receiver_participant: &registry::state::Participant,
    now: i64,
) -> Result<Pubkey> {
    let roles = crate::constants::CUSTODIAN_ROLES;
    sender_participant.require_role::<CustodyError>(sender, roles, now)?;
    let receiver = receiver_participant.wallet;
    receiver_participant.require_role::<CustodyError>(&receiver, roles, now)?;
    require_keys_neq!(receiver, *sender, CustodyError::SelfShipment);
    Ok(receiver)
}

/// Who may unpack `parent`: its holder (an authorized trading partner), while it is top-level
/// and active.
pub fn require_unpacker(
    parent: &crate::state::Unit,
    packer: &Pubkey,
    packer_participant: &registry::state::Participant,
    now: i64,
) -> Result<()> {
    packer_participant.require_role::<CustodyError>(
        packer,
        crate::constants::CUSTODIAN_ROLES,
        now,
    )?;
    require!(!parent.in_aggregate(), CustodyError::InsideAggregate);
    require_keys_eq!(parent.holder, *packer, CustodyError::NotHolder);
    parent.require_active()
}

/// The roles a flagger needs: a trading partner when it holds the product, else a regulator.
pub fn flagger_roles(holder: &Pubkey, flagger: &Pubkey) -> u16 {
    if holder == flagger {
        crate::constants::CUSTODIAN_ROLES
    } else {
        registry::constants::roles::REGULATOR
    }
}

/// The quarantine record `info` of a quarantined unit or package, `flagger` its flagger
/// (`NotTheFlagger` otherwise).
pub fn load_quarantine(
    quarantined: bool,
    info: &AccountInfo,
    flagger: &Pubkey,
) -> Result<crate::state::Quarantine> {
    require!(quarantined, CustodyError::NotQuarantined);
    let record =
        caretrail_common::pda::load_if_exists::<crate::state::Quarantine>(info, &crate::ID)?
            .ok_or(CustodyError::InvariantViolation)?;
    require_keys_eq!(*flagger, record.flagged_by, CustodyError::NotTheFlagger);
    Ok(record)
}

/// Who may clear a quarantine: the party that flagged it, with the standing it flagged with,
/// or a regulator (anyone else: `NotTheFlagger`).
pub fn require_clearer(
    record: &crate::state::Quarantine,
    signer: &Pubkey,
    participant: &registry::state::Participant,
    now: i64,
) -> Result<()> {
    use registry::constants::roles;
    if *signer == record.flagged_by {
        let roles = if record.by_regulator {
            roles::REGULATOR
        } else {
            crate::constants::CUSTODIAN_ROLES
        };
        participant.require_role::<CustodyError>(signer, roles, now)
    } else {
        participant
            .require_role::<CustodyError>(signer, roles::REGULATOR, now)
            .map_err(|_| error!(CustodyError::NotTheFlagger))
    }
}
