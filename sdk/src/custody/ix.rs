//! Instruction builders.

use super::*;

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
    fee_payer: &Pubkey,
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
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::RegisterLot { args }.data(),
    )
}

/// Commissions the units whose serial hashes are given (each unit PDA is derived here).
pub fn commission_units_ix(
    manufacturer: &Pubkey,
    fee_payer: &Pubkey,
    lot: &Pubkey,
    serial_hashes: Vec<[u8; 32]>,
) -> Instruction {
    let mut accounts = custody::accounts::CommissionUnits {
        lot: *lot,
        manufacturer: *manufacturer,
        manufacturer_participant: participant_pda(manufacturer).0,
        payer: *fee_payer,
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
    fee_payer: &Pubkey,
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
            payer: *fee_payer,
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
/// A shipment of one top-level unit (item, case or pallet) from its holder to a registered
/// trading partner, as hop `hop_index` of the unit.
#[derive(Debug, Clone)]
pub struct Shipment<'a> {
    pub sender: &'a Pubkey,
    pub receiver: &'a Pubkey,
    pub unit: &'a Pubkey,
    pub hop_index: u32,
    /// The item's lot (`None` for a case or pallet).
    pub lot: Option<Pubkey>,
    pub args: ShipArgs,
}

/// `ship` of `shipment`, fees and the hop's rent paid by `fee_payer`.
pub fn ship_ix(fee_payer: &Pubkey, shipment: &Shipment) -> Instruction {
    let Shipment {
        sender,
        receiver,
        unit,
        hop_index,
        lot,
        ref args,
    } = *shipment;
    let args = args.clone();
    ix(
        custody::accounts::Ship {
            unit: *unit,
            hop: hop_pda(unit, hop_index).0,
            sender: *sender,
            sender_participant: participant_pda(sender).0,
            receiver_participant: participant_pda(receiver).0,
            lot,
            payer: *fee_payer,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::Ship { args }.data(),
    )
}

/// The pending hop `hop_index` of a unit, and who paid its rent (`Hop::payer`, which gets it
/// back when the hop closes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PendingHop<'a> {
    pub unit: &'a Pubkey,
    pub hop_index: u32,
    pub payer: &'a Pubkey,
}

fn receive_accounts(receiver: &Pubkey, hop: &PendingHop, lot: Option<Pubkey>) -> Vec<AccountMeta> {
    custody::accounts::Receive {
        unit: *hop.unit,
        hop: hop_pda(hop.unit, hop.hop_index).0,
        hop_payer: *hop.payer,
        receiver: *receiver,
        receiver_participant: participant_pda(receiver).0,
        lot,
    }
    .to_account_metas(None)
}

pub fn receive_ix(receiver: &Pubkey, hop: &PendingHop, lot: Option<Pubkey>) -> Instruction {
    ix(
        receive_accounts(receiver, hop, lot),
        custody::instruction::Receive {}.data(),
    )
}

pub fn refuse_ix(receiver: &Pubkey, hop: &PendingHop, reason_code: u16) -> Instruction {
    ix(
        receive_accounts(receiver, hop, None),
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
pub fn cancel_shipment_ix(sender: &Pubkey, hop: &PendingHop) -> Instruction {
    ix(
        custody::accounts::CancelShipment {
            unit: *hop.unit,
            hop: hop_pda(hop.unit, hop.hop_index).0,
            hop_payer: *hop.payer,
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

/// `["storage", lot]`: the lot's storage condition.
pub fn storage_pda(lot: &Pubkey) -> (Pubkey, u8) {
    Pubkey::find_program_address(
        &[custody::constants::SEED_STORAGE, lot.as_ref()],
        &PROGRAM_ID,
    )
}

pub fn set_storage_condition_ix(
    manufacturer: &Pubkey,
    lot: &Pubkey,
    args: custody::StorageConditionArgs,
) -> Instruction {
    ix(
        custody::accounts::SetStorageCondition {
            lot: *lot,
            storage: storage_pda(lot).0,
            manufacturer: *manufacturer,
            manufacturer_participant: participant_pda(manufacturer).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None),
        custody::instruction::SetStorageCondition { args }.data(),
    )
}

/// The sender's logger summary with the pending hop `hop_index` of `unit`.
pub fn record_sensor_ix(
    sender: &Pubkey,
    unit: &Pubkey,
    hop_index: u32,
    summary: SensorSummary,
) -> Instruction {
    ix(
        custody::accounts::RecordSensor {
            unit: *unit,
            hop: hop_pda(unit, hop_index).0,
            sender: *sender,
        }
        .to_account_metas(None),
        custody::instruction::RecordSensor { summary }.data(),
    )
}

/// Which storage condition a receipt with a sensor summary is checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Governing {
    /// An item: its own lot's.
    Item { lot: Pubkey },
    /// A case or pallet: that of the lot of the item `path` leads to (aggregate → … → item,
    /// each packed in the one before).
    Inside { path: Vec<Pubkey>, lot: Pubkey },
    /// A case or pallet carrying compressed packages: that of the lot of the proven package
    /// of `tree`, packed in the aggregate (`case` None) or in `case`, packed in it.
    Package {
        tree: Pubkey,
        case: Option<Pubkey>,
        package: Box<super::PackageProof>,
        lot: Pubkey,
    },
    /// A case or pallet received without naming a lot inside: nothing is checked.
    Nothing,
}

/// The addressee receives `unit` (pending hop `hop_index`) with its logger's summary.
pub fn receive_with_sensor_ix(
    receiver: &Pubkey,
    hop: &PendingHop,
    governing: &Governing,
    summary: SensorSummary,
) -> Instruction {
    let unit = hop.unit;
    if let Governing::Package {
        tree,
        case,
        package,
        lot,
    } = governing
    {
        let mut accounts = custody::accounts::ReceiveWithPackageSensor {
            unit: *unit,
            hop: hop_pda(unit, hop.hop_index).0,
            hop_payer: *hop.payer,
            receiver: *receiver,
            receiver_participant: participant_pda(receiver).0,
            tree: *tree,
            storage: storage_pda(lot).0,
            quarantine: quarantine_pda(unit).0,
            system_program: anchor_lang::system_program::ID,
        }
        .to_account_metas(None);
        accounts.extend(case.iter().map(|k| AccountMeta::new_readonly(*k, false)));
        return ix(
            accounts,
            custody::instruction::ReceiveWithPackageSensor {
                package: (**package).clone(),
                summary,
            }
            .data(),
        );
    }
    let (lot, storage, path) = match governing {
        Governing::Item { lot } => (Some(*lot), storage_pda(lot).0, vec![]),
        Governing::Package { .. } => unreachable!("handled above"),
        Governing::Inside { path, lot } => (None, storage_pda(lot).0, path.clone()),
        Governing::Nothing => (None, anchor_lang::system_program::ID, vec![]),
    };
    let mut accounts = custody::accounts::ReceiveWithSensor {
        unit: *unit,
        hop: hop_pda(unit, hop.hop_index).0,
        hop_payer: *hop.payer,
        receiver: *receiver,
        receiver_participant: participant_pda(receiver).0,
        lot,
        storage,
        quarantine: quarantine_pda(unit).0,
        system_program: anchor_lang::system_program::ID,
    }
    .to_account_metas(None);
    accounts.extend(path.iter().map(|k| AccountMeta::new_readonly(*k, false)));
    ix(
        accounts,
        custody::instruction::ReceiveWithSensor { summary }.data(),
    )
}

/// The holder closes the emptied case or pallet `sscc`; the rent goes to `prefix_holder`, the
/// holder of the SSCC's company prefix (`company_prefix`, see [`crate::registry::find_prefix`]).
pub fn close_aggregate_ix(
    holder: &Pubkey,
    sscc: [u8; SSCC_LEN],
    company_prefix: &Pubkey,
    prefix_holder: &Pubkey,
) -> Instruction {
    ix(
        custody::accounts::CloseAggregate {
            aggregate: sscc_pda(&sscc).0,
            company_prefix: *company_prefix,
            prefix_holder: *prefix_holder,
            holder: *holder,
        }
        .to_account_metas(None),
        custody::instruction::CloseAggregate { sscc }.data(),
    )
}
