//! A unit's custody history, rebuilt from the ledger's transaction history (events), and its
//! export as an **EPCIS 2.0 JSON-LD** document (GS1 CBV 2.0 vocabulary, GS1 Digital Link
//! identifiers).
//!
//! A unit packed in a case or pallet does not appear in the transactions that move its
//! aggregate, so its history includes the aggregate's hops between the unit's packing and
//! unpacking (recursively, for a case on a pallet).

use crate::custody::{self as cus, CustodyEvent};
use crate::events::CaretrailEvent;
use crate::gs1::Gs1Code;
use crate::ledger::Ledger;
use crate::Result;
use serde_json::Value;
use solana_sdk::{pubkey::Pubkey, signature::Signature};

/// EPCIS 2.0 JSON-LD context.
pub const EPCIS_CONTEXT: &str = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld";

/// One event of a unit's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    pub signature: Signature,
    pub slot: u64,
    pub event: CustodyEvent,
    /// The aggregate the unit travelled in, for hops of a case or pallet.
    pub via: Option<Pubkey>,
}

impl HistoryEvent {
    pub fn timestamp(&self) -> i64 {
        use CustodyEvent::*;
        match &self.event {
            LotRegistered(e) => e.timestamp,
            UnitsCommissioned(e) => e.timestamp,
            AggregateCreated(e) => e.timestamp,
            Packed(e) => e.timestamp,
            Unpacked(e) => e.timestamp,
            Shipped(e) => e.timestamp,
            Received(e) => e.timestamp,
            Refused(e) => e.timestamp,
            ShipmentCancelled(e) => e.timestamp,
            SuspectFlagged(e) => e.timestamp,
            SuspectCleared(e) => e.timestamp,
            DeclaredIllegitimate(e) => e.timestamp,
            LotRecalled(e) => e.timestamp,
            Dispensed(e) => e.timestamp,
            Decommissioned(e) => e.timestamp,
            StorageConditionSet(e) => e.timestamp,
            SensorRecorded(e) => e.timestamp,
            PackageTreeCreated(e) => e.timestamp,
            PackagesCommissioned(e) => e.timestamp,
            PackageShipped(e) => e.timestamp,
            PackageHopCompleted(e) => e.timestamp,
            PackagesUnpacked(e) => e.timestamp,
            PackageDispensed(e) => e.timestamp,
            AggregateClosed(e) => e.timestamp,
            PackageStatusChanged(e) => e.timestamp,
            PackageShipmentCancelled(e) => e.timestamp,
            PackageSensorRecorded(e) => e.timestamp,
        }
    }

    /// Who acted, in words: `manufacturer X`, `from X to Y`, `by X`, `dispenser X`.
    pub fn parties(&self) -> String {
        use CustodyEvent::*;
        match &self.event {
            LotRegistered(e) => format!("manufacturer {}", e.manufacturer),
            UnitsCommissioned(e) => format!("manufacturer {}", e.manufacturer),
            AggregateCreated(e) => format!("by {}", e.by),
            Packed(e) => format!("by {}", e.by),
            Unpacked(e) => format!("by {}", e.by),
            Shipped(e) => format!("from {} to {}", e.from, e.to),
            Received(e) => format!("from {} to {}", e.from, e.to),
            Refused(e) => format!("from {} to {}", e.from, e.to),
            ShipmentCancelled(e) => format!("from {} to {}", e.from, e.to),
            SuspectFlagged(e) => format!("by {}", e.by),
            SuspectCleared(e) => format!("by {}", e.by),
            DeclaredIllegitimate(e) => format!("by {}", e.by),
            LotRecalled(e) => format!("by {}", e.by),
            Dispensed(e) => format!("dispenser {}", e.dispenser),
            Decommissioned(e) => format!("by {}", e.by),
            StorageConditionSet(e) => format!("manufacturer {}", e.by),
            SensorRecorded(e) => format!("by {}", e.by),
            PackageTreeCreated(e) => format!("manufacturer {}", e.manufacturer),
            PackagesCommissioned(e) => format!("manufacturer {}", e.manufacturer),
            PackageShipped(e) => format!("from {} to {}", e.from, e.to),
            PackageHopCompleted(e) => format!("from {} to {}", e.from, e.to),
            PackagesUnpacked(e) => format!("by {}", e.by),
            PackageDispensed(e) => format!("dispenser {}", e.dispenser),
            AggregateClosed(e) => format!("by {}", e.by),
            PackageStatusChanged(e) => format!("by {}", e.by),
            PackageShipmentCancelled(e) => format!("from {} to {}", e.from, e.to),
            PackageSensorRecorded(e) => format!("by {}", e.by),
        }
    }
}

