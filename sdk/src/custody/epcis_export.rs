//! EPCIS documents of a whole shipment, for trading partners who do not run caretrail:
//! **EPCIS 1.2 XML** with a Standard Business Document Header (GS1 US Healthcare guideline) and
//! **EPCIS 2.0 JSON-LD**, both from one [`Document`] read off the chain.
//!
//! A document carries EPCClass master data for its products (NDC, name, dosage form, strength,
//! net content: from the manufacturer's off-chain product master, see
//! [`master_data`](super::master_data)), Location master data for the parties' GLNs, then the
//! commissioning, packing, shipping and receiving events, with the shipment's business
//! transaction, source and destination parties and the DSCSA transaction statement on the
//! shipping event. Every event carries its **CBV 2.0 event hash id**
//! (`ni:///sha-256;…?ver=CBV2.0`, computed over the event as written in that format), so a
//! partner who receives it twice can de-duplicate.
//!
//! The chain keeps only a hash of each serial number, so the exporter names an item from the
//! scanned codes it is given ([`Codes`]); SSCCs and GTINs are on chain. A unit of the shipment
//! no code names is an error that lists it, never a silent gap.

use crate::custody::epcis::{
    as_unit_events, own_events, package_key, package_own_events, unit_history, HistoryEvent,
};
use crate::custody::master_data::MasterData;
use crate::custody::{self as cus, CustodyEvent, UnitKind};
use crate::events::CaretrailEvent;
use crate::gs1::Gs1Code;
use crate::ledger::Ledger;
use crate::{Error, Result};
use serde_json::{json, Value};
use solana_sdk::{pubkey::Pubkey, signature::Signature};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Namespace of the GS1 US Healthcare extensions (DSCSA transaction statement).
pub const GS1USHC_NS: &str = "http://epcis.gs1us.org/hc/ns";
/// Namespace of caretrail's own extension (the chain transaction behind each event).
pub const CARETRAIL_NS: &str = "https://caretrail.dev/epcis#";
const SBDH_NS: &str = "http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader";
/// Company prefix length assumed when neither the master data nor the registry knows it.
pub const DEFAULT_PREFIX_LEN: usize = 7;

/// The two document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// EPCIS 1.2 XML with an SBDH.
    Xml12,
    /// EPCIS 2.0 JSON-LD.
    JsonLd20,
}

/// A GS1 identifier of a physical object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Epc {
    Sgtin { gtin: String, serial: String },
    Sscc(String),
}

/// A `(CBV type, value)` pair: a business transaction, a source or a destination.
pub type Typed = (&'static str, String);

/// One event, in neither syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// `ObjectEvent` or `AggregationEvent`.
    pub kind: &'static str,
    pub time: i64,
    /// ObjectEvent: the epcList; AggregationEvent: the childEPCs.
    pub epcs: Vec<Epc>,
    pub parent: Option<Epc>,
    pub action: &'static str,
    pub biz_step: &'static str,
    pub disposition: &'static str,
    /// GLN.
    pub read_point: Option<String>,
    /// `(CBV type, id)`.
    pub transactions: Vec<Typed>,
    /// `(CBV type, GLN)`.
    pub sources: Vec<Typed>,
    pub destinations: Vec<Typed>,
    /// Lot number and expiry (`YYYY-MM-DD`) of a commissioning.
    pub lot: Option<String>,
    pub expiry: Option<String>,
    /// The DSCSA transaction statement is affirmed (shipping).
    pub transaction_statement: bool,
    /// The chain transaction that recorded it.
    pub chain_transaction: Signature,
    /// A temperature logger's summary recorded with this hop (shipping or receiving).
    pub sensor: Option<Sensor>,
}

/// A logger's summary as an event carries it (2.0 `sensorElementList`, the 1.2 extension).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sensor {
    /// Hundredths of a degree Celsius.
    pub min: i16,
    pub max: i16,
    pub mean: i16,
    pub minutes_outside: u32,
    pub readings: u32,
    /// `ni:///sha-256;…` of the logger's file.
    pub logger: String,
    /// Broke the lot's storage condition (the unit was quarantined at receipt).
    pub excursion: bool,
}

impl Sensor {
    fn from_event(s: &custody::events::SensorRecorded) -> Sensor {
        Sensor {
            min: s.min_centi_celsius,
            max: s.max_centi_celsius,
            mean: s.mean_centi_celsius,
            minutes_outside: s.minutes_outside,
            readings: s.readings,
            logger: format!("ni:///sha-256;{}", crate::util::hex(&s.logger_hash)),
            excursion: s.excursion,
        }
    }
}

/// Hundredths of a degree as a decimal, as CBV 2.0 canonicalises numbers.
fn decimal(centi: i16) -> String {
    crate::util::hundredths(centi.into())
}

/// Attaches each logger summary to the shipping (stage 0) or receiving (stage 1) event of the
/// chain transaction that recorded it.
fn attach_sensors(events: &mut [Event], history: &[HistoryEvent]) {
    for h in history {
        if let CustodyEvent::SensorRecorded(s) = &h.event {
            let step = if s.stage == 0 {
                "shipping"
            } else {
                "receiving"
            };
            for e in events.iter_mut() {
                if e.chain_transaction == h.signature
                    && (e.biz_step == step || (s.stage == 0 && e.biz_step == "returning"))
                {
                    e.sensor = Some(Sensor::from_event(s));
                }
            }
        }
    }
}

/// A document's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// A unique id of this document (the SBDH instance identifier).
    pub id: String,
    pub created: i64,
    /// GLNs of the sender and receiver (SBDH).
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub master: MasterData,
    /// Company prefixes by GS1 key (GTIN, SSCC or GLN), as resolved when the document was read.
    pub prefixes: BTreeMap<String, usize>,
    pub events: Vec<Event>,
}

/// The codes that name items, by unit address (the chain only has their serials' hashes).
#[derive(Debug, Clone, Default)]
pub struct Codes(pub HashMap<Pubkey, Gs1Code>);

impl Codes {
    /// Reads scanner lines (element strings, HRI or Digital Link; blank lines skipped): each
    /// code names a unit or an SSCC. A line that is not a code is an error with its number.
    pub fn from_lines(text: &str) -> Result<Codes> {
        let mut out = HashMap::new();
        for (line, t) in cus::scan::scan_lines(text) {
            let code =
                crate::gs1::parse(&t).map_err(|e| Error::invalid(format!("line {line}: {e}")))?;
            let address =
                cus::address_of(&code).map_err(|e| Error::invalid(format!("line {line}: {e}")))?;
            out.insert(address, code);
        }
        Ok(Codes(out))
    }

    pub fn insert(&mut self, code: Gs1Code) -> Result<()> {
        self.0.insert(cus::address_of(&code)?, code);
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Reading a shipment off the chain
// ---------------------------------------------------------------------------------------------

struct Reader<'a> {
    ledger: &'a dyn Ledger,
    codes: &'a Codes,
    names: HashMap<Pubkey, Epc>,
    /// Each lot's on-chain lot-number hash and expiry (`YYYY-MM-DD`).
    lots: HashMap<Pubkey, ([u8; 32], String)>,
    glns: HashMap<Pubkey, Option<String>>,
    unnamed: BTreeSet<Pubkey>,
}

impl<'a> Reader<'a> {
    fn new(ledger: &'a dyn Ledger, codes: &'a Codes) -> Self {
        Reader {
            ledger,
            codes,
            names: HashMap::new(),
            lots: HashMap::new(),
            glns: HashMap::new(),
            unnamed: BTreeSet::new(),
        }
    }

