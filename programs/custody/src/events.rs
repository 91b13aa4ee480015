//! Custody events: one per state change, carrying what an EPCIS 2.0 exporter needs (event
//! kind, parties, time, unit ids, read point, shipment reference). Unit ids are the unit PDAs;
//! the serial itself is never emitted (an exporter that was given the scanned code re-derives
//! the EPC).

use anchor_lang::prelude::*;
use registry::constants::GLN_LEN;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotRegistered {
    pub lot: Pubkey,
    pub gtin: [u8; 14],
    pub lot_hash: [u8; 32],
    pub manufacturer: Pubkey,
    pub expiry_date: u32,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent ADD, bizStep commissioning, disposition active.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitsCommissioned {
    pub lot: Pubkey,
    pub manufacturer: Pubkey,
    pub units: Vec<Pubkey>,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent ADD of an SSCC (a case or pallet came into being).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateCreated {
    pub unit: Pubkey,
    pub sscc: [u8; 18],
    pub kind: u8,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// EPCIS AggregationEvent ADD, bizStep packing.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub parent: Pubkey,
    pub children: Vec<Pubkey>,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// EPCIS AggregationEvent DELETE, bizStep unpacking.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    pub parent: Pubkey,
    pub children: Vec<Pubkey>,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent OBSERVE, bizStep shipping, disposition in_transit.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipped {
    pub unit: Pubkey,
    pub hop: Pubkey,
    pub index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    pub read_point: [u8; GLN_LEN],
    pub shipment_ref: [u8; 16],
    pub is_return: bool,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent OBSERVE, bizStep receiving (or returning for a saleable return),
/// disposition sellable_accessible.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub unit: Pubkey,
    pub hop: Pubkey,
    pub index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    pub chain_head: [u8; 32],
    pub timestamp: i64,
}

/// The receiver refused the shipment; custody stays with the sender.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub unit: Pubkey,
    pub hop: Pubkey,
    pub index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    pub reason_code: u16,
    pub chain_head: [u8; 32],
    pub timestamp: i64,
}

/// The sender took back a shipment its receiver never answered (after the timeout).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentCancelled {
    pub unit: Pubkey,
    pub hop: Pubkey,
    pub index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    pub chain_head: [u8; 32],
    pub timestamp: i64,
}

/// DSCSA suspect product: quarantined (EPCIS bizStep holding, disposition non_sellable_other).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectFlagged {
    pub unit: Pubkey,
    pub by: Pubkey,
    pub reason_code: u16,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuspectCleared {
    pub unit: Pubkey,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// DSCSA illegitimate product (terminal).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredIllegitimate {
    pub unit: Pubkey,
    pub by: Pubkey,
    pub reason_code: u16,
    pub timestamp: i64,
}

/// EPCIS disposition recalled for every unit of the lot.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotRecalled {
    pub lot: Pubkey,
    pub by: Pubkey,
    pub reason_code: u16,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent, bizStep dispensing, disposition dispensed (terminal).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dispensed {
    pub unit: Pubkey,
    pub dispenser: Pubkey,
    pub timestamp: i64,
}

/// EPCIS bizStep decommissioning or destroying (terminal).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decommissioned {
    pub unit: Pubkey,
    pub by: Pubkey,
    pub destroyed: bool,
    pub reason_code: u16,
    pub timestamp: i64,
}

/// A lot's storage condition was set (or changed) by its manufacturer.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageConditionSet {
    pub lot: Pubkey,
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    pub tolerated_minutes: u32,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// A temperature logger's summary recorded with a hop: at shipping (`stage` 0, by the sender)
/// or at receipt (`stage` 1, by the receiver, checked against `storage`'s range: `excursion`
/// quarantined the unit). EPCIS 2.0 `sensorElementList`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SensorRecorded {
    pub unit: Pubkey,
    pub index: u32,
    pub stage: u8,
    pub by: Pubkey,
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    pub mean_centi_celsius: i16,
    pub minutes_outside: u32,
    pub readings: u32,
    pub logger_hash: [u8; 32],
    /// The storage condition checked (default when the lot has none).
    pub storage: Pubkey,
    pub excursion: bool,
    pub timestamp: i64,
}

/// A package tree was created for a lot (compressed packages, `state::package_tree`).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageTreeCreated {
    pub tree: Pubkey,
    pub lot: Pubkey,
    pub manufacturer: Pubkey,
    pub capacity: u32,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent ADD, bizStep commissioning: leaves `first_index ..` of `tree` are the
