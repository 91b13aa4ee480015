//! Custody client: identifiers (GTIN/serial hashing, SSCC), PDAs, typed instruction builders
//! made from the program crate's own types, account reads, and a [`CustodyClient`] that fills
//! in hop indices and lots from the ledger.

pub use crate::events::CustodyEvent;
use crate::ledger::{send_instructions, Ledger, TxOutcome};
use crate::registry::participant_pda;
use crate::{Error, Result};
use anchor_lang::{InstructionData, ToAccountMetas};
use custody::constants::{GTIN_LEN, SEED_HOP, SEED_LOT, SEED_UNIT, SSCC_LEN};
pub use custody::state::{Hop, HopStatus, Lot, LotStatus, Unit, UnitKind, UnitStatus};
pub use custody::{RegisterLotArgs, ShipArgs};
use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

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
// Instruction builders
// ---------------------------------------------------------------------------------------------

fn ix(accounts: Vec<AccountMeta>, data: Vec<u8>) -> Instruction {
    Instruction {
        program_id: PROGRAM_ID,
        accounts,
        data,
    }
}

/// `company_prefix`: the registry's record of the GTIN's GS1 Company Prefix (see
/// [`crate::registry::find_prefix`]), licensed to the manufacturer.
pub fn register_lot_ix(
    manufacturer: &Pubkey,
    payer: &Pubkey,
    company_prefix: &Pubkey,
    args: RegisterLotArgs,
) -> Instruction {
    let lot = Pubkey::find_program_address(&[SEED_LOT, &args.gtin, &args.lot_hash], &PROGRAM_ID).0;
    ix(
        custody::accounts::RegisterLot {
            lot,
            manufacturer: *manufacturer,
            manufacturer_participant: participant_pda(manufacturer).0,
            company_prefix: *company_prefix,
            payer: *payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::RegisterLot { args }.data(),
    )
}

/// Commissions the units whose serial hashes are given (each unit PDA is derived here).
pub fn commission_units_ix(
    manufacturer: &Pubkey,
    payer: &Pubkey,
    lot: &Pubkey,
    serial_hashes: Vec<[u8; 32]>,
) -> Instruction {
    let mut accounts = custody::accounts::CommissionUnits {
        lot: *lot,
        manufacturer: *manufacturer,
        manufacturer_participant: participant_pda(manufacturer).0,
        payer: *payer,
        system_program: anchor_lang::system_program::ID,
    }
    .to_account_metas(None);
    accounts.extend(serial_hashes.iter().map(|h| {
        AccountMeta::new(
            Pubkey::find_program_address(&[SEED_UNIT, h], &PROGRAM_ID).0,
            false,
        )
    }));
    ix(
        accounts,
        custody::instruction::CommissionUnits { serial_hashes }.data(),
    )
}

/// `company_prefix`: the registry's record of the SSCC's GS1 Company Prefix, licensed to the
/// packer.
pub fn create_aggregate_ix(
    packer: &Pubkey,
    payer: &Pubkey,
    company_prefix: &Pubkey,
    sscc: [u8; SSCC_LEN],
    kind: UnitKind,
) -> Instruction {
    ix(
        custody::accounts::CreateAggregate {
            aggregate: sscc_pda(&sscc).0,
            packer: *packer,
            packer_participant: participant_pda(packer).0,
            company_prefix: *company_prefix,
            payer: *payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::CreateAggregate { sscc, kind }.data(),
    )
}

/// Packs `children` into `parent`; `lots` are the distinct lots of the item children.
pub fn aggregate_ix(
    packer: &Pubkey,
    parent: &Pubkey,
    children: &[Pubkey],
    lots: &[Pubkey],
) -> Instruction {
    let mut accounts = custody::accounts::Aggregate {
        parent: *parent,
        packer: *packer,
        packer_participant: participant_pda(packer).0,
    }
    .to_account_metas(None);
    accounts.extend(children.iter().map(|c| AccountMeta::new(*c, false)));
    accounts.extend(lots.iter().map(|l| AccountMeta::new_readonly(*l, false)));
    ix(
        accounts,
        custody::instruction::Aggregate {
            child_count: children.len() as u8,
        }
        .data(),
    )
}

pub fn disaggregate_ix(packer: &Pubkey, parent: &Pubkey, children: &[Pubkey]) -> Instruction {
    let mut accounts = custody::accounts::Disaggregate {
        parent: *parent,
        packer: *packer,
        packer_participant: participant_pda(packer).0,
    }
    .to_account_metas(None);
    accounts.extend(children.iter().map(|c| AccountMeta::new(*c, false)));
    ix(accounts, custody::instruction::Disaggregate {}.data())
}

/// Ships `unit` (whose next hop index is `hop_index`) from `sender` to `receiver`.
pub fn ship_ix(
    sender: &Pubkey,
    receiver: &Pubkey,
    payer: &Pubkey,
    unit: &Pubkey,
    hop_index: u32,
    lot: Option<Pubkey>,
    args: ShipArgs,
) -> Instruction {
    ix(
        custody::accounts::Ship {
            unit: *unit,
            hop: hop_pda(unit, hop_index).0,
            sender: *sender,
            sender_participant: participant_pda(sender).0,
            receiver_participant: participant_pda(receiver).0,
            lot,
            payer: *payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::Ship { args }.data(),
    )
}

fn receive_accounts(
    receiver: &Pubkey,
    unit: &Pubkey,
    hop_index: u32,
    lot: Option<Pubkey>,
) -> Vec<AccountMeta> {
    custody::accounts::Receive {
        unit: *unit,
        hop: hop_pda(unit, hop_index).0,
        receiver: *receiver,
        receiver_participant: participant_pda(receiver).0,
        lot,
    }
    .to_account_metas(None)
}

pub fn receive_ix(
    receiver: &Pubkey,
    unit: &Pubkey,
    hop_index: u32,
    lot: Option<Pubkey>,
) -> Instruction {
    ix(
        receive_accounts(receiver, unit, hop_index, lot),
        custody::instruction::Receive {}.data(),
    )
}

pub fn refuse_ix(
    receiver: &Pubkey,
    unit: &Pubkey,
    hop_index: u32,
    reason_code: u16,
) -> Instruction {
    ix(
        receive_accounts(receiver, unit, hop_index, None),
        custody::instruction::Refuse { reason_code }.data(),
    )
}

/// `["quarantine", unit]`: who quarantined a suspect unit (exists while it is quarantined).
pub fn quarantine_pda(unit: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[custody::constants::SEED_QUARANTINE, unit.as_ref()],
        &PROGRAM_ID,
    )
}

/// The sender takes back a shipment its receiver left unanswered past the timeout.
pub fn cancel_shipment_ix(sender: &Pubkey, unit: &Pubkey, hop_index: u32) -> Instruction {
    ix(
        custody::accounts::CancelShipment {
            unit: *unit,
            hop: hop_pda(unit, hop_index).0,
            sender: *sender,
        }
        .to_account_metas(None),
        custody::instruction::CancelShipment {}.data(),
    )
}

pub fn flag_suspect_ix(flagger: &Pubkey, unit: &Pubkey, reason_code: u16) -> Instruction {
    ix(
        custody::accounts::FlagSuspect {
            unit: *unit,
            quarantine: quarantine_pda(unit).0,
            flagger: *flagger,
            flagger_participant: participant_pda(flagger).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::FlagSuspect { reason_code }.data(),
    )
}

/// `flagger`: who quarantined the unit (its `Quarantine` record's `flagged_by`, which gets the
/// record's rent back).
fn resolve_accounts(
    investigator: &Pubkey,
    unit: &Pubkey,
    lot: Option<Pubkey>,
    flagger: &Pubkey,
) -> Vec<AccountMeta> {
    custody::accounts::ResolveSuspect {
        unit: *unit,
        lot,
        quarantine: quarantine_pda(unit).0,
        flagger: *flagger,
        investigator: *investigator,
        investigator_participant: participant_pda(investigator).0,
    }
    .to_account_metas(None)
}

pub fn clear_suspect_ix(
    investigator: &Pubkey,
    unit: &Pubkey,
    lot: Option<Pubkey>,
    flagger: &Pubkey,
) -> Instruction {
    ix(
        resolve_accounts(investigator, unit, lot, flagger),
        custody::instruction::ClearSuspect {}.data(),
    )
}

pub fn declare_illegitimate_ix(
    investigator: &Pubkey,
    unit: &Pubkey,
    lot: Option<Pubkey>,
    flagger: &Pubkey,
    reason_code: u16,
) -> Instruction {
    ix(
        resolve_accounts(investigator, unit, lot, flagger),
        custody::instruction::DeclareIllegitimate { reason_code }.data(),
    )
}

pub fn recall_lot_ix(authority: &Pubkey, lot: &Pubkey, reason_code: u16) -> Instruction {
    ix(
        custody::accounts::RecallLot {
            lot: *lot,
            authority: *authority,
            authority_participant: participant_pda(authority).0,
        }
        .to_account_metas(None),
        custody::instruction::RecallLot { reason_code }.data(),
    )
}

pub fn dispense_ix(dispenser: &Pubkey, unit: &Pubkey, lot: &Pubkey) -> Instruction {
    ix(
        custody::accounts::Dispense {
            unit: *unit,
            lot: *lot,
            dispenser: *dispenser,
            dispenser_participant: participant_pda(dispenser).0,
        }
        .to_account_metas(None),
        custody::instruction::Dispense {}.data(),
    )
}

pub fn decommission_ix(
    holder: &Pubkey,
    unit: &Pubkey,
    destroyed: bool,
    reason_code: u16,
) -> Instruction {
    ix(
        custody::accounts::Decommission {
            unit: *unit,
            holder: *holder,
            holder_participant: participant_pda(holder).0,
        }
        .to_account_metas(None),
        custody::instruction::Decommission {
            destroyed,
            reason_code,
        }
        .data(),
    )
}

// ---------------------------------------------------------------------------------------------
// Reads
// ---------------------------------------------------------------------------------------------

fn fetch<T: anchor_lang::AccountDeserialize>(
    ledger: &dyn Ledger,
    address: &Pubkey,
) -> Result<Option<T>> {
    crate::registry::fetch_owned(ledger, address, &PROGRAM_ID)
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

// ---------------------------------------------------------------------------------------------
// Client
// ---------------------------------------------------------------------------------------------

/// Sends custody instructions, reading hop indices and lots from the ledger.
pub struct CustodyClient<'a> {
    pub ledger: &'a dyn Ledger,
    pub payer: &'a Keypair,
}

impl<'a> CustodyClient<'a> {
    pub fn new(ledger: &'a dyn Ledger, payer: &'a Keypair) -> Self {
        CustodyClient { ledger, payer }
    }

    fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> Result<TxOutcome> {
        send_instructions(self.ledger, self.payer, signers, ixs)
    }

    fn unit(&self, unit: &Pubkey) -> Result<Unit> {
        fetch_unit(self.ledger, unit)?.ok_or_else(|| Error::not_found("unit", *unit))
    }

    fn lot_of(unit: &Unit) -> Option<Pubkey> {
        (unit.kind == UnitKind::Item).then_some(unit.lot)
    }

    /// The registry record of the company prefix a GTIN or SSCC falls under, or an error
    /// naming the code and the way to license its prefix.
    fn prefix_of(&self, key: &[u8]) -> Result<Pubkey> {
        crate::registry::find_prefix(self.ledger, key)?
            .map(|(address, _)| address)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "no GS1 company prefix in the registry covers {}: the registry authority \
                     licenses it first (`caretrail registry prefix assign PREFIX --holder WALLET`)",
                    String::from_utf8_lossy(key)
                ))
            })
    }

    pub fn register_lot(&self, manufacturer: &Keypair, args: RegisterLotArgs) -> Result<TxOutcome> {
        let prefix = self.prefix_of(&args.gtin)?;
        self.send(
            &[manufacturer],
            &[register_lot_ix(
                &manufacturer.pubkey(),
                &self.payer.pubkey(),
                &prefix,
                args,
            )],
        )
    }

    pub fn commission(
        &self,
        manufacturer: &Keypair,
        lot: &Pubkey,
        serial_hashes: Vec<[u8; 32]>,
    ) -> Result<TxOutcome> {
        self.send(
            &[manufacturer],
            &[commission_units_ix(
                &manufacturer.pubkey(),
                &self.payer.pubkey(),
                lot,
                serial_hashes,
            )],
        )
    }

    pub fn create_aggregate(
        &self,
        packer: &Keypair,
        sscc: [u8; SSCC_LEN],
        kind: UnitKind,
    ) -> Result<TxOutcome> {
        let prefix = self.prefix_of(&sscc)?;
        self.send(
            &[packer],
            &[create_aggregate_ix(
                &packer.pubkey(),
                &self.payer.pubkey(),
                &prefix,
                sscc,
                kind,
            )],
        )
    }

    /// Packs children, passing the lots of the item children.
    pub fn aggregate(
        &self,
        packer: &Keypair,
        parent: &Pubkey,
        children: &[Pubkey],
    ) -> Result<TxOutcome> {
        let mut lots: Vec<Pubkey> = Vec::new();
        for c in children {
            if let Some(u) = fetch_unit(self.ledger, c)? {
                if let Some(l) = Self::lot_of(&u) {
                    if !lots.contains(&l) {
                        lots.push(l);
                    }
                }
            }
        }
        self.send(
            &[packer],
            &[aggregate_ix(&packer.pubkey(), parent, children, &lots)],
        )
    }

    pub fn disaggregate(
        &self,
        packer: &Keypair,
        parent: &Pubkey,
        children: &[Pubkey],
    ) -> Result<TxOutcome> {
        self.send(
            &[packer],
            &[disaggregate_ix(&packer.pubkey(), parent, children)],
        )
    }

    pub fn ship(
        &self,
        sender: &Keypair,
        receiver: &Pubkey,
        unit: &Pubkey,
        args: ShipArgs,
    ) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let ix = ship_ix(
            &sender.pubkey(),
            receiver,
            &self.payer.pubkey(),
            unit,
            u.hop_count,
            Self::lot_of(&u),
            args,
        );
        self.send(&[sender], &[ix])
    }

    pub fn receive(&self, receiver: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[receiver],
            &[receive_ix(
                &receiver.pubkey(),
                unit,
                u.hop_count,
                Self::lot_of(&u),
            )],
        )
    }

    pub fn refuse(&self, receiver: &Keypair, unit: &Pubkey, reason_code: u16) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[receiver],
            &[refuse_ix(
                &receiver.pubkey(),
                unit,
                u.hop_count,
                reason_code,
            )],
        )
    }

    pub fn flag_suspect(
        &self,
        flagger: &Keypair,
        unit: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[flagger],
            &[flag_suspect_ix(&flagger.pubkey(), unit, reason_code)],
        )
    }

    /// Who quarantined `unit` (its quarantine record's flagger), or the investigator itself
    /// when the unit has no record (the program then answers `NotQuarantined`).
    fn flagger_of(&self, unit: &Pubkey, investigator: &Pubkey) -> Result<Pubkey> {
        Ok(fetch_quarantine(self.ledger, unit)?
            .map(|q| q.flagged_by)
            .unwrap_or(*investigator))
    }

    pub fn clear_suspect(&self, investigator: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let flagger = self.flagger_of(unit, &investigator.pubkey())?;
        self.send(
            &[investigator],
            &[clear_suspect_ix(
                &investigator.pubkey(),
                unit,
                Self::lot_of(&u),
                &flagger,
            )],
        )
    }

    /// The sender takes back a shipment its receiver left unanswered past the timeout.
    pub fn cancel_shipment(&self, sender: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[sender],
            &[cancel_shipment_ix(&sender.pubkey(), unit, u.hop_count)],
        )
    }

    pub fn declare_illegitimate(
        &self,
        investigator: &Keypair,
        unit: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        let flagger = self.flagger_of(unit, &investigator.pubkey())?;
        self.send(
            &[investigator],
            &[declare_illegitimate_ix(
                &investigator.pubkey(),
                unit,
                Self::lot_of(&u),
                &flagger,
                reason_code,
            )],
        )
    }

    pub fn recall_lot(
        &self,
        authority: &Keypair,
        lot: &Pubkey,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[authority],
            &[recall_lot_ix(&authority.pubkey(), lot, reason_code)],
        )
    }

    pub fn dispense(&self, dispenser: &Keypair, unit: &Pubkey) -> Result<TxOutcome> {
        let u = self.unit(unit)?;
        self.send(
            &[dispenser],
            &[dispense_ix(&dispenser.pubkey(), unit, &u.lot)],
        )
    }

    pub fn decommission(
        &self,
        holder: &Keypair,
        unit: &Pubkey,
        destroyed: bool,
        reason_code: u16,
    ) -> Result<TxOutcome> {
        self.send(
            &[holder],
            &[decommission_ix(
                &holder.pubkey(),
                unit,
                destroyed,
                reason_code,
            )],
        )
    }
}