    /// The EPC of a unit or aggregate (recorded as unnamed when no code names it).
    fn name(&mut self, unit: &Pubkey) -> Result<Option<Epc>> {
        if let Some(n) = self.names.get(unit) {
            return Ok(Some(n.clone()));
        }
        let epc = match self.codes.0.get(unit) {
            Some(c) if c.sscc.is_some() => c.sscc.clone().map(Epc::Sscc),
            Some(c) => match (&c.gtin, &c.serial) {
                (Some(g), Some(s)) => Some(Epc::Sgtin {
                    gtin: g.clone(),
                    serial: s.clone(),
                }),
                _ => None,
            },
            None => self.sscc(unit)?.map(Epc::Sscc),
        };
        match &epc {
            Some(e) => {
                self.names.insert(*unit, e.clone());
            }
            None => {
                self.unnamed.insert(*unit);
            }
        }
        Ok(epc)
    }

    fn sscc(&self, aggregate: &Pubkey) -> Result<Option<String>> {
        for r in self
            .ledger
            .transactions_for_address(aggregate, usize::MAX)?
        {
            for e in r.events() {
                if let CaretrailEvent::Custody(CustodyEvent::AggregateCreated(a)) = e {
                    if a.unit == *aggregate {
                        return Ok(Some(String::from_utf8_lossy(&a.sscc).into_owned()));
                    }
                }
            }
        }
        Ok(None)
    }

    fn gln(&mut self, wallet: &Pubkey) -> Result<Option<String>> {
        if let Some(g) = self.glns.get(wallet) {
            return Ok(g.clone());
        }
        let g = crate::registry::fetch_participant(self.ledger, wallet)?
            .map(|p| crate::registry::gln_str(&p.gln));
        self.glns.insert(*wallet, g.clone());
        Ok(g)
    }

    /// Lot number (from the unit's code, checked against the chain's lot hash) and expiry.
    fn lot(&mut self, lot: &Pubkey, unit: &Pubkey) -> Result<(Option<String>, String)> {
        if !self.lots.contains_key(lot) {
            let onchain =
                cus::fetch_lot(self.ledger, lot)?.ok_or_else(|| Error::not_found("lot", *lot))?;
            let d = onchain.expiry_date;
            let expiry = format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100);
            self.lots.insert(*lot, (onchain.lot_hash, expiry));
        }
        let (hash, expiry) = &self.lots[lot];
        let number = self
            .codes
            .0
            .get(unit)
            .and_then(|c| c.lot.clone())
            .filter(|n| cus::lot_hash(n) == *hash);
        Ok((number, expiry.clone()))
    }

    fn parties(&mut self, from: &Pubkey, to: &Pubkey) -> Result<(Vec<Typed>, Vec<Typed>)> {
        let mut s = Vec::new();
        let mut d = Vec::new();
        if let Some(g) = self.gln(from)? {
            s.push(("owning_party", g.clone()));
            s.push(("location", g));
        }
        if let Some(g) = self.gln(to)? {
            d.push(("owning_party", g.clone()));
            d.push(("location", g));
        }
        Ok((s, d))
    }

    /// The event of one chain event, restricted to the `scope` units; `None` when it names
    /// none of them or is not an EPCIS event.
    fn event(
        &mut self,
        h: &HistoryEvent,
        scope: &BTreeSet<Pubkey>,
        reference: Option<&str>,
    ) -> Result<Option<Event>> {
        let base = |kind, action, biz_step, disposition, epcs| Event {
            kind,
            time: h.timestamp(),
            epcs,
            parent: None,
            action,
            biz_step,
            disposition,
            read_point: None,
            transactions: vec![],
            sources: vec![],
            destinations: vec![],
            lot: None,
            expiry: None,
            transaction_statement: false,
            chain_transaction: h.signature,
            sensor: None,
        };
        // The EPCs of the `units` in scope; `None` (no event) when there are none.
        let named = |this: &mut Self, units: &[Pubkey]| -> Result<Option<Vec<Epc>>> {
            let mut out = Vec::new();
            for u in units.iter().filter(|u| scope.contains(u)) {
                if let Some(e) = this.name(u)? {
                    out.push(e);
                }
            }
            Ok(Some(out).filter(|o| !o.is_empty()))
        };
        use CustodyEvent::*;
        let ev = match &h.event {
            UnitsCommissioned(c) => {
                let Some(epcs) = named(self, &c.units)? else {
                    return Ok(None);
                };
                let first = c.units.iter().find(|u| scope.contains(u)).expect("named");
                let (lot, expiry) = self.lot(&c.lot, first)?;
                let mut e = base("ObjectEvent", "ADD", "commissioning", "active", epcs);
                e.lot = lot;
                e.expiry = Some(expiry);
                e
            }
            AggregateCreated(a) => {
                let Some(epcs) = named(self, &[a.unit])? else {
                    return Ok(None);
                };
                base("ObjectEvent", "ADD", "commissioning", "active", epcs)
            }
            Packed(_) | Unpacked(_) => {
                let (parent, children, action, step) = match &h.event {
                    Packed(p) => (p.parent, &p.children, "ADD", "packing"),
                    Unpacked(p) => (p.parent, &p.children, "DELETE", "unpacking"),
                    _ => unreachable!("matched above"),
                };
                let Some(children) = named(self, children)? else {
                    return Ok(None);
                };
                let mut e = base("AggregationEvent", action, step, "in_progress", children);
                e.parent = self.name(&parent)?;
                e
            }
            Shipped(s) => {
                let Some(epcs) = named(self, &[s.unit])? else {
                    return Ok(None);
                };
                let step = if s.is_return { "returning" } else { "shipping" };
                let mut e = base("ObjectEvent", "OBSERVE", step, "in_transit", epcs);
                e.read_point = Some(String::from_utf8_lossy(&s.read_point).into_owned());
                let sender = self.gln(&s.from)?.unwrap_or_else(|| s.from.to_string());
                let id = match reference {
                    Some(r) if cus::shipment_ref(r) == s.shipment_ref => {
                        format!("urn:epcglobal:cbv:bt:{sender}:{r}")
                    }
                    _ => format!(
                        "urn:caretrail:shipment:{}",
                        crate::util::hex(&s.shipment_ref)
                    ),
                };
                e.transactions = vec![("desadv", id)];
                (e.sources, e.destinations) = self.parties(&s.from, &s.to)?;
                e.transaction_statement = true;
                e
            }
            Received(r) => {
                let Some(epcs) = named(self, &[r.unit])? else {
                    return Ok(None);
                };
                let mut e = base("ObjectEvent", "OBSERVE", "receiving", "in_progress", epcs);
                e.read_point = self.gln(&r.to)?;
                (e.sources, e.destinations) = self.parties(&r.from, &r.to)?;
                e
            }
            Refused(r) => {
                let Some(epcs) = named(self, &[r.unit])? else {
                    return Ok(None);
                };
                let mut e = base("ObjectEvent", "OBSERVE", "receiving", "returned", epcs);
                (e.sources, e.destinations) = self.parties(&r.from, &r.to)?;
                e
            }
            ShipmentCancelled(r) => {
                // The sender takes the unanswered shipment back (CBV void_shipping).
                let Some(epcs) = named(self, &[r.unit])? else {
                    return Ok(None);
                };
                base("ObjectEvent", "OBSERVE", "void_shipping", "active", epcs)
            }
            SuspectFlagged(_)
            | SuspectCleared(_)
            | DeclaredIllegitimate(_)
            | Dispensed(_)
            | Decommissioned(_) => {
                let (unit, action, step, disposition) = match &h.event {
                    SuspectFlagged(x) => (x.unit, "OBSERVE", "holding", "non_sellable_other"),
                    SuspectCleared(x) => (x.unit, "OBSERVE", "holding", "active"),
                    DeclaredIllegitimate(x) => (x.unit, "OBSERVE", "holding", "stolen"),
                    Dispensed(x) => (x.unit, "OBSERVE", "dispensing", "dispensed"),
                    Decommissioned(x) if x.destroyed => {
                        (x.unit, "DELETE", "destroying", "destroyed")
                    }
                    Decommissioned(x) => (x.unit, "DELETE", "decommissioning", "inactive"),
                    _ => unreachable!("matched above"),
                };
                let Some(epcs) = named(self, &[unit])? else {
                    return Ok(None);
                };
                base("ObjectEvent", action, step, disposition, epcs)
            }
            LotRecalled(_) => {
                // In a unit's history: the recall of its lot.
                let all: Vec<Pubkey> = scope.iter().copied().collect();
                let Some(epcs) = named(self, &all)? else {
                    return Ok(None);
                };
                base("ObjectEvent", "OBSERVE", "holding", "recalled", epcs)
            }
            // A sensor summary is carried by the hop it was recorded with (see `attach_sensors`).
            LotRegistered(_)
            | StorageConditionSet(_)
            | SensorRecorded(_)
            | PackageTreeCreated(_)
            | PackagesCommissioned(_)
            | PackageShipped(_)
            | PackageHopCompleted(_)
            | PackagesUnpacked(_)
            | PackageDispensed(_)
            | AggregateClosed(_)
            | PackageStatusChanged(_)
            | PackageShipmentCancelled(_)
            | PackageSensorRecorded(_) => return Ok(None),
        };
        Ok(Some(ev))
    }
}