fn concerns(event: &CustodyEvent, unit: &Pubkey) -> bool {
    use CustodyEvent::*;
    match event {
        UnitsCommissioned(e) => e.units.contains(unit),
        AggregateCreated(e) => e.unit == *unit,
        Packed(e) => e.parent == *unit || e.children.contains(unit),
        Unpacked(e) => e.parent == *unit || e.children.contains(unit),
        Shipped(e) => e.unit == *unit,
        Received(e) => e.unit == *unit,
        Refused(e) => e.unit == *unit,
        ShipmentCancelled(e) => e.unit == *unit,
        SuspectFlagged(e) => e.unit == *unit,
        SuspectCleared(e) => e.unit == *unit,
        DeclaredIllegitimate(e) => e.unit == *unit,
        Dispensed(e) => e.unit == *unit,
        Decommissioned(e) => e.unit == *unit,
        SensorRecorded(e) => e.unit == *unit,
        AggregateClosed(e) => e.unit == *unit,
        LotRegistered(_) | LotRecalled(_) | StorageConditionSet(_) => false,
        // Compressed packages have no unit address; their history is their tree's
        // (`packages::PackageTreeIndex`).
        PackageTreeCreated(_)
        | PackagesCommissioned(_)
        | PackageShipped(_)
        | PackageHopCompleted(_)
        | PackagesUnpacked(_)
        | PackageDispensed(_)
        | PackageStatusChanged(_)
        | PackageShipmentCancelled(_)
        | PackageSensorRecorded(_) => false,
    }
}

/// The custody events of `address` itself, oldest first (a compressed package's events are
/// read as the unit events they stand for, see [`as_unit_events`]).
pub(crate) fn own_events(ledger: &dyn Ledger, address: &Pubkey) -> Result<Vec<HistoryEvent>> {
    events_concerning(ledger, address, address, &|_| true)
}

/// The events of `source`'s transactions that concern `address`, as unit events; `keep`
/// chooses the compressed packages (by serial hash) worth translating.
fn events_concerning(
    ledger: &dyn Ledger,
    source: &Pubkey,
    address: &Pubkey,
    keep: &dyn Fn(&[u8; 32]) -> bool,
) -> Result<Vec<HistoryEvent>> {
    let mut out = Vec::new();
    for record in ledger.transactions_for_address(source, usize::MAX)? {
        for e in as_unit_events(record.events(), keep) {
            if concerns(&e, address) {
                out.push(HistoryEvent {
                    signature: record.signature,
                    slot: record.slot,
                    event: e,
                    via: None,
                });
            }
        }
    }
    Ok(out)
}

/// The address a compressed package stands under in custody histories and EPCIS documents:
/// the one its `Unit` account would have (`["unit", serial hash]`), which
/// [`address_of`](cus::address_of) gives for its code.
pub fn package_key(serial_hash: &[u8; 32]) -> Pubkey {
    Pubkey::find_program_address(
        &[custody::constants::SEED_UNIT, serial_hash],
        &cus::PROGRAM_ID,
    )
    .0
}