/// packages with these serial hashes, active and held by the manufacturer (each leaf is
/// `PackageLeaf::commissioned(serial_hash, manufacturer, parent, timestamp)`), packed in
/// `parent` when it is not the default (EPCIS AggregationEvent ADD). With the tree's other
/// events this rebuilds the tree off chain.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagesCommissioned {
    pub tree: Pubkey,
    pub lot: Pubkey,
    pub manufacturer: Pubkey,
    pub parent: Pubkey,
    pub first_index: u32,
    pub serial_hashes: Vec<[u8; 32]>,
    pub timestamp: i64,
}

/// A compressed package was shipped: leaf `index` of `tree` is now `leaf` (in transit).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageShipped {
    pub tree: Pubkey,
    pub index: u32,
    pub hop: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
    pub read_point: [u8; GLN_LEN],
    pub shipment_ref: [u8; 16],
    pub is_return: bool,
    pub leaf: crate::state::PackageLeaf,
    pub timestamp: i64,
}

/// A compressed package's pending hop completed (`received` true: received, else refused) and
/// closed, its rent returned to its payer: leaf `index` of `tree` is now `leaf`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageHopCompleted {
    pub tree: Pubkey,
    pub index: u32,
    pub hop: Pubkey,
    pub hop_index: u32,
    pub received: bool,
    pub reason_code: u16,
    pub from: Pubkey,
    pub to: Pubkey,
    pub leaf: crate::state::PackageLeaf,
    pub timestamp: i64,
}

/// EPCIS AggregationEvent DELETE: compressed packages unpacked from `parent` by its holder;
/// leaf `indices[i]` of `tree` is now `leaves[i]`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackagesUnpacked {
    pub tree: Pubkey,
    pub parent: Pubkey,
    pub indices: Vec<u32>,
    pub leaves: Vec<crate::state::PackageLeaf>,
    pub by: Pubkey,
    pub timestamp: i64,
}

/// EPCIS ObjectEvent, bizStep dispensing (terminal): leaf `index` of `tree` is now `leaf`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageDispensed {
    pub tree: Pubkey,
    pub index: u32,
    pub dispenser: Pubkey,
    pub leaf: crate::state::PackageLeaf,
    pub timestamp: i64,
}

/// An emptied case or pallet was closed by its holder; its rent went to `rent_to`, the holder
/// of its SSCC's GS1 Company Prefix. `chain_head` is its custody chain at the end.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateClosed {
    pub unit: Pubkey,
    pub sscc: [u8; 18],
    pub by: Pubkey,
    pub rent_to: Pubkey,
    pub chain_head: [u8; 32],
    pub timestamp: i64,
}

/// What happened to a compressed package in a [`PackageStatusChanged`].
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PackageAction {
    /// Quarantined as suspect (EPCIS disposition `non_sellable_other`, DSCSA suspect product).
    Flagged,
    /// The suspicion cleared: the status before it is restored.
    Cleared,
    /// Declared illegitimate (terminal).
    DeclaredIllegitimate,
    /// Taken out of the supply chain (terminal; EPCIS bizStep decommissioning).
    Decommissioned,
    /// Destroyed (terminal; EPCIS bizStep destroying).
    Destroyed,
}

/// A compressed package's status changed by `by`: leaf `index` of `tree` is now `leaf`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageStatusChanged {
    pub tree: Pubkey,
    pub index: u32,
    pub action: PackageAction,
    pub by: Pubkey,
    pub reason_code: u16,
    pub leaf: crate::state::PackageLeaf,
    pub timestamp: i64,
}

/// A compressed package's shipment taken back by its sender after the timeout; the hop closed,
/// its rent returned: leaf `index` of `tree` is now `leaf`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageShipmentCancelled {
    pub tree: Pubkey,
    pub index: u32,
    pub hop: Pubkey,
    pub hop_index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    pub leaf: crate::state::PackageLeaf,
    pub timestamp: i64,
}

/// A temperature logger's summary recorded with the receipt of a compressed package (leaf
/// `index` of `tree`, its hop `hop_index`), checked against `storage`'s range: `excursion`
/// quarantined the package. EPCIS 2.0 `sensorElementList`.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageSensorRecorded {
    pub tree: Pubkey,
    pub index: u32,
    pub hop_index: u32,
    pub by: Pubkey,
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    pub mean_centi_celsius: i16,
    pub minutes_outside: u32,
    pub readings: u32,
    pub logger_hash: [u8; 32],
    /// The storage condition checked (default when the lot has none).
    pub storage: Pubkey,
    pub excursion: bool,
    pub timestamp: i64,
}