/// Events of one chain transaction that differ only in their EPCs become one event (a batch of
/// 24 receipts is one receiving event of 24 EPCs), wherever they stand: events of one slot and
/// second have no order among the units' histories.
fn merge(events: Vec<Event>) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::new();
    for e in events {
        let twin = out.iter_mut().find(|o| {
            **o == Event {
                epcs: o.epcs.clone(),
                ..e.clone()
            }
        });
        match twin {
            Some(o) => {
                for x in e.epcs {
                    if !o.epcs.contains(&x) {
                        o.epcs.push(x);
                    }
                }
            }
            None => out.push(e),
        }
    }
    out
}

/// The shipment `reference` (its ASN / despatch advice id: only its hash is on chain) as sent
/// or received by `party`: every unit shipped under it, what they contained when shipped
/// (pallet → cases → packages), and the history of each that a receiver needs. `codes` names
/// the items.
pub fn shipment_document(
    ledger: &dyn Ledger,
    party: &Pubkey,
    reference: &str,
    codes: &Codes,
    master: &MasterData,
) -> Result<Document> {
    let wanted = cus::shipment_ref(reference);
    // Units the party shipped, or received (whose hop is then looked up on the unit).
    let mut candidates = BTreeSet::new();
    // Loose compressed packages among them: their events are their tree's.
    let mut trees: HashMap<Pubkey, (Pubkey, [u8; 32])> = HashMap::new();
    for r in ledger.transactions_for_address(party, usize::MAX)? {
        let events = r.events();
        for e in &events {
            match e {
                CaretrailEvent::Custody(CustodyEvent::PackageShipped(p)) => {
                    let hash = p.leaf.serial_hash;
                    trees.insert(package_key(&hash), (p.tree, hash));
                }
                CaretrailEvent::Custody(CustodyEvent::PackageHopCompleted(p)) => {
                    let hash = p.leaf.serial_hash;
                    trees.insert(package_key(&hash), (p.tree, hash));
                }
                _ => {}
            }
        }
        for e in as_unit_events(events, &|_| true) {
            match e {
                CustodyEvent::Shipped(s)
                    if s.shipment_ref == wanted && (s.from == *party || s.to == *party) =>
                {
                    candidates.insert(s.unit);
                }
                CustodyEvent::Received(s) if s.to == *party => {
                    candidates.insert(s.unit);
                }
                CustodyEvent::Refused(s) if s.to == *party => {
                    candidates.insert(s.unit);
                }
                _ => {}
            }
        }
    }
    let mut shipped = Vec::new();
    let mut parties = None;
    // A unit's own events are enough: the hops of the aggregates it travelled in are theirs.
    for unit in candidates {
        let history = match trees.get(&unit) {
            Some((tree, hash)) => package_own_events(ledger, tree, hash)?,
            None => own_events(ledger, &unit)?,
        };
        if let Some(i) = history.iter().position(|h| {
            matches!(&h.event, CustodyEvent::Shipped(s)
                if s.unit == unit && s.shipment_ref == wanted && (s.from == *party || s.to == *party))
        }) {
            if let CustodyEvent::Shipped(s) = &history[i].event {
                parties.get_or_insert((s.from, s.to));
            }
            shipped.push((unit, history, i));
        }
    }
    let Some((from, to)) = parties else {
        return Err(Error::invalid(format!(
            "no shipment {reference} was sent or received by {party}"
        )));
    };
    // What each shipped unit contained when it left: its packings less its unpackings.
    let mut scope = BTreeSet::new();
    let mut stack: Vec<Pubkey> = Vec::new();
    let mut histories: BTreeMap<Pubkey, Vec<HistoryEvent>> = BTreeMap::new();
    for (unit, history, i) in shipped {
        scope.insert(unit);
        stack.extend(contents_at(&history, &unit, history[i].signature));
        histories.insert(unit, history);
    }
    while let Some(unit) = stack.pop() {
        if !scope.insert(unit) || scope.len() > 1_000_000 {
            continue;
        }
        // An item's own events are enough; a case in a pallet needs the pallet's hops too
        // (its history through the pallet), to find its contents as of the shipping.
        let history = if cus::fetch_unit(ledger, &unit)?.is_some_and(|u| u.kind != UnitKind::Item) {
            let history = unit_history(ledger, &unit)?;
            let last = history
                .iter()
                .rev()
                .find(|h| matches!(&h.event, CustodyEvent::Shipped(s) if s.shipment_ref == wanted))
                .map(|h| h.signature);
            if let Some(sig) = last {
                stack.extend(contents_at(&history, &unit, sig));
            }
            history
        } else {
            items_own_events(ledger, &unit, codes)?
        };
        histories.insert(unit, history);
    }
    // Every chain event that concerns the scope up to the shipment's receipt, once, in order.
    let mut seen = BTreeSet::new();
    let mut all: Vec<(i64, u64, HistoryEvent)> = Vec::new();
    for history in histories.values() {
        for h in history {
            let key = (h.signature, format!("{:?}", h.event));
            if seen.insert(key) {
                all.push((h.timestamp(), h.slot, h.clone()));
            }
        }
    }
    // Events of one slot and second have no order among the units' histories: the supply
    // chain's own order (commission, pack, ship, receive) breaks the tie.
    let rank = |e: &CustodyEvent| match e {
        CustodyEvent::UnitsCommissioned(_) => 0,
        CustodyEvent::AggregateCreated(_) => 1,
        CustodyEvent::Packed(_) | CustodyEvent::Unpacked(_) => 2,
        CustodyEvent::Shipped(_) => 3,
        _ => 4,
    };
    all.sort_by_key(|(t, slot, h)| (*t, *slot, rank(&h.event)));
    let mut reader = Reader::new(ledger, codes);
    let mut events = Vec::new();
    let mut received_at: Option<i64> = None;
    for (_, _, h) in &all {
        // The shipment's own hops: only those under this reference (and their receipt).
        match &h.event {
            CustodyEvent::Shipped(s) if s.shipment_ref != wanted => continue,
            CustodyEvent::Shipped(_) => {}
            CustodyEvent::Received(r)
                if r.from == from && r.to == to && scope.contains(&r.unit) =>
            {
                received_at.get_or_insert(h.timestamp());
            }
            CustodyEvent::Refused(r) if r.from == from && r.to == to && scope.contains(&r.unit) => {
                received_at.get_or_insert(h.timestamp());
            }
            CustodyEvent::Received(_) | CustodyEvent::Refused(_) => continue,
            CustodyEvent::Packed(_)
            | CustodyEvent::Unpacked(_)
            | CustodyEvent::UnitsCommissioned(_)
            | CustodyEvent::AggregateCreated(_) => {
                if received_at.is_some() {
                    continue;
                }
            }
            _ => continue,
        }
        if let Some(e) = reader.event(h, &scope, Some(reference))? {
            events.push(e);
        }
    }
    let hops: Vec<HistoryEvent> = all.iter().map(|(_, _, h)| h.clone()).collect();
    attach_sensors(&mut events, &hops);
    // Unpackings by the sender before shipping are not part of what the receiver gets.
    events.retain(|e| e.action != "DELETE");
    if !reader.unnamed.is_empty() {
        let list: Vec<String> = reader
            .unnamed
            .iter()
            .take(10)
            .map(|u| u.to_string())
            .collect();
        return Err(Error::invalid(format!(
            "{} unit(s) of shipment {reference} are named by none of the given codes: the chain \
             keeps only a hash of each serial, so give the scan or commissioning file that lists \
             them (first: {})",
            reader.unnamed.len(),
            list.join(", ")
        )));
    }
    let sender = reader.gln(&from)?;
    let receiver = reader.gln(&to)?;
    finish(
        ledger,
        format!("{reference}-{}", crate::util::hex(&wanted[..4])),
        sender,
        receiver,
        master,
        merge(events),
    )
}

