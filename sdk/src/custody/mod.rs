//! Custody client: identifiers (GTIN/serial hashing, SSCC), PDAs, typed instruction builders
//! made from the program crate's own types, account reads, and a [`CustodyClient`] that fills
//! in hop indices and lots from the ledger.
//!
//! Ship and receive: the holder ships a unit to a registered trading partner, who receives it
//! (the client reads the unit's hop index and lot from the ledger):
//!
//! ```no_run
//! use caretrail_sdk::custody::{self, CustodyClient, ShipArgs};
//! use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
//!
//! fn ship_and_receive(
//!     ledger: &dyn caretrail_sdk::Ledger,
//!     distributor: &Keypair,
//!     pharmacy: &Keypair,
//!     scanned: &str,
//! ) -> caretrail_sdk::Result<()> {
//!     let code = caretrail_sdk::gs1::parse(scanned)?; // (01)…(21)… or an SSCC (00)…
//!     let unit = custody::address_of(&code)?;
//!     let args = ShipArgs {
//!         read_point: caretrail_sdk::registry::parse_gln("0614141000012")?,
//!         shipment_ref: custody::shipment_ref("ASN-2026-0001"),
//!         is_return: false,
//!     };
//!     CustodyClient::new(ledger, distributor).ship(distributor, &pharmacy.pubkey(), &unit, args)?;
//!     CustodyClient::new(ledger, pharmacy).receive(pharmacy, &unit)?;
//!     let verdict = custody::verify(ledger, &code, Some(&pharmacy.pubkey()))?;
//!     assert!(verdict.is_genuine());
//!     Ok(())
//! }
//! ```

pub use crate::events::CustodyEvent;
use crate::ledger::{send_instructions, Ledger, TxOutcome};
use crate::registry::participant_pda;
use crate::{Error, Result};
use anchor_lang::{InstructionData, ToAccountMetas};
use custody::constants::{GTIN_LEN, SEED_HOP, SEED_LOT, SEED_UNIT, SSCC_LEN};
pub use custody::state::{
    Hop, HopStatus, Lot, LotStatus, SensorSummary, StorageCondition, Unit, UnitKind, UnitStatus,
};
pub use custody::{RegisterLotArgs, ShipArgs, StorageConditionArgs};
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

mod ix;
pub use ix::*;
mod client;
pub use client::*;
mod verify;
pub use verify::*;
mod packages;
pub use packages::*;
pub mod cold_chain;
pub mod commission;
pub mod epcis;
pub mod epcis_export;
pub mod epcis_import;
pub mod master_data;
pub mod reconcile;
pub mod scan;
pub mod vrs;

/// The custody program id.
pub const PROGRAM_ID: Pubkey = custody::ID;

/// `sha256(gtin ‖ serial)`: the only form in which a serial number reaches the chain.
pub fn serial_hash(gtin: &[u8; GTIN_LEN], serial: &str) -> [u8; 32] {
    crate::hash::sha256(&[gtin, serial.as_bytes()])
}

/// `sha256(lot number)`.
pub fn lot_hash(lot: &str) -> [u8; 32] {
    crate::hash::sha256(&[lot.as_bytes()])
}

/// `["lot", gtin, sha256(lot)]`.
pub fn lot_pda(gtin: &[u8; GTIN_LEN], lot: &str) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_LOT, gtin, &lot_hash(lot)], &PROGRAM_ID)
}

/// `["unit", sha256(gtin ‖ serial)]`.
pub fn unit_pda(gtin: &[u8; GTIN_LEN], serial: &str) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_UNIT, &serial_hash(gtin, serial)], &PROGRAM_ID)
}

/// `["unit", sscc]` for a case or pallet.
pub fn sscc_pda(sscc: &[u8; SSCC_LEN]) -> (Pubkey, u8) {
    Pubkey::find_program_address(&[SEED_UNIT, sscc], &PROGRAM_ID)
}

/// `["hop", unit, index u32 LE]`.
pub fn hop_pda(unit: &Pubkey, index: u32) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[SEED_HOP, unit.as_ref(), &index.to_le_bytes()],
        &PROGRAM_ID,
    )
}

/// GTIN-14 bytes from text, check digit verified (GTIN-8/12/13 are left-padded with zeros).
pub fn parse_gtin(s: &str) -> Result<[u8; GTIN_LEN]> {
    let s = s.trim();
    if !(s.len() == 8 || s.len() == 12 || s.len() == 13 || s.len() == 14)
        || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(Error::invalid(format!(
            "GTIN {s:?} must be 8, 12, 13 or 14 digits"
        )));
    }
    let padded = format!("{s:0>14}");
    if !caretrail_common::gs1::check_digit_valid(padded.as_bytes()) {
        return Err(Error::invalid(format!(
            "GTIN {s:?} has a wrong check digit"
        )));
    }
    Ok(padded.as_bytes().try_into().expect("14 digits"))
}