/// One transaction's custody events with each compressed package's event read as the unit
/// event it stands for, under [`package_key`]: commissioning (and, straight into a case,
/// packing), shipping, receipt, refusal, cancellation, unpacking, dispensing, quarantine and
/// its end, decommissioning, and the logger summary of a receipt. Only packages whose serial
/// hash `keep` accepts are translated; unit events pass unchanged.
pub fn as_unit_events(
    events: Vec<CaretrailEvent>,
    keep: &dyn Fn(&[u8; 32]) -> bool,
) -> Vec<CustodyEvent> {
    use custody::events::PackageAction;
    use CustodyEvent::*;
    let custody: Vec<CustodyEvent> = events
        .into_iter()
        .filter_map(|e| match e {
            CaretrailEvent::Custody(c) => Some(c),
            _ => None,
        })
        .collect();
    // A receipt's logger summary names the leaf; the receipt in the same transaction names
    // its serial hash.
    let serial_of = |tree: &Pubkey, index: u32| {
        custody.iter().find_map(|e| match e {
            PackageHopCompleted(h) if h.tree == *tree && h.index == index => {
                Some(h.leaf.serial_hash)
            }
            _ => None,
        })
    };
    let mut out = Vec::with_capacity(custody.len());
    for e in &custody {
        let key = |hash: &[u8; 32]| keep(hash).then(|| package_key(hash));
        match e {
            PackagesCommissioned(c) => {
                let units: Vec<Pubkey> = c.serial_hashes.iter().filter_map(key).collect();
                if units.is_empty() {
                    continue;
                }
                out.push(UnitsCommissioned(custody::events::UnitsCommissioned {
                    lot: c.lot,
                    manufacturer: c.manufacturer,
                    units: units.clone(),
                    timestamp: c.timestamp,
                }));
                if c.parent != Pubkey::default() {
                    out.push(Packed(custody::events::Packed {
                        parent: c.parent,
                        children: units,
                        by: c.manufacturer,
                        timestamp: c.timestamp,
                    }));
                }
            }
            PackageShipped(p) => {
                if let Some(unit) = key(&p.leaf.serial_hash) {
                    out.push(Shipped(custody::events::Shipped {
                        unit,
                        hop: p.hop,
                        index: p.leaf.hop_count,
                        from: p.from,
                        to: p.to,
                        read_point: p.read_point,
                        shipment_ref: p.shipment_ref,
                        is_return: p.is_return,
                        timestamp: p.timestamp,
                    }));
                }
            }
            PackageHopCompleted(h) => {
                let Some(unit) = key(&h.leaf.serial_hash) else {
                    continue;
                };
                out.push(if h.received {
                    Received(custody::events::Received {
                        unit,
                        hop: h.hop,
                        index: h.hop_index,
                        from: h.from,
                        to: h.to,
                        chain_head: h.leaf.chain_head,
                        timestamp: h.timestamp,
                    })
                } else {
                    Refused(custody::events::Refused {
                        unit,
                        hop: h.hop,
                        index: h.hop_index,
                        from: h.from,
                        to: h.to,
                        reason_code: h.reason_code,
                        chain_head: h.leaf.chain_head,
                        timestamp: h.timestamp,
                    })
                });
            }
            PackageShipmentCancelled(c) => {
                if let Some(unit) = key(&c.leaf.serial_hash) {
                    out.push(ShipmentCancelled(custody::events::ShipmentCancelled {
                        unit,
                        hop: c.hop,
                        index: c.hop_index,
                        from: c.from,
                        to: c.to,
                        chain_head: c.leaf.chain_head,
                        timestamp: c.timestamp,
                    }));
                }
            }
            PackagesUnpacked(u) => {
                let children: Vec<Pubkey> = u
                    .leaves
                    .iter()
                    .filter_map(|l| key(&l.serial_hash))
                    .collect();
                if !children.is_empty() {
                    out.push(Unpacked(custody::events::Unpacked {
                        parent: u.parent,
                        children,
                        by: u.by,
                        timestamp: u.timestamp,
                    }));
                }
            }
            PackageDispensed(d) => {
                if let Some(unit) = key(&d.leaf.serial_hash) {
                    out.push(Dispensed(custody::events::Dispensed {
                        unit,
                        dispenser: d.dispenser,
                        timestamp: d.timestamp,
                    }));
                }
            }
            PackageStatusChanged(c) => {
                let Some(unit) = key(&c.leaf.serial_hash) else {
                    continue;
                };
                let (by, reason_code, timestamp) = (c.by, c.reason_code, c.timestamp);
                out.push(match c.action {
                    PackageAction::Flagged => SuspectFlagged(custody::events::SuspectFlagged {
                        unit,
                        by,
                        reason_code,
                        timestamp,
                    }),
                    PackageAction::Cleared => SuspectCleared(custody::events::SuspectCleared {
                        unit,
                        by,
                        timestamp,
                    }),
                    PackageAction::DeclaredIllegitimate => {
                        DeclaredIllegitimate(custody::events::DeclaredIllegitimate {
                            unit,
                            by,
                            reason_code,
                            timestamp,
                        })
                    }
                    PackageAction::Decommissioned | PackageAction::Destroyed => {
                        Decommissioned(custody::events::Decommissioned {
                            unit,
                            by,
                            destroyed: c.action == PackageAction::Destroyed,
                            reason_code,
                            timestamp,
                        })
                    }
                });
            }
            PackageSensorRecorded(r) => {
                let Some(unit) = serial_of(&r.tree, r.index).and_then(|h| key(&h)) else {
                    continue;
                };
                out.push(SensorRecorded(custody::events::SensorRecorded {
                    unit,
                    index: r.hop_index,
                    stage: 1,
                    by: r.by,
                    min_centi_celsius: r.min_centi_celsius,
                    max_centi_celsius: r.max_centi_celsius,
                    mean_centi_celsius: r.mean_centi_celsius,
                    minutes_outside: r.minutes_outside,
                    readings: r.readings,
                    logger_hash: r.logger_hash,
                    storage: r.storage,
                    excursion: r.excursion,
                    timestamp: r.timestamp,
                }));
            }
            PackageTreeCreated(_) => {}
            other => out.push(other.clone()),
        }
    }
    out
}