/// An item's own events: a unit's, or those of the compressed package its code names (packed
/// in a case, a package is in no transaction of its own until it is unpacked).
fn items_own_events(
    ledger: &dyn Ledger,
    unit: &Pubkey,
    codes: &Codes,
) -> Result<Vec<HistoryEvent>> {
    if cus::fetch_unit(ledger, unit)?.is_none() {
        if let Some(code) = codes.0.get(unit) {
            if let Some(found) = crate::custody::find_compressed_quietly(ledger, code)? {
                return package_own_events(ledger, &found.tree, &found.leaf.serial_hash);
            }
        }
    }
    own_events(ledger, unit)
}

/// The children `aggregate` held just before the transaction `at` (packings less unpackings).
fn contents_at(history: &[HistoryEvent], aggregate: &Pubkey, at: Signature) -> Vec<Pubkey> {
    let mut inside: Vec<Pubkey> = Vec::new();
    for h in history {
        if h.signature == at {
            break;
        }
        match &h.event {
            CustodyEvent::Packed(p) if p.parent == *aggregate => {
                for c in &p.children {
                    if !inside.contains(c) {
                        inside.push(*c);
                    }
                }
            }
            CustodyEvent::Unpacked(p) if p.parent == *aggregate => {
                inside.retain(|c| !p.children.contains(c));
            }
            _ => {}
        }
    }
    inside
}

/// One unit's history as a document (its code names it; aggregates are named from the chain).
pub fn unit_document(ledger: &dyn Ledger, code: &Gs1Code, master: &MasterData) -> Result<Document> {
    let unit = cus::address_of(code)?;
    let history = crate::custody::epcis::history_of(ledger, code)?
        .filter(|h| !h.is_empty())
        .ok_or_else(|| Error::not_found("unit", unit))?;
    let mut codes = Codes::default();
    codes.insert(code.clone())?;
    let mut reader = Reader::new(ledger, &codes);
    let scope = BTreeSet::from([unit]);
    let mut events = Vec::new();
    for h in &history {
        let mut h = h.clone();
        // A hop of the case it travelled in: the unit's own epc travels with it.
        if let (Some(_), CustodyEvent::Shipped(s)) = (h.via, &mut h.event) {
            s.unit = unit;
        }
        match (h.via, &mut h.event) {
            (Some(_), CustodyEvent::Received(r)) => r.unit = unit,
            (Some(_), CustodyEvent::Refused(r)) => r.unit = unit,
            _ => {}
        }
        if let Some(e) = reader.event(&h, &scope, None)? {
            events.push(e);
        }
    }
    attach_sensors(&mut events, &history);
    finish(
        ledger,
        format!("unit-{unit}"),
        None,
        None,
        master,
        merge(events),
    )
}

fn finish(
    ledger: &dyn Ledger,
    id: String,
    sender: Option<String>,
    receiver: Option<String>,
    master: &MasterData,
    events: Vec<Event>,
) -> Result<Document> {
    let created = events.iter().map(|e| e.time).max().unwrap_or(0);
    let mut doc = Document {
        id,
        created,
        sender,
        receiver,
        master: MasterData::default(),
        prefixes: BTreeMap::new(),
        events,
    };
    // Master data for what the document names: its products and its locations.
    let mut keys: BTreeSet<String> = BTreeSet::new();
    for e in &doc.events {
        for epc in e.epcs.iter().chain(&e.parent) {
            match epc {
                Epc::Sgtin { gtin, .. } => {
                    if let Some(p) = master.products.get(gtin) {
                        doc.master.products.insert(gtin.clone(), p.clone());
                    }
                    keys.insert(gtin.clone());
                }
                Epc::Sscc(s) => {
                    keys.insert(s.clone());
                }
            }
        }
        for g in e
            .read_point
            .iter()
            .chain(e.sources.iter().map(|(_, g)| g))
            .chain(e.destinations.iter().map(|(_, g)| g))
        {
            let location = master.locations.get(g).cloned().unwrap_or_else(|| {
                crate::custody::master_data::Location {
                    gln: g.clone(),
                    ..Default::default()
                }
            });
            doc.master.locations.insert(g.clone(), location);
            keys.insert(g.clone());
        }
    }
    for key in keys {
        let len = prefix_len(ledger, master, &key)?;
        doc.prefixes.insert(key, len);
    }
    for e in &mut doc.events {
        e.epcs.sort();
    }
    Ok(doc)
}

/// The company prefix length of a GS1 key: from the master data, else from the registry's
/// licensed prefixes, else [`DEFAULT_PREFIX_LEN`].
fn prefix_len(ledger: &dyn Ledger, master: &MasterData, key: &str) -> Result<usize> {
    let known = master
        .products
        .get(key)
        .and_then(|p| p.company_prefix.as_ref())
        .or_else(|| {
            master
                .locations
                .get(key)
                .and_then(|l| l.company_prefix.as_ref())
        });
    if let Some(p) = known {
        return Ok(p.len());
    }
    // GTIN-14 and SSCC: the registry looks after the indicator/extension digit.
    if key.len() == 14 || key.len() == 18 {
        if let Some((_, p)) = crate::registry::find_prefix(ledger, key.as_bytes())? {
            return Ok(p.len as usize);
        }
    }
    Ok(DEFAULT_PREFIX_LEN)
}