// ---------------------------------------------------------------------------------------------
// Verification (DSCSA product identifier verification; read-only)
// ---------------------------------------------------------------------------------------------

/// The address of the unit or aggregate a scanned code identifies.
pub fn address_of(code: &crate::gs1::Gs1Code) -> Result<Pubkey> {
    if let Some(sscc) = &code.sscc {
        return Ok(sscc_pda(&parse_sscc(sscc)?).0);
    }
    match (&code.gtin, &code.serial) {
        (Some(gtin), Some(serial)) => Ok(unit_pda(&parse_gtin(gtin)?, serial).0),
        (Some(_), None) => Err(Error::invalid(
            "the code has a GTIN but no serial number (AI 21)",
        )),
        _ => Err(Error::invalid(
            "the code identifies neither a serialized unit (01+21) nor a case or pallet (00)",
        )),
    }
}

/// The outcome of verifying a scanned code. Everything but `Genuine` is a counterfeit or
/// diversion signal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Verification {
    /// Known, in good standing, held where expected.
    Genuine {
        unit: String,
        holder: String,
        status: &'static str,
        /// The case or pallet it travels in, if any.
        inside: Option<String>,
    },
    /// No unit was commissioned with this GTIN and serial (or SSCC).
    UnknownSerial {
        unit: String,
    },
    /// Nobody in the registry holds the GS1 company prefix of this GTIN or SSCC: no
    /// authorized company ever allocated it.
    UnknownPrefix {
        unit: String,
        code: String,
    },
    /// The label disagrees with the chain (lot or expiry): a relabelled or counterfeit pack.
    LabelMismatch {
        unit: String,
        field: &'static str,
    },
    LotRecalled {
        unit: String,
        lot: String,
        reason_code: u16,
    },
    Expired {
        unit: String,
        expired_on: String,
    },
    Quarantined {
        unit: String,
    },
    Illegitimate {
        unit: String,
    },
    AlreadyDispensed {
        unit: String,
    },
    Decommissioned {
        unit: String,
    },
    /// In good standing but held by someone else than the scanner expects (diversion).
    HeldByAnother {
        unit: String,
        holder: String,
        expected: String,
    },
}

