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
use crate::{Error, Result};
use serde_json::{json, Value};
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
        LotRegistered(_) | LotRecalled(_) => false,
    }
}

/// The custody events of `address` itself, oldest first.
fn own_events(ledger: &dyn Ledger, address: &Pubkey) -> Result<Vec<HistoryEvent>> {
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
fn encode_segment(s: &str) -> String {
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

/// The Digital Link URI of a party: its GLN (AI 417) when registered, else a caretrail URN.
fn party(ledger: &dyn Ledger, wallet: &Pubkey) -> Result<String> {
    Ok(match crate::registry::fetch_participant(ledger, wallet)? {
        Some(p) => format!(
            "https://id.gs1.org/417/{}",
            crate::registry::gln_str(&p.gln)
        ),
        None => format!("urn:caretrail:party:{wallet}"),
    })
}

fn sscc_uri(ledger: &dyn Ledger, aggregate: &Pubkey) -> Result<String> {
    for e in own_events(ledger, aggregate)? {
        if let CustodyEvent::AggregateCreated(a) = e.event {
            return Ok(format!(
                "https://id.gs1.org/00/{}",
                String::from_utf8_lossy(&a.sscc)
            ));
        }
    }
    Ok(format!("urn:caretrail:aggregate:{aggregate}"))
}

fn event_id(signature: &Signature, n: usize, subject: &Pubkey) -> String {
    let h = crate::hash::sha256(&[
        signature.as_ref(),
        &(n as u32).to_le_bytes(),
        subject.as_ref(),
    ]);
    format!("ni:///sha-256;{}?ver=CBV2.0", crate::util::hex(&h))
}

fn object_event(
    id: String,
    time: i64,
    epcs: Vec<String>,
    action: &str,
    biz_step: &str,
    disposition: &str,
) -> Value {
    json!({
        "type": "ObjectEvent",
        "eventID": id,
        "eventTime": crate::util::rfc3339(time),
        "eventTimeZoneOffset": "+00:00",
        "epcList": epcs,
        "action": action,
        "bizStep": biz_step,
        "disposition": disposition,
    })
}

/// An AggregationEvent seen from `address`: the unit's own packing into (or unpacking from)
/// `parent`, or, when `address` is the aggregate itself, its children.
#[allow(clippy::too_many_arguments)]
fn aggregation_event(
    ledger: &dyn Ledger,
    address: &Pubkey,
    epc: &str,
    id: String,
    time: i64,
    parent: Pubkey,
    children: &[Pubkey],
    action: &str,
    biz_step: &str,
) -> Result<Value> {
    let (parent, children): (String, Vec<String>) = if parent == *address {
        (
            epc.to_string(),
            children
                .iter()
                .map(|c| format!("urn:caretrail:unit:{c}"))
                .collect(),
        )
    } else {
        (sscc_uri(ledger, &parent)?, vec![epc.to_string()])
    };
    Ok(json!({
        "type": "AggregationEvent",
        "eventID": id,
        "eventTime": crate::util::rfc3339(time),
        "eventTimeZoneOffset": "+00:00",
        "parentID": parent,
        "childEPCs": children,
        "action": action,
        "bizStep": biz_step,
        "disposition": "in_progress",
    }))
}

/// An EPCIS 2.0 JSON-LD document of a unit's history. `code` is the scanned code of the unit
/// (the chain only knows the hash of its serial, so the exporter needs the code to name the
/// EPC; a lot number on the code goes into the commissioning event's ILMD).
pub fn export_unit_history(ledger: &dyn Ledger, code: &Gs1Code) -> Result<Value> {
    let address = cus::address_of(code)?;
    let Some(epc) = digital_link(code) else {
        return Err(Error::invalid("the code names no unit"));
    };
    let history = unit_history(ledger, &address)?;
    let unit = cus::fetch_unit(ledger, &address)?;
    let lot = match &unit {
        Some(u) if u.kind == cus::UnitKind::Item => cus::fetch_lot(ledger, &u.lot)?,
        _ => None,
    };
    let mut events = Vec::new();
    for (n, h) in history.iter().enumerate() {
        let id = event_id(&h.signature, n, &address);
        let t = h.timestamp();
        let mut ev = match &h.event {
            CustodyEvent::UnitsCommissioned(_) | CustodyEvent::AggregateCreated(_) => {
                let mut e =
                    object_event(id, t, vec![epc.clone()], "ADD", "commissioning", "active");
                if let Some(l) = &lot {
                    let d = l.expiry_date;
                    let mut ilmd = json!({ "cbvmda:itemExpirationDate": format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100) });
                    if let Some(number) = &code.lot {
                        ilmd["cbvmda:lotNumber"] = json!(number);
                    }
                    e["ilmd"] = ilmd;
                }
                e
            }
            CustodyEvent::Packed(p) => aggregation_event(
                ledger,
                &address,
                &epc,
                id,
                t,
                p.parent,
                &p.children,
                "ADD",
                "packing",
            )?,
            CustodyEvent::Unpacked(p) => aggregation_event(
                ledger,
                &address,
                &epc,
                id,
                t,
                p.parent,
                &p.children,
                "DELETE",
                "unpacking",
            )?,
            CustodyEvent::Shipped(s) => {
                let mut e = object_event(
                    id,
                    t,
                    vec![epc.clone()],
                    "OBSERVE",
                    if s.is_return { "returning" } else { "shipping" },
                    "in_transit",
                );
                e["readPoint"] = json!({ "id": format!("https://id.gs1.org/414/{}", String::from_utf8_lossy(&s.read_point)) });
                e["bizTransactionList"] = json!([{ "type": "desadv", "bizTransaction": format!("urn:caretrail:shipment:{}", crate::util::hex(&s.shipment_ref)) }]);
                e["sourceList"] =
                    json!([{ "type": "possessing_party", "source": party(ledger, &s.from)? }]);
                e["destinationList"] =
                    json!([{ "type": "possessing_party", "destination": party(ledger, &s.to)? }]);
                e
            }
            CustodyEvent::Received(r) => {
                let mut e = object_event(
                    id,
                    t,
                    vec![epc.clone()],
                    "OBSERVE",
                    "receiving",
                    "in_progress",
                );
                e["sourceList"] =
                    json!([{ "type": "possessing_party", "source": party(ledger, &r.from)? }]);
                e["destinationList"] =
                    json!([{ "type": "possessing_party", "destination": party(ledger, &r.to)? }]);
                e
            }
            CustodyEvent::Refused(r) => {
                let mut e =
                    object_event(id, t, vec![epc.clone()], "OBSERVE", "receiving", "returned");
                e["sourceList"] =
                    json!([{ "type": "possessing_party", "source": party(ledger, &r.from)? }]);
                e
            }
            CustodyEvent::ShipmentCancelled(r) => {
                // The sender takes the unanswered shipment back: it is in the sender's
                // possession again (CBV bizStep void_shipping).
                let mut e = object_event(
                    id,
                    t,
                    vec![epc.clone()],
                    "OBSERVE",
                    "void_shipping",
                    "active",
                );
                e["destinationList"] =
                    json!([{ "type": "possessing_party", "destination": party(ledger, &r.from)? }]);
                e
            }
            CustodyEvent::SuspectFlagged(_) => object_event(
                id,
                t,
                vec![epc.clone()],
                "OBSERVE",
                "holding",
                "non_sellable_other",
            ),
            CustodyEvent::SuspectCleared(_) => {
                object_event(id, t, vec![epc.clone()], "OBSERVE", "holding", "active")
            }
            CustodyEvent::DeclaredIllegitimate(_) => {
                object_event(id, t, vec![epc.clone()], "OBSERVE", "holding", "stolen")
            }
            CustodyEvent::LotRecalled(_) => {
                object_event(id, t, vec![epc.clone()], "OBSERVE", "holding", "recalled")
            }
            CustodyEvent::Dispensed(_) => object_event(
                id,
                t,
                vec![epc.clone()],
                "OBSERVE",
                "dispensing",
                "dispensed",
            ),
            CustodyEvent::Decommissioned(d) => {
                if d.destroyed {
                    object_event(
                        id,
                        t,
                        vec![epc.clone()],
                        "DELETE",
                        "destroying",
                        "destroyed",
                    )
                } else {
                    object_event(
                        id,
                        t,
                        vec![epc.clone()],
                        "DELETE",
                        "decommissioning",
                        "inactive",
                    )
                }
            }
            CustodyEvent::LotRegistered(_) => continue,
        };
        if let Some(via) = h.via {
            ev["caretrail:via"] = json!(sscc_uri(ledger, &via)?);
        }
        ev["caretrail:transaction"] = json!(h.signature.to_string());
        events.push(ev);
    }
    let created = history.last().map(|h| h.timestamp()).unwrap_or(0);
    Ok(json!({
        "@context": [EPCIS_CONTEXT, { "caretrail": "https://caretrail.dev/epcis#", "cbvmda": "urn:epcglobal:cbv:mda:" }],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": crate::util::rfc3339(created),
        "epcisBody": { "eventList": events },
    }))
}