// ---------------------------------------------------------------------------------------------
// Identifiers in each syntax
// ---------------------------------------------------------------------------------------------

impl Document {
    fn prefix(&self, key: &str) -> usize {
        self.prefixes
            .get(key)
            .copied()
            .unwrap_or(DEFAULT_PREFIX_LEN)
    }

    /// `urn:epc:id:sgtin:…` / `urn:epc:id:sscc:…` (EPC Tag Data Standard pure identities).
    pub fn epc_urn(&self, epc: &Epc) -> String {
        match epc {
            Epc::Sgtin { gtin, serial } => {
                let p = self.prefix(gtin).min(12);
                format!(
                    "urn:epc:id:sgtin:{}.{}{}.{}",
                    &gtin[1..1 + p],
                    &gtin[..1],
                    &gtin[1 + p..13],
                    urn_escape(serial)
                )
            }
            Epc::Sscc(s) => {
                let p = self.prefix(s).min(12);
                format!(
                    "urn:epc:id:sscc:{}.{}{}",
                    &s[1..1 + p],
                    &s[..1],
                    &s[1 + p..17]
                )
            }
        }
    }

    /// `urn:epc:idpat:sgtin:CompanyPrefix.ItemRef.*` (an EPCClass of master data).
    pub fn class_urn(&self, gtin: &str) -> String {
        let p = self.prefix(gtin).min(12);
        format!(
            "urn:epc:idpat:sgtin:{}.{}{}.*",
            &gtin[1..1 + p],
            &gtin[..1],
            &gtin[1 + p..13]
        )
    }

    /// `urn:epc:id:sgln:CompanyPrefix.LocationRef.0`.
    pub fn sgln(&self, gln: &str) -> String {
        let p = self.prefix(gln).min(12);
        format!("urn:epc:id:sgln:{}.{}.0", &gln[..p], &gln[p..12])
    }
}

/// GS1 Digital Link of an EPC (what the CBV 2.0 hash and EPCIS 2.0 use).
pub fn epc_link(epc: &Epc) -> String {
    match epc {
        Epc::Sgtin { gtin, serial } => format!(
            "https://id.gs1.org/01/{gtin}/21/{}",
            crate::custody::epcis::encode_segment(serial)
        ),
        Epc::Sscc(s) => format!("https://id.gs1.org/00/{s}"),
    }
}

/// EPC URI escaping of a serial (TDS: `%`-escape what is not allowed in a URN component).
fn urn_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'.'
            | b'_'
            | b'!'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b':'
            | b';'
            | b'=' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// CBV 2.0 event hash
// ---------------------------------------------------------------------------------------------

/// A value as the CBV 2.0 hash canonicalises it: a number without leading zeros (a lot `0042`
/// hashes as `42`), anything else trimmed.
fn canonical_value(v: &str) -> String {
    let v = v.trim();
    if !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()) {
        let t = v.trim_start_matches('0');
        return if t.is_empty() { "0".into() } else { t.into() };
    }
    v.to_string()
}

/// The CBV 2.0 pre-hash string of an event as written in `format` (the canonical property
/// order, EPCs as Digital Link, CBV values as web vocabulary, lists sorted, extensions last).
pub fn pre_hash(e: &Event, format: Format) -> String {
    let mut s = format!(
        "eventType={}eventTime={}.000ZeventTimeZoneOffset=+00:00",
        e.kind,
        crate::util::rfc3339(e.time).trim_end_matches('Z')
    );
    let sorted = |items: Vec<String>| {
        let mut items = items;
        items.sort();
        items.concat()
    };
    if let Some(p) = &e.parent {
        s += &format!("parentID={}", epc_link(p));
    }
    let list = if e.kind == "AggregationEvent" {
        "childEPCs"
    } else {
        "epcList"
    };
    if !e.epcs.is_empty() {
        s += list;
        s += &sorted(
            e.epcs
                .iter()
                .map(|x| format!("epc={}", epc_link(x)))
                .collect(),
        );
    }
    s += &format!(
        "action={}bizStep=https://ref.gs1.org/cbv/BizStep-{}disposition=https://ref.gs1.org/cbv/Disp-{}",
        e.action, e.biz_step, e.disposition
    );
    if let Some(r) = &e.read_point {
        s += &format!("readPointid=https://id.gs1.org/414/{r}");
    }
    if !e.transactions.is_empty() {
        s += "bizTransactionList";
        s += &sorted(
            e.transactions
                .iter()
                .map(|(t, id)| format!("type=https://ref.gs1.org/cbv/BTT-{t}bizTransaction={id}"))
                .collect(),
        );
    }
    // The source and destination lists, the ILMD and the extensions are sorted as a whole
    // (as GS1's reference implementation orders them, in either syntax).
    let mut ext = Vec::new();
    for (name, field, list) in [
        ("sourceList", "source", &e.sources),
        ("destinationList", "destination", &e.destinations),
    ] {
        if !list.is_empty() {
            let items: Vec<String> = list
                .iter()
                .map(|(t, g)| {
                    format!(
                        "type=https://ref.gs1.org/cbv/SDT-{t}{field}={}",
                        party_link(t, g, format)
                    )
                })
                .collect();
            ext.push(format!("{name}{}", sorted(items)));
        }
    }
    let mda = match format {
        Format::Xml12 => "{urn:epcglobal:cbv:mda}",
        Format::JsonLd20 => "cbvmda:",
    };
    let mut ilmd = Vec::new();
    if let Some(x) = &e.expiry {
        ilmd.push(format!("{mda}itemExpirationDate={}", canonical_value(x)));
    }
    if let Some(l) = &e.lot {
        ilmd.push(format!("{mda}lotNumber={}", canonical_value(l)));
    }
    if !ilmd.is_empty() {
        ext.push(format!("ilmd{}", sorted(ilmd)));
    }
    if e.transaction_statement {
        ext.push(format!(
            "{{{GS1USHC_NS}}}dscsaTransactionStatement{{{GS1USHC_NS}}}affirmTransactionStatement=true"
        ));
    }
    ext.push(format!(
        "{{{CARETRAIL_NS}}}transaction={}",
        canonical_value(&e.chain_transaction.to_string())
    ));
    if let Some(x) = &e.sensor {
        for (name, value) in sensor_extension(x, format) {
            ext.push(format!(
                "{{{CARETRAIL_NS}}}{name}={}",
                canonical_value(&value)
            ));
        }
    }
    let sensors = match (&e.sensor, format) {
        (Some(x), Format::JsonLd20) => sensor_pre_hash(x),
        _ => String::new(),
    };
    s + &sensors + &sorted(ext)
}

/// The caretrail extension fields of a logger summary: in 1.2 (which has no sensor data) all
/// of it, in 2.0 what `sensorElementList` has no field for.
fn sensor_extension(x: &Sensor, format: Format) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if format == Format::Xml12 {
        out.extend([
            ("sensorMinCelsius", decimal(x.min)),
            ("sensorMaxCelsius", decimal(x.max)),
            ("sensorMeanCelsius", decimal(x.mean)),
            ("sensorLogger", x.logger.clone()),
        ]);
    }
    out.extend([
        ("sensorMinutesOutsideRange", x.minutes_outside.to_string()),
        ("sensorReadings", x.readings.to_string()),
        ("sensorExcursion", x.excursion.to_string()),
    ]);
    out
}