impl Verification {
    pub fn is_genuine(&self) -> bool {
        matches!(self, Verification::Genuine { .. })
    }

    /// A short name of the outcome (`genuine`, `unknown_serial`, …).
    pub fn name(&self) -> &'static str {
        match self {
            Verification::Genuine { .. } => "genuine",
            Verification::UnknownSerial { .. } => "unknown_serial",
            Verification::UnknownPrefix { .. } => "unknown_prefix",
            Verification::LabelMismatch { .. } => "label_mismatch",
            Verification::LotRecalled { .. } => "lot_recalled",
            Verification::Expired { .. } => "expired",
            Verification::Quarantined { .. } => "quarantined",
            Verification::Illegitimate { .. } => "illegitimate",
            Verification::AlreadyDispensed { .. } => "already_dispensed",
            Verification::Decommissioned { .. } => "decommissioned",
            Verification::HeldByAnother { .. } => "held_by_another",
        }
    }
}

/// Verifies a scanned code against the ledger: is it a unit that was commissioned, does its
/// label match, is its lot released, is it unexpired, in good standing, and held by
/// `expected_holder` (when given; a packed unit is held by its top-most aggregate's holder)?
pub fn verify(
    ledger: &dyn Ledger,
    code: &crate::gs1::Gs1Code,
    expected_holder: Option<&Pubkey>,
) -> Result<Verification> {
    let address = address_of(code)?;
    let unit_s = address.to_string();
    let Some(unit) = fetch_unit(ledger, &address)? else {
        // Unknown: a serial nobody commissioned under a real company's prefix, or a code
        // under a prefix nobody holds.
        let key = code.sscc.as_ref().or(code.gtin.as_ref());
        if let Some(key) = key {
            if crate::registry::find_prefix(ledger, key.as_bytes())?.is_none() {
                return Ok(Verification::UnknownPrefix {
                    unit: unit_s,
                    code: key.clone(),
                });
            }
        }
        return Ok(Verification::UnknownSerial { unit: unit_s });
    };
    match unit.status {
        UnitStatus::Illegitimate => return Ok(Verification::Illegitimate { unit: unit_s }),
        UnitStatus::Dispensed => return Ok(Verification::AlreadyDispensed { unit: unit_s }),
        UnitStatus::Decommissioned | UnitStatus::Destroyed => {
            return Ok(Verification::Decommissioned { unit: unit_s })
        }
        _ => {}
    }
    let now = ledger.get_clock()?.unix_timestamp;
    if unit.kind == UnitKind::Item {
        if let (Some(gtin), Some(lot_number)) = (&code.gtin, &code.lot) {
            if let Ok(g) = parse_gtin(gtin) {
                if lot_pda(&g, lot_number).0 != unit.lot {
                    return Ok(Verification::LabelMismatch {
                        unit: unit_s,
                        field: "lot",
                    });
                }
            }
        }
        let lot = fetch_lot(ledger, &unit.lot)?.ok_or(Error::NotFound {
            kind: "lot",
            address: unit.lot,
        })?;
        if let Some(expiry) = code.expiry {
            let label = (expiry.year as u32) * 10_000 + expiry.month * 100 + expiry.day;
            if label != lot.expiry_date {
                return Ok(Verification::LabelMismatch {
                    unit: unit_s,
                    field: "expiry",
                });
            }
        }
        if lot.status == LotStatus::Recalled {
            return Ok(Verification::LotRecalled {
                unit: unit_s,
                lot: unit.lot.to_string(),
                reason_code: lot.recall_reason,
            });
        }
        if unit.is_expired(now) {
            let d = lot.expiry_date;
            return Ok(Verification::Expired {
                unit: unit_s,
                expired_on: format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100),
            });
        }
    }
    if unit.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit: unit_s });
    }
    let (top, top_unit) = top_most(ledger, &address)?.expect("the unit exists");
    if top_unit.status == UnitStatus::Quarantined {
        return Ok(Verification::Quarantined { unit: unit_s });
    }
    if let Some(expected) = expected_holder {
        if top_unit.holder != *expected {
            return Ok(Verification::HeldByAnother {
                unit: unit_s,
                holder: top_unit.holder.to_string(),
                expected: expected.to_string(),
            });
        }
    }
    Ok(Verification::Genuine {
        unit: unit_s,
        holder: top_unit.holder.to_string(),
        status: status_name(top_unit.status),
        inside: (top != address).then(|| top.to_string()),
    })
}
