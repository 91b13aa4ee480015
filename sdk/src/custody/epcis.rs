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

/// The custody events of `address` itself, oldest first.
pub(crate) fn own_events(ledger: &dyn Ledger, address: &Pubkey) -> Result<Vec<HistoryEvent>> {
    let mut out = Vec::new();
    for record in ledger.transactions_for_address(address, usize::MAX)? {
        for event in record.events() {
            if let CaretrailEvent::Custody(e) = event {
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
    }
    Ok(out)
}

/// The full custody history of a unit or aggregate, oldest first: its own events, the hops of
/// the aggregates it travelled in while packed, and the recall of its lot.
pub fn unit_history(ledger: &dyn Ledger, unit: &Pubkey) -> Result<Vec<HistoryEvent>> {
    history_at_depth(ledger, unit, 0)
}

fn history_at_depth(ledger: &dyn Ledger, unit: &Pubkey, depth: usize) -> Result<Vec<HistoryEvent>> {
    let own = own_events(ledger, unit)?;
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
    if depth == 0 {
        if let Some(u) = cus::fetch_unit(ledger, unit)? {
            if u.kind == cus::UnitKind::Item {
                for record in ledger.transactions_for_address(&u.lot, usize::MAX)? {
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