/// The 2.0 `sensorElementList` part of the pre-hash string (CBV 2.0 order: sensorMetadata
/// fields, then each sensorReport's).
fn sensor_pre_hash(x: &Sensor) -> String {
    let mut report = String::from("sensorReporttype=https://gs1.org/voc/Temperature");
    if x.excursion {
        report += "exception=https://gs1.org/voc/ALARM_CONDITION";
    }
    report += &format!(
        "minValue={}maxValue={}meanValue={}uom=CEL",
        decimal(x.min),
        decimal(x.max),
        decimal(x.mean)
    );
    format!(
        "sensorElementListsensorElementsensorMetadatarawData={}{report}",
        x.logger
    )
}

/// A source or destination as written: a party is a party GLN (AI 417) in 2.0 and an SGLN in
/// 1.2 (which has no party identifier), a location an SGLN / AI 414.
fn party_link(kind: &str, gln: &str, format: Format) -> String {
    match (kind, format) {
        ("owning_party", Format::JsonLd20) => format!("https://id.gs1.org/417/{gln}"),
        _ => format!("https://id.gs1.org/414/{gln}"),
    }
}

/// `ni:///sha-256;…?ver=CBV2.0` of an event as written in `format`.
pub fn event_hash_id(e: &Event, format: Format) -> String {
    let h = crate::hash::sha256(&[pre_hash(e, format).as_bytes()]);
    format!("ni:///sha-256;{}?ver=CBV2.0", crate::util::hex(&h))
}

// ---------------------------------------------------------------------------------------------
// EPCIS 1.2 XML
// ---------------------------------------------------------------------------------------------

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            _ => o.push(c),
        }
    }
    o
}

impl Document {
    fn product_attributes(
        &self,
        p: &crate::custody::master_data::Product,
    ) -> Vec<(&'static str, String)> {
        let mut a = Vec::new();
        if let Some(n) = &p.ndc {
            a.push(("additionalTradeItemIdentification", n.clone()));
            a.push((
                "additionalTradeItemIdentificationTypeCode",
                "US_FDA_NDC".into(),
            ));
        }
        for (k, v) in [
            ("regulatedProductName", &p.name),
            ("dosageFormType", &p.dosage_form),
            ("strengthDescription", &p.strength),
            ("netContentDescription", &p.net_content),
            ("manufacturerOfTradeItemPartyName", &p.manufacturer),
        ] {
            if let Some(v) = v {
                a.push((k, v.clone()));
            }
        }
        a
    }