/// SSCC bytes from text, check digit verified.
pub fn parse_sscc(s: &str) -> Result<[u8; SSCC_LEN]> {
    let s = s.trim();
    if s.len() != SSCC_LEN || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(format!("SSCC {s:?} must be 18 digits")));
    }
    if !caretrail_common::gs1::check_digit_valid(s.as_bytes()) {
        return Err(Error::invalid(format!(
            "SSCC {s:?} has a wrong check digit"
        )));
    }
    Ok(s.as_bytes().try_into().expect("18 digits"))
}

/// Completes a 17-digit SSCC body (extension digit, company prefix, serial reference) with its
/// check digit.
pub fn complete_sscc(body: &str) -> Result<String> {
    if body.len() != SSCC_LEN - 1 {
        return Err(Error::invalid(format!(
            "an SSCC body has {} digits, not {}",
            SSCC_LEN - 1,
            body.len()
        )));
    }
    let check = caretrail_common::gs1::compute_check_digit(body.as_bytes())
        .ok_or_else(|| Error::invalid(format!("SSCC body {body:?} must be digits")))?;
    Ok(format!("{body}{check}"))
}

/// Lot registration arguments from a GTIN, a lot number and an expiry `(year, month, day)`
/// (the unit expires at 00:00 UTC the day after).
pub fn lot_args(gtin: &[u8; GTIN_LEN], lot: &str, expiry: (i64, u32, u32)) -> RegisterLotArgs {
    let (y, m, d) = expiry;
    RegisterLotArgs {
        gtin: *gtin,
        lot_hash: lot_hash(lot),
        expiry_date: (y as u32) * 10_000 + m * 100 + d,
        expires_at: (crate::util::days_from_civil(y, m, d) + 1) * 86_400,
    }
}

/// First 16 bytes of sha256 of a shipment document id (ASN / despatch advice).
pub fn shipment_ref(document_id: &str) -> [u8; 16] {
    crate::hash::sha256(&[document_id.as_bytes()])[..16]
        .try_into()
        .expect("16 bytes")
}

pub fn status_name(s: UnitStatus) -> &'static str {
    match s {
        UnitStatus::Active => "active",
        UnitStatus::InTransit => "in_transit",
        UnitStatus::Quarantined => "quarantined",
        UnitStatus::Dispensed => "dispensed",
        UnitStatus::Decommissioned => "decommissioned",
        UnitStatus::Destroyed => "destroyed",
        UnitStatus::Illegitimate => "illegitimate",
    }
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

fn fetch<T: anchor_lang::AccountDeserialize>(
    ledger: &dyn Ledger,
    address: &Pubkey,
) -> Result<Option<T>> {
    crate::account::fetch_owned(ledger, address, &PROGRAM_ID)
}

pub fn fetch_unit(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Unit>> {
    fetch(ledger, address)
}

/// Who quarantined a suspect unit (`None` unless it is quarantined).
pub fn fetch_quarantine(
    ledger: &dyn Ledger,
    unit: &Pubkey,
) -> Result<Option<custody::state::Quarantine>> {
    fetch(ledger, &quarantine_pda(unit).0)
}

pub fn fetch_lot(ledger: &dyn Ledger, address: &Pubkey) -> Result<Option<Lot>> {
    fetch(ledger, address)
}

pub fn fetch_hop(ledger: &dyn Ledger, unit: &Pubkey, index: u32) -> Result<Option<Hop>> {
    fetch(ledger, &hop_pda(unit, index).0)
}

/// The top-most aggregate containing `unit` (the unit itself when not packed), and its state.
pub fn top_most(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Option<(Pubkey, Unit)>> {
    let Some(mut current) = fetch_unit(ledger, unit)? else {
        return Ok(None);
    };
    let mut key = *unit;
    // Nesting is bounded (item ⊂ case ⊂ pallet); the bound guards against a corrupted graph.
    for _ in 0..4 {
        if current.parent == Pubkey::default() {
            return Ok(Some((key, current)));
        }
        key = current.parent;
        current = fetch_unit(ledger, &key)?.ok_or_else(|| Error::not_found("aggregate", key))?;
    }
    Err(Error::Unsupported(format!(
        "aggregate nesting of {unit} is too deep"
    )))
}