/// The custody history of what `code` names, oldest first: a unit, case or pallet
/// ([`unit_history`]) or a compressed package ([`package_history`]), under the code's address;
/// `None` when nothing with this code was ever commissioned.
pub fn history_of(ledger: &dyn Ledger, code: &Gs1Code) -> Result<Option<Vec<HistoryEvent>>> {
    let address = cus::address_of(code)?;
    if cus::fetch_unit(ledger, &address)?.is_some() {
        return unit_history(ledger, &address).map(Some);
    }
    let Some(found) = cus::find_compressed_quietly(ledger, code)? else {
        return Ok(None);
    };
    let lot = cus::fetch_tree(ledger, &found.tree)?
        .ok_or_else(|| crate::Error::not_found("package tree", found.tree))?
        .lot;
    package_history(ledger, &found.tree, &found.leaf.serial_hash, &lot).map(Some)
}

/// The full custody history of the compressed package with `serial_hash` in `tree` (of
/// `lot`), as [`unit_history`] gives a unit's, under its [`package_key`]: its events from the
/// tree's history, the hops of the case or pallet it travelled in, the recall of its lot.
pub fn package_history(
    ledger: &dyn Ledger,
    tree: &Pubkey,
    serial_hash: &[u8; 32],
    lot: &Pubkey,
) -> Result<Vec<HistoryEvent>> {
    let own = package_own_events(ledger, tree, serial_hash)?;
    with_travels(ledger, &package_key(serial_hash), own, 0, Some(*lot))
}

/// The compressed package's own events (as [`own_events`] gives a unit's), from its tree's
/// history.
pub(crate) fn package_own_events(
    ledger: &dyn Ledger,
    tree: &Pubkey,
    serial_hash: &[u8; 32],
) -> Result<Vec<HistoryEvent>> {
    events_concerning(ledger, tree, &package_key(serial_hash), &|h| {
        h == serial_hash
    })
}