    fn location_attributes(
        &self,
        l: &crate::custody::master_data::Location,
    ) -> Vec<(&'static str, String)> {
        [
            ("name", &l.name),
            ("streetAddressOne", &l.street),
            ("city", &l.city),
            ("state", &l.state),
            ("postalCode", &l.postal_code),
            ("countryCode", &l.country),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }

    /// The Standard Business Document Header: sender and receiver SGLNs, document id, time.
    fn sbdh(&self, created: &str) -> String {
        let mut x = String::from("    <sbdh:StandardBusinessDocumentHeader>\n      <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>\n");
        for (tag, gln) in [("Sender", &self.sender), ("Receiver", &self.receiver)] {
            let id = gln
                .as_ref()
                .map(|g| self.sgln(g))
                .unwrap_or_else(|| "urn:caretrail:unnamed".into());
            x += &format!(
                "      <sbdh:{tag}>\n        <sbdh:Identifier Authority=\"SGLN\">{}</sbdh:Identifier>\n      </sbdh:{tag}>\n",
                esc(&id)
            );
        }
        x += &format!(
            "      <sbdh:DocumentIdentification>\n        <sbdh:Standard>EPCglobal</sbdh:Standard>\n        \
             <sbdh:TypeVersion>1.0</sbdh:TypeVersion>\n        <sbdh:InstanceIdentifier>{}</sbdh:InstanceIdentifier>\n        \
             <sbdh:Type>Events</sbdh:Type>\n        <sbdh:CreationDateAndTime>{created}</sbdh:CreationDateAndTime>\n      \
             </sbdh:DocumentIdentification>\n    </sbdh:StandardBusinessDocumentHeader>\n",
            esc(&self.id)
        );
        x
    }

    /// The EPCISHeader: the SBDH and the master data (EPCClass, Location vocabularies).
    fn header_xml(&self, created: &str) -> String {
        let mut x = String::from("  <EPCISHeader>\n");
        x += &self.sbdh(created);
        x += "    <extension>\n      <EPCISMasterData>\n        <VocabularyList>\n";
        let vocab = |x: &mut String,
                     kind: &str,
                     elements: Vec<(String, Vec<(&'static str, String)>)>| {
            if elements.is_empty() {
                return;
            }
            *x += &format!(
                "          <Vocabulary type=\"{kind}\">\n            <VocabularyElementList>\n"
            );
            for (id, attrs) in elements {
                *x += &format!("              <VocabularyElement id=\"{}\">\n", esc(&id));
                for (k, v) in attrs {
                    *x += &format!(
                        "                <attribute id=\"urn:epcglobal:cbv:mda#{k}\">{}</attribute>\n",
                        esc(&v)
                    );
                }
                *x += "              </VocabularyElement>\n";
            }
            *x += "            </VocabularyElementList>\n          </Vocabulary>\n";
        };
        vocab(
            &mut x,
            "urn:epcglobal:epcis:vtype:EPCClass",
            self.master
                .products
                .values()
                .map(|p| (self.class_urn(&p.gtin), self.product_attributes(p)))
                .collect(),
        );
        vocab(
            &mut x,
            "urn:epcglobal:epcis:vtype:Location",
            self.master
                .locations
                .values()
                .map(|l| (self.sgln(&l.gln), self.location_attributes(l)))
                .collect(),
        );
        x += "        </VocabularyList>\n      </EPCISMasterData>\n    </extension>\n  </EPCISHeader>\n";
        x
    }

    /// The document as EPCIS 1.2 XML with a Standard Business Document Header.
    pub fn to_xml(&self) -> String {
        let mut x = String::new();
        let created = crate::util::rfc3339(self.created);
        x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        x += &format!(
            "<epcis:EPCISDocument xmlns:epcis=\"urn:epcglobal:epcis:xsd:1\" xmlns:sbdh=\"{SBDH_NS}\" \
             xmlns:cbvmda=\"urn:epcglobal:cbv:mda\" xmlns:gs1ushc=\"{GS1USHC_NS}\" \
             xmlns:caretrail=\"{CARETRAIL_NS}\" schemaVersion=\"1.2\" creationDate=\"{created}\">\n"
        );
        // The SBDH names the trading partners, and 1.2 has no header without one: a unit's
        // history, which has no partners to name, goes without header (nor master data).
        if self.sender.is_some() || self.receiver.is_some() {
            x += &self.header_xml(&created);
        }
        x += "  <EPCISBody>\n    <EventList>\n";
        for e in &self.events {
            x += &self.event_xml(e);
        }
        x += "    </EventList>\n  </EPCISBody>\n</epcis:EPCISDocument>\n";
        x
    }

    fn event_xml(&self, e: &Event) -> String {
        let mut x = format!(
            "      <{}>\n        <eventTime>{}</eventTime>\n        <eventTimeZoneOffset>+00:00</eventTimeZoneOffset>\n        \
             <baseExtension>\n          <eventID>{}</eventID>\n        </baseExtension>\n",
            e.kind,
            crate::util::rfc3339(e.time),
            event_hash_id(e, Format::Xml12)
        );
        let epcs: String = e
            .epcs
            .iter()
            .map(|p| format!("          <epc>{}</epc>\n", esc(&self.epc_urn(p))))
            .collect();
        if e.kind == "AggregationEvent" {
            if let Some(p) = &e.parent {
                x += &format!("        <parentID>{}</parentID>\n", esc(&self.epc_urn(p)));
            }
            x += &format!("        <childEPCs>\n{epcs}        </childEPCs>\n");
        } else {
            x += &format!("        <epcList>\n{epcs}        </epcList>\n");
        }
        x += &format!(
            "        <action>{}</action>\n        <bizStep>urn:epcglobal:cbv:bizstep:{}</bizStep>\n        \
             <disposition>urn:epcglobal:cbv:disp:{}</disposition>\n",
            e.action, e.biz_step, e.disposition
        );
        if let Some(r) = &e.read_point {
            x += &format!(
                "        <readPoint>\n          <id>{}</id>\n        </readPoint>\n",
                self.sgln(r)
            );
        }
        if !e.transactions.is_empty() {
            x += "        <bizTransactionList>\n";
            for (t, id) in &e.transactions {
                x += &format!(
                    "          <bizTransaction type=\"urn:epcglobal:cbv:btt:{t}\">{}</bizTransaction>\n",
                    esc(id)
                );
            }
            x += "        </bizTransactionList>\n";
        }
        let mut ext = String::new();
        for (list, field, items) in [
            ("sourceList", "source", &e.sources),
            ("destinationList", "destination", &e.destinations),
        ] {
            if !items.is_empty() {
                ext += &format!("          <{list}>\n");
                for (t, g) in items {
                    ext += &format!(
                        "            <{field} type=\"urn:epcglobal:cbv:sdt:{t}\">{}</{field}>\n",
                        self.sgln(g)
                    );
                }
                ext += &format!("          </{list}>\n");
            }
        }
        if e.expiry.is_some() || e.lot.is_some() {
            ext += "          <ilmd>\n";
            if let Some(l) = &e.lot {
                ext += &format!(
                    "            <cbvmda:lotNumber>{}</cbvmda:lotNumber>\n",
                    esc(l)
                );
            }
            if let Some(d) = &e.expiry {
                ext += &format!(
                    "            <cbvmda:itemExpirationDate>{d}</cbvmda:itemExpirationDate>\n"
                );
            }
            ext += "          </ilmd>\n";
        }
        if !ext.is_empty() {
            x += &format!("        <extension>\n{ext}        </extension>\n");
        }
        if e.transaction_statement {
            x += "        <gs1ushc:dscsaTransactionStatement>\n          \
                  <gs1ushc:affirmTransactionStatement>true</gs1ushc:affirmTransactionStatement>\n        \
                  </gs1ushc:dscsaTransactionStatement>\n";
        }
        x += &format!(
            "        <caretrail:transaction>{}</caretrail:transaction>\n",
            e.chain_transaction
        );
        if let Some(s) = &e.sensor {
            for (name, value) in sensor_extension(s, Format::Xml12) {
                x += &format!(
                    "        <caretrail:{name}>{}</caretrail:{name}>\n",
                    esc(&value)
                );
            }
        }
        x += &format!("      </{}>\n", e.kind);
        x
    }

    // -----------------------------------------------------------------------------------------
    // EPCIS 2.0 JSON-LD
    // -----------------------------------------------------------------------------------------

    /// The document as EPCIS 2.0 JSON-LD.
    pub fn to_json_ld(&self) -> Value {
        let attributes = |attrs: Vec<(&'static str, String)>| -> Vec<Value> {
            attrs
                .into_iter()
                .map(|(k, v)| json!({ "id": format!("urn:epcglobal:cbv:mda#{k}"), "attribute": v }))
                .collect()
        };
        let mut vocabularies = Vec::new();
        if !self.master.products.is_empty() {
            vocabularies.push(json!({
                "type": "urn:epcglobal:epcis:vtype:EPCClass",
                "vocabularyElementList": self.master.products.values().map(|p| json!({
                    "id": format!("https://id.gs1.org/01/{}", p.gtin),
                    "attributes": attributes(self.product_attributes(p)),
                })).collect::<Vec<_>>(),
            }));
        }
        if !self.master.locations.is_empty() {
            vocabularies.push(json!({
                "type": "urn:epcglobal:epcis:vtype:Location",
                "vocabularyElementList": self.master.locations.values().map(|l| json!({
                    "id": format!("https://id.gs1.org/414/{}", l.gln),
                    "attributes": attributes(self.location_attributes(l)),
                })).collect::<Vec<_>>(),
            }));
        }
        let events: Vec<Value> = self.events.iter().map(event_json).collect();
        json!({
            "@context": [
                crate::custody::epcis::EPCIS_CONTEXT,
                { "gs1ushc": GS1USHC_NS, "caretrail": CARETRAIL_NS }
            ],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": crate::util::rfc3339(self.created),
            "epcisHeader": { "epcisMasterData": { "vocabularyList": vocabularies } },
            "epcisBody": { "eventList": events },
        })
    }
}

fn event_json(e: &Event) -> Value {
    let epcs: Vec<String> = e.epcs.iter().map(epc_link).collect();
    let mut v = json!({
        "type": e.kind,
        "eventID": event_hash_id(e, Format::JsonLd20),
        "eventTime": crate::util::rfc3339(e.time),
        "eventTimeZoneOffset": "+00:00",
    });
    if e.kind == "AggregationEvent" {
        if let Some(p) = &e.parent {
            v["parentID"] = json!(epc_link(p));
        }
        v["childEPCs"] = json!(epcs);
    } else {
        v["epcList"] = json!(epcs);
    }
    v["action"] = json!(e.action);
    v["bizStep"] = json!(e.biz_step);
    v["disposition"] = json!(e.disposition);
    if let Some(r) = &e.read_point {
        v["readPoint"] = json!({ "id": format!("https://id.gs1.org/414/{r}") });
    }
    if !e.transactions.is_empty() {
        v["bizTransactionList"] = json!(e
            .transactions
            .iter()
            .map(|(t, id)| json!({ "type": t, "bizTransaction": id }))
            .collect::<Vec<_>>());
    }
    for (list, field, items) in [
        ("sourceList", "source", &e.sources),
        ("destinationList", "destination", &e.destinations),
    ] {
        if !items.is_empty() {
            v[list] = json!(items
                .iter()
                .map(|(t, g)| json!({ "type": t, field: party_link(t, g, Format::JsonLd20) }))
                .collect::<Vec<_>>());
        }
    }
    if e.expiry.is_some() || e.lot.is_some() {
        let mut ilmd = serde_json::Map::new();
        if let Some(l) = &e.lot {
            ilmd.insert("cbvmda:lotNumber".into(), json!(l));
        }
        if let Some(d) = &e.expiry {
            ilmd.insert("cbvmda:itemExpirationDate".into(), json!(d));
        }
        v["ilmd"] = Value::Object(ilmd);
    }
    if e.transaction_statement {
        v["gs1ushc:dscsaTransactionStatement"] =
            json!({ "gs1ushc:affirmTransactionStatement": "true" });
    }
    v["caretrail:transaction"] = json!(e.chain_transaction.to_string());
    if let Some(s) = &e.sensor {
        let number = |c: i16| -> Value { serde_json::from_str(&decimal(c)).unwrap_or(Value::Null) };
        let mut report = json!({ "type": "Temperature" });
        if s.excursion {
            report["exception"] = json!("ALARM_CONDITION");
        }
        report["minValue"] = number(s.min);
        report["maxValue"] = number(s.max);
        report["meanValue"] = number(s.mean);
        report["uom"] = json!("CEL");
        v["sensorElementList"] = json!([{
            "sensorMetadata": { "rawData": s.logger },
            "sensorReport": [report],
        }]);
        for (name, value) in sensor_extension(s, Format::JsonLd20) {
            v[format!("caretrail:{name}")] = json!(value);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> Document {
        let mut prefixes = BTreeMap::new();
        prefixes.insert("09501101020917".to_string(), 7);
        prefixes.insert("106141410000000019".to_string(), 7);
        prefixes.insert("0614141000012".to_string(), 7);
        Document {
            id: "d".into(),
            created: 0,
            sender: None,
            receiver: None,
            master: MasterData::default(),
            prefixes,
            events: vec![],
        }
    }

    #[test]
    fn urns_split_at_the_company_prefix() {
        let d = doc();
        let item = Epc::Sgtin {
            gtin: "09501101020917".into(),
            serial: "A/1".into(),
        };
        assert_eq!(d.epc_urn(&item), "urn:epc:id:sgtin:9501101.002091.A%2F1");
        assert_eq!(
            d.epc_urn(&Epc::Sscc("106141410000000019".into())),
            "urn:epc:id:sscc:0614141.1000000001"
        );
        assert_eq!(d.sgln("0614141000012"), "urn:epc:id:sgln:0614141.00001.0");
        assert_eq!(
            d.class_urn("09501101020917"),
            "urn:epc:idpat:sgtin:9501101.002091.*"
        );
        // What the importer reads back is the same code.
        let back = crate::custody::epcis_import::epc_code(&d.epc_urn(&item)).unwrap();
        assert_eq!(back.gtin.as_deref(), Some("09501101020917"));
        assert_eq!(back.serial.as_deref(), Some("A/1"));
    }

    fn item(serial: &str) -> Epc {
        Epc::Sgtin {
            gtin: "09501101020917".into(),
            serial: serial.into(),
        }
    }

    fn receiving(epcs: Vec<Epc>, sig: Signature) -> Event {
        Event {
            kind: "ObjectEvent",
            time: 1_796_000_000,
            epcs,
            parent: None,
            action: "OBSERVE",
            biz_step: "receiving",
            disposition: "in_progress",
            read_point: Some("0614141000029".into()),
            transactions: vec![],
            sources: vec![("owning_party", "0614141000012".into())],
            destinations: vec![],
            lot: None,
            expiry: None,
            transaction_statement: false,
            chain_transaction: sig,
            sensor: None,
        }
    }

    #[test]
    fn one_event_per_chain_transaction() {
        let (a, b) = (Signature::from([1u8; 64]), Signature::from([2u8; 64]));
        let merged = merge(vec![
            receiving(vec![item("1")], a),
            receiving(vec![item("2")], a),
            receiving(vec![item("2")], a),
            receiving(vec![item("3")], b),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].epcs, [item("1"), item("2")]);
        assert_eq!(merged[1].epcs, [item("3")]);
    }

    #[test]
    fn contents_are_packings_less_unpackings_before_the_shipping() {
        let (case, x, y) = (
            Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let at = |n: u8, event: CustodyEvent| HistoryEvent {
            signature: Signature::from([n; 64]),
            slot: n as u64,
            event,
            via: None,
        };
        let packed = |children: Vec<Pubkey>| {
            CustodyEvent::Packed(custody::events::Packed {
                parent: case,
                children,
                by: Pubkey::default(),
                timestamp: 0,
            })
        };
        let unpacked = |children: Vec<Pubkey>| {
            CustodyEvent::Unpacked(custody::events::Unpacked {
                parent: case,
                children,
                by: Pubkey::default(),
                timestamp: 0,
            })
        };
        let history = [
            at(1, packed(vec![x, y])),
            at(2, unpacked(vec![y])),
            at(3, packed(vec![x])),
            at(4, unpacked(vec![x])),
        ];
        assert_eq!(
            contents_at(&history, &case, Signature::from([3u8; 64])),
            [x]
        );
        assert_eq!(
            contents_at(&history, &case, Signature::from([2u8; 64])),
            [x, y]
        );
        assert!(contents_at(&history, &case, Signature::from([9u8; 64])).is_empty());
    }

    #[test]
    fn pre_hash_follows_the_cbv_order_and_differs_by_syntax() {
        let e = receiving(vec![item("B"), item("A")], Signature::from([1u8; 64]));
        let xml = pre_hash(&e, Format::Xml12);
        assert!(xml.starts_with(
            "eventType=ObjectEventeventTime=2026-11-30T00:53:20.000ZeventTimeZoneOffset=+00:00epcList\
             epc=https://id.gs1.org/01/09501101020917/21/Aepc=https://id.gs1.org/01/09501101020917/21/B\
             action=OBSERVEbizStep=https://ref.gs1.org/cbv/BizStep-receiving"
        ), "{xml}");
        assert!(xml.contains("sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/414/0614141000012"));
        let json = pre_hash(&e, Format::JsonLd20);
        assert!(json.contains("source=https://id.gs1.org/417/0614141000012"));
        assert_ne!(
            event_hash_id(&e, Format::Xml12),
            event_hash_id(&e, Format::JsonLd20)
        );
        assert!(event_hash_id(&e, Format::Xml12).ends_with("?ver=CBV2.0"));
    }

    #[test]
    fn numbers_hash_without_leading_zeros() {
        assert_eq!(canonical_value(" 0042 "), "42");
        assert_eq!(canonical_value("000"), "0");
        assert_eq!(canonical_value("L0042"), "L0042");
    }

    #[test]
    fn sensor_data_hashes_as_gs1s_reference_does() {
        for (c, d) in [
            (-150, "-1.5"),
            (1100, "11"),
            (806, "8.06"),
            (-5, "-0.05"),
            (50, "0.5"),
            (0, "0"),
        ] {
            assert_eq!(decimal(c), d);
        }
        let s = Sensor {
            min: 450,
            max: 1100,
            mean: 806,
            minutes_outside: 40,
            readings: 8,
            logger: "ni:///sha-256;25c2".into(),
            excursion: true,
        };
        // As epcis-event-hash-generator 1.9.3 prints it for the demo's cold-chain receipt.
        assert_eq!(
            sensor_pre_hash(&s),
            "sensorElementListsensorElementsensorMetadatarawData=ni:///sha-256;25c2\
             sensorReporttype=https://gs1.org/voc/Temperatureexception=https://gs1.org/voc/ALARM_CONDITION\
             minValue=4.5maxValue=11meanValue=8.06uom=CEL"
        );
        let names = |f| -> Vec<&str> {
            sensor_extension(&s, f)
                .into_iter()
                .map(|(n, _)| n)
                .collect()
        };
        assert_eq!(
            names(Format::JsonLd20),
            [
                "sensorMinutesOutsideRange",
                "sensorReadings",
                "sensorExcursion"
            ]
        );
        assert_eq!(
            names(Format::Xml12).len(),
            7,
            "1.2 has no sensor data: all of it is extension"
        );
    }
}