/// The full custody history of a unit or aggregate, oldest first: its own events, the hops of
/// the aggregates it travelled in while packed, and the recall of its lot.
pub fn unit_history(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Vec<HistoryEvent>> {
    history_at_depth(ledger, unit, 0)
}

fn history_at_depth(ledger: &dyn Ledger, unit: &Pubkey, depth: usize) -> Result<Vec<HistoryEvent>> {
    let own = own_events(ledger, unit)?;
    let lot = match depth {
        0 => cus::fetch_unit(ledger, unit)?
            .filter(|u| u.kind == cus::UnitKind::Item)
            .map(|u| u.lot),
        _ => None,
    };
    with_travels(ledger, unit, own, depth, lot)
}

/// `own` events of `unit` with the hops of the aggregates it travelled in while packed, and
/// the recall of `lot`.
fn with_travels(
    ledger: &dyn Ledger,
    unit: &Pubkey,
    own: Vec<HistoryEvent>,
    depth: usize,
    lot: Option<Pubkey>,
) -> Result<Vec<HistoryEvent>> {
    let mut out = Vec::with_capacity(own.len());
    for ev in own {
        let packed_into = match &ev.event {
            CustodyEvent::Packed(p) if p.children.contains(unit) => Some(p.parent),
            _ => None,
        };
        out.push(ev.clone());
        if let (Some(parent), true) = (packed_into, depth < 3) {
            // The parent's moves from this packing until the unit's unpacking.
            let parent_history = history_at_depth(ledger, &parent, depth + 1)?;
            let start = parent_history
                .iter()
                .position(|p| p.signature == ev.signature)
                .map(|i| i + 1)
                .unwrap_or(0);
            for p in &parent_history[start..] {
                if matches!(&p.event, CustodyEvent::Unpacked(u) if u.children.contains(unit)) {
                    break;
                }
                if matches!(
                    p.event,
                    CustodyEvent::Shipped(_)
                        | CustodyEvent::Received(_)
                        | CustodyEvent::Refused(_)
                        | CustodyEvent::ShipmentCancelled(_)
                ) {
                    out.push(HistoryEvent {
                        via: p.via.or(Some(parent)),
                        ..p.clone()
                    });
                }
            }
        }
    }
    // The recall of the unit's lot.
    if let Some(lot) = lot {
        for record in ledger.transactions_for_address(&lot, usize::MAX)? {
            for event in record.events() {
                if let CaretrailEvent::Custody(CustodyEvent::LotRecalled(r)) = event {
                    let ev = HistoryEvent {
                        signature: record.signature,
                        slot: record.slot,
                        event: CustodyEvent::LotRecalled(r),
                        via: None,
                    };
                    let at = out
                        .iter()
                        .position(|e| e.timestamp() > ev.timestamp())
                        .unwrap_or(out.len());
                    out.insert(at, ev);
                }
            }
        }
    }
    Ok(out)
}

/// Percent-encodes a Digital Link path segment.
pub(crate) fn encode_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The GS1 Digital Link URI of a scanned unit or aggregate (`https://id.gs1.org/…`).
pub fn digital_link(code: &Gs1Code) -> Option<String> {
    if let Some(sscc) = &code.sscc {
        return Some(format!("https://id.gs1.org/00/{sscc}"));
    }
    Some(format!(
        "https://id.gs1.org/01/{}/21/{}",
        code.gtin.as_ref()?,
        encode_segment(code.serial.as_ref()?)
    ))
}

/// An EPCIS 2.0 JSON-LD document of a unit's history (see
/// [`epcis_export::unit_document`](crate::custody::epcis_export::unit_document), which also
/// writes it as EPCIS 1.2 XML). `code` is the scanned code of the unit (the chain only knows
/// the hash of its serial, so the exporter needs the code to name the EPC; a lot number on the
/// code goes into the commissioning event's ILMD).
pub fn export_unit_history(ledger: &dyn Ledger, code: &Gs1Code) -> Result<Value> {
    let master = crate::custody::master_data::MasterData::default();
    Ok(crate::custody::epcis_export::unit_document(ledger, code, &master)?.to_json_ld())
}

/// A completed hop of a unit, as its events keep it (the `Hop` account closes when the hop
/// completes): `Shipped` carries what it was, `Received` / `Refused` / `ShipmentCancelled`
/// how and when it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedHop {
    pub index: u32,
    pub status: cus::HopStatus,
    pub from: Pubkey,
    pub to: Pubkey,
    pub shipped_at: i64,
    pub received_at: i64,
    pub read_point: [u8; registry::constants::GLN_LEN],
    pub shipment_ref: [u8; 16],
}

impl CompletedHop {
    /// The next custody chain head after this hop (`Hop::chain`).
    pub fn chain(&self, previous: &[u8; 32]) -> [u8; 32] {
        custody::state::hop::chain_hop(
            previous,
            self.index,
            &custody::state::hop::HopContent {
                status: self.status,
                from: self.from,
                to: self.to,
                shipped_at: self.shipped_at,
                received_at: self.received_at,
                read_point: self.read_point,
                shipment_ref: self.shipment_ref,
            },
        )
    }
}

/// The completed hops of `unit` itself (not those it made inside a case or pallet), oldest
/// first, rebuilt from its history.
pub fn completed_hops(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Vec<CompletedHop>> {
    use CustodyEvent::*;
    let mut shipped: Vec<custody::events::Shipped> = Vec::new();
    let mut out = Vec::new();
    for h in own_events(ledger, unit)? {
        let (index, status, at) = match &h.event {
            Shipped(e) if e.unit == *unit => {
                shipped.push(e.clone());
                continue;
            }
            Received(e) if e.unit == *unit => (e.index, cus::HopStatus::Received, e.timestamp),
            Refused(e) if e.unit == *unit => (e.index, cus::HopStatus::Refused, e.timestamp),
            ShipmentCancelled(e) if e.unit == *unit => {
                (e.index, cus::HopStatus::Cancelled, e.timestamp)
            }
            _ => continue,
        };
        let Some(s) = shipped.iter().rev().find(|s| s.index == index) else {
            return Err(crate::Error::invalid(format!(
                "hop {index} of {unit} completed but its shipment is not in the history"
            )));
        };
        out.push(CompletedHop {
            index,
            status,
            from: s.from,
            to: s.to,
            shipped_at: s.timestamp,
            received_at: at,
            read_point: s.read_point,
            shipment_ref: s.shipment_ref,
        });
    }
    Ok(out)
}

/// The chain head over `hops` from the zero head (a unit that was never packed: unpacking
/// folds its aggregate's chain in as well).
pub fn chain_of(hops: &[CompletedHop]) -> [u8; 32] {
    hops.iter().fold([0; 32], |head, hop| hop.chain(&head))
}
