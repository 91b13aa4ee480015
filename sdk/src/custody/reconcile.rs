//! Receiving against a shipment document: `custody scan --receive --expect FILE`.
//!
//! The sender's EPCIS document (imported by [`super::epcis_import`]) says what was shipped:
//! pallets, the cases on them, the packages in those, each package's lot and expiry. The dock
//! scans what arrived. Every scanned line is checked against the document *and* the chain
//! before anything is received:
//!
//! - **overage**: the code is not in the document, or receiving it would also receive a unit
//!   the document does not list (receiving a case receives what the chain packs in it);
//! - **mismatch**: the lot or the expiry differs between the document, the barcode and the
//!   chain, for the scanned unit or anything travelling with it;
//! - **unknown**: the chain never commissioned the code;
//! - **shortage**: a unit the document ships that was neither scanned nor inside something
//!   received — listed at the end, with why (never scanned, packed elsewhere on the chain,
//!   unknown to the chain).
//!
//! Only what both the document and the chain support is received; overage only with
//! `accept_overage`. Contents are inferred through aggregation (pallet → cases → packages)
//! on both sides. The receiving itself is [`super::scan::run`]'s, so a re-run is safe: what
//! landed is reported `already_done`.

use super::epcis_import::{epc_code, BizTransaction, ImportedDocument, ImportedEvent};
use super::scan::{self, LineResult, LineStatus, ScanAction, ScanProgress};
use crate::custody::{self as cus, Unit, UnitKind};
use crate::gs1::{self, Gs1Code};
use crate::ledger::{AccountFilter, Ledger};
use crate::{Error, Result};
use anchor_lang::Discriminator;
use serde::Serialize;
use solana_sdk::{pubkey::Pubkey, signature::Keypair};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// A unit the document ships.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpectedUnit {
    /// The EPC as the document writes it.
    pub epc: String,
    /// Its GS1 code in human-readable form (`(01)…(21)…`, `(00)…`).
    pub code: String,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub unit: Pubkey,
    /// Lot number and expiry (`YYYY-MM-DD`) the document declares for it.
    pub lot: Option<String>,
    pub expiry: Option<String>,
    /// The EPC the document packs it in.
    pub inside: Option<String>,
    /// Index into [`Expected::shipments`].
    #[serde(skip)]
    pub shipment: usize,
}

/// One shipment of the document: its shipping events' business transactions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Notice {
    /// The despatch advice (else invoice, else purchase order, else first transaction) id.
    pub id: Option<String>,
    pub transactions: Vec<BizTransaction>,
}

/// What a shipment document expects to arrive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub sender: Option<String>,
    pub receiver: Option<String>,
    pub shipments: Vec<Notice>,
    /// Document order: each shipped unit, then what it contains, depth first.
    pub units: Vec<ExpectedUnit>,
    index: HashMap<Pubkey, usize>,
}

/// The last segment of a CBV value in any of its spellings (`urn:epcglobal:cbv:bizstep:shipping`,
/// `shipping`, `https://ref.gs1.org/cbv/BizStep-shipping`).
fn cbv_word(value: &str) -> &str {
    value.rsplit([':', '/', '-']).next().unwrap_or(value)
}

/// A shipment's name among its transactions.
fn notice_id(transactions: &[BizTransaction]) -> Option<String> {
    ["desadv", "inv", "po"]
        .iter()
        .find_map(|want| transactions.iter().find(|t| cbv_word(&t.kind) == *want))
        .or(transactions.first())
        .map(|t| t.id.clone())
}

/// An xsd:date (or date-time) as `YYYY-MM-DD`.
fn iso_date(value: &str) -> String {
    let d = value.get(..10).unwrap_or(value);
    let b = d.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && d.bytes()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if shaped {
        d.to_string()
    } else {
        value.to_string()
    }
}

fn date(d: &gs1::Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)
}

/// A code's human-readable form: what a person reads under the barcode.
pub fn hri(code: &Gs1Code) -> String {
    if let Some(s) = &code.sscc {
        return format!("(00){s}");
    }
    let mut out = String::new();
    for (ai, v) in [("01", &code.gtin), ("10", &code.lot), ("21", &code.serial)] {
        if let Some(v) = v {
            out.push_str(&format!("({ai}){v}"));
        }
    }
    out
}

impl Expected {
    /// The units `doc` ships: those of its shipping events not followed by their receipt
    /// (all received: its last shipment) and what the document packs in them — or, without
    /// shipping events, every unit not packed in another. An EPC that is not a serialized
    /// unit, case or pallet is an error naming it.
    pub fn from_document(doc: &ImportedDocument) -> Result<Expected> {
        // Lot and expiry from the ILMD of the events naming an EPC (commissioning).
        let mut declared: HashMap<&str, (Option<&str>, Option<&str>)> = HashMap::new();
        for e in &doc.events {
            if e.lot.is_some() || e.expiry.is_some() {
                for epc in &e.epcs {
                    declared.insert(epc, (e.lot.as_deref(), e.expiry.as_deref()));
                }
            }
        }
        let mut parent: HashMap<&str, &str> = HashMap::new();
        for (p, children) in &doc.aggregations {
            for c in children {
                parent.insert(c, p);
            }
        }
        // Shipments and their top-level EPCs.
        let mut shipments: Vec<Notice> = Vec::new();
        let mut roots: Vec<(usize, String)> = Vec::new();
        // The shipment on its way: shipping events that no later receipt in the document
        // names (a document carrying the units' history also has their earlier hops); when
        // every shipment was received, the last one.
        let step =
            |e: &ImportedEvent, word: &str| e.biz_step.as_deref().map(cbv_word) == Some(word);
        let names = |e: &ImportedEvent| {
            e.epcs
                .iter()
                .chain(&e.parent)
                .cloned()
                .collect::<HashSet<_>>()
        };
        let all: Vec<(usize, &ImportedEvent)> = doc
            .events
            .iter()
            .enumerate()
            .filter(|(_, e)| step(e, "shipping"))
            .collect();
        let mut shipping: Vec<&ImportedEvent> = all
            .iter()
            .filter(|(i, e)| {
                let shipped = names(e);
                !doc.events[i + 1..]
                    .iter()
                    .any(|r| step(r, "receiving") && !names(r).is_disjoint(&shipped))
            })
            .map(|(_, e)| *e)
            .collect();
        if shipping.is_empty() {
            if let Some((_, last)) = all.last() {
                let id = notice_id(&last.transactions);
                shipping = all
                    .iter()
                    .filter(|(_, e)| notice_id(&e.transactions) == id)
                    .map(|(_, e)| *e)
                    .collect();
            }
        }
        if shipping.is_empty() {
            shipments.push(Notice {
                id: notice_id(&doc.transactions),
                transactions: doc.transactions.clone(),
            });
            for epc in &doc.epcs {
                if !parent.contains_key(epc.as_str()) {
                    roots.push((0, epc.clone()));
                }
            }
        }
        for e in shipping {
            let id = notice_id(&e.transactions);
            let n = match shipments.iter().position(|s| s.id == id) {
                Some(n) => n,
                None => {
                    shipments.push(Notice {
                        id,
                        transactions: Vec::new(),
                    });
                    shipments.len() - 1
                }
            };
            for t in &e.transactions {
                if !shipments[n].transactions.contains(t) {
                    shipments[n].transactions.push(t.clone());
                }
            }
            roots.extend(e.epcs.iter().chain(&e.parent).map(|epc| (n, epc.clone())));
        }
        let mut expected = Expected {
            sender: doc.sender.clone(),
            receiver: doc.receiver.clone(),
            shipments,
            units: Vec::new(),
            index: HashMap::new(),
        };
        for (shipment, root) in roots {
            for epc in std::iter::once(root.clone()).chain(doc.contents(&root)) {
                let code = epc_code(&epc)?;
                let unit = cus::address_of(&code)
                    .map_err(|e| Error::invalid(format!("the document's EPC {epc:?}: {e}")))?;
                if expected.index.contains_key(&unit) {
                    continue;
                }
                let (lot, expiry) = declared.get(epc.as_str()).copied().unwrap_or_default();
                expected.index.insert(unit, expected.units.len());
                expected.units.push(ExpectedUnit {
                    code: hri(&code),
                    unit,
                    lot: lot.map(str::to_string).or_else(|| code.lot.clone()),
                    expiry: expiry
                        .map(iso_date)
                        .or_else(|| code.expiry.as_ref().map(date)),
                    inside: parent.get(epc.as_str()).map(|p| p.to_string()),
                    shipment,
                    epc,
                });
            }
        }
        Ok(expected)
    }

    /// The document's entry for a unit address.
    pub fn get(&self, unit: &Pubkey) -> Option<&ExpectedUnit> {
        self.index.get(unit).map(|&i| &self.units[i])
    }
}

/// How a line stands against the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// In the document, and everything travelling with it too.
    Expected,
    /// Not in the document, or travelling with units the document does not list.
    Overage,
    /// Lot or expiry differ between the document, the barcode and the chain.
    Mismatch,
    /// The chain never commissioned it.
    Unknown,
    /// Not a readable unit code (the reason is the line's).
    Unreadable,
}

/// A lot or expiry that differs: each source's value (`None` where it says nothing).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mismatch {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub unit: Pubkey,
    /// `lot` or `expiry`.
    pub field: &'static str,
    pub document: Option<String>,
    pub barcode: Option<String>,
    pub chain: Option<String>,
}

impl Mismatch {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        for (who, v) in [
            ("document", &self.document),
            ("barcode", &self.barcode),
            ("chain", &self.chain),
        ] {
            if let Some(v) = v {
                parts.push(format!("{who} {v}"));
            }
        }
        format!(
            "{} of {} differs: {}",
            self.field,
            self.unit,
            parts.join(", ")
        )
    }
}

/// One scanned line, received or not, and how it stands against the document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReconciledLine {
    #[serde(flatten)]
    pub result: LineResult,
    pub finding: Finding,
    /// The document's EPC for it, when listed.
    pub epc: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mismatches: Vec<Mismatch>,
    /// Units the chain packs with it that the document does not list.
    #[serde(
        skip_serializing_if = "Vec::is_empty",
        serialize_with = "crate::util::ser_display_vec"
    )]
    pub not_in_document: Vec<Pubkey>,
    #[serde(skip)]
    pub shipment: Option<usize>,
}

/// A unit the document ships that was not received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortage {
    #[serde(flatten)]
    pub unit: ExpectedUnit,
    /// `never scanned`, `unknown to the chain`, or where the chain has it instead.
    pub reason: String,
}

/// The outcome of receiving against a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub expected: Expected,
    pub lines: Vec<ReconciledLine>,
    /// In document order.
    pub shortage: Vec<Shortage>,
    /// Document units now received (scanned, or inside what was).
    pub received: HashSet<Pubkey>,
}

/// Counts of a shipment's report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Units the document ships (packages, cases, pallets).
    pub expected: usize,
    /// Of those, received (scanned, or inside what was).
    pub received: usize,
    pub lines: usize,
    pub done: usize,
    pub already_done: usize,
    pub rejected: usize,
    pub overage: usize,
    pub mismatch: usize,
    pub unknown: usize,
    pub shortage: usize,
}

/// The report of one shipment, for the warehouse system.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShipmentReport<'a> {
    /// The shipment's id (`None`: lines that belong to no shipment of the document).
    pub shipment: Option<&'a str>,
    pub transactions: &'a [BizTransaction],
    pub sender: Option<&'a str>,
    pub receiver: Option<&'a str>,
    pub summary: Summary,
    pub lines: Vec<&'a ReconciledLine>,
    pub shortage: Vec<&'a Shortage>,
}

impl Reconciliation {
    /// Nothing rejected, nothing short.
    pub fn is_clean(&self) -> bool {
        self.shortage.is_empty()
            && self
                .lines
                .iter()
                .all(|l| l.result.status != LineStatus::Rejected)
    }

    /// One report per shipment of the document, then one for lines that belong to none
    /// (when the document has several shipments and a line is in none of them).
    pub fn reports(&self) -> Vec<ShipmentReport<'_>> {
        let e = &self.expected;
        let mut slots: Vec<Option<usize>> = (0..e.shipments.len()).map(Some).collect();
        if self.lines.iter().any(|l| l.shipment.is_none()) {
            slots.push(None);
        }
        slots
            .into_iter()
            .map(|slot| {
                let lines: Vec<&ReconciledLine> =
                    self.lines.iter().filter(|l| l.shipment == slot).collect();
                let shortage: Vec<&Shortage> = self
                    .shortage
                    .iter()
                    .filter(|s| Some(s.unit.shipment) == slot)
                    .collect();
                let units: Vec<&ExpectedUnit> = e
                    .units
                    .iter()
                    .filter(|u| Some(u.shipment) == slot)
                    .collect();
                let status = |s: LineStatus| lines.iter().filter(|l| l.result.status == s).count();
                let finding = |f: Finding| lines.iter().filter(|l| l.finding == f).count();
                let summary = Summary {
                    expected: units.len(),
                    received: units
                        .iter()
                        .filter(|u| self.received.contains(&u.unit))
                        .count(),
                    lines: lines.len(),
                    done: status(LineStatus::Done),
                    already_done: status(LineStatus::AlreadyDone),
                    rejected: status(LineStatus::Rejected),
                    overage: finding(Finding::Overage),
                    mismatch: finding(Finding::Mismatch),
                    unknown: finding(Finding::Unknown),
                    shortage: shortage.len(),
                };
                let notice = slot.map(|n| &e.shipments[n]);
                ShipmentReport {
                    shipment: notice.and_then(|n| n.id.as_deref()),
                    transactions: notice.map(|n| n.transactions.as_slice()).unwrap_or(&[]),
                    sender: e.sender.as_deref(),
                    receiver: e.receiver.as_deref(),
                    summary,
                    lines,
                    shortage,
                }
            })
            .collect()
    }
}

/// What the check of one line decided.
struct Check {
    finding: Finding,
    unit: Option<Pubkey>,
    /// The top-most aggregate the receipt would act on.
    target: Option<Pubkey>,
    refusal: Option<String>,
    mismatches: Vec<Mismatch>,
    not_in_document: Vec<Pubkey>,
}

impl Check {
    fn pass(finding: Finding, unit: Option<Pubkey>) -> Check {
        Check {
            finding,
            unit,
            target: None,
            refusal: None,
            mismatches: Vec::new(),
            not_in_document: Vec::new(),
        }
    }
}

/// Most units one receipt may carry (a pallet of cases of packages).
const MAX_TREE: usize = 100_000;

struct Checker<'a> {
    ledger: &'a dyn Ledger,
    expected: &'a Expected,
    accept_overage: bool,
    /// Top-most aggregate → it and every unit the chain packs in it.
    trees: HashMap<Pubkey, Vec<(Pubkey, Unit)>>,
    /// Lot account → its expiry (`YYYY-MM-DD`), `None` when the lot is missing.
    expiries: HashMap<Pubkey, Option<String>>,
    /// Top-most aggregate → its [`Checker::verdict`].
    verdicts: HashMap<Pubkey, Verdict>,
}

/// The mismatches and the units not in the document of one receipt's tree.
type Verdict = (Arc<Vec<Mismatch>>, Arc<Vec<Pubkey>>);

/// The first `n` of `items` joined by `sep`, and how many more.
fn at_most(items: &[String], n: usize, sep: &str) -> String {
    let shown = items[..items.len().min(n)].join(sep);
    match items.len().saturating_sub(n) {
        0 => shown,
        more => format!("{shown}{sep}and {more} more"),
    }
}

impl Checker<'_> {
    /// The top-most aggregate and everything the chain packs in it, breadth first.
    fn tree(&mut self, top: Pubkey, top_unit: Unit) -> Result<&[(Pubkey, Unit)]> {
        if !self.trees.contains_key(&top) {
            let mut tree = vec![(top, top_unit)];
            let mut i = 0;
            while i < tree.len() {
                let (key, unit) = (tree[i].0, &tree[i].1);
                if unit.kind != UnitKind::Item && unit.child_count > 0 {
                    tree.extend(packed_in(self.ledger, &key)?);
                    tree.extend(self.packages_in(&key)?);
                    if tree.len() > MAX_TREE {
                        return Err(Error::invalid(format!(
                            "{top} carries more than {MAX_TREE} units"
                        )));
                    }
                }
                i += 1;
            }
            self.trees.insert(top, tree);
        }
        Ok(&self.trees[&top])
    }

    /// The compressed packages packed in `aggregate`, as units under their addresses.
    fn packages_in(&mut self, aggregate: &Pubkey) -> Result<Vec<(Pubkey, Unit)>> {
        let mut out = Vec::new();
        for (tree, _, leaf) in cus::packages_in(self.ledger, aggregate)? {
            let lot_key = cus::fetch_tree(self.ledger, &tree)?
                .ok_or_else(|| Error::not_found("package tree", tree))?
                .lot;
            let lot = cus::fetch_lot(self.ledger, &lot_key)?
                .ok_or_else(|| Error::not_found("lot", lot_key))?;
            out.push((
                cus::epcis::package_key(&leaf.serial_hash),
                cus::package_as_unit(&lot_key, &lot, &leaf),
            ));
        }
        Ok(out)
    }

    /// What receiving `top` would carry against the document: the lot and expiry mismatches
    /// of every unit in its tree, and the units the document does not list (once per top,
    /// whatever the number of lines scanned inside it).
    fn verdict(&mut self, top: Pubkey, top_unit: Unit) -> Result<Verdict> {
        if let Some(v) = self.verdicts.get(&top) {
            return Ok(v.clone());
        }
        let tree: Vec<(Pubkey, Unit)> = self.tree(top, top_unit)?.to_vec();
        let (mut mismatches, mut missing) = (Vec::new(), Vec::new());
        for (key, unit) in &tree {
            if self.expected.get(key).is_none() {
                missing.push(*key);
            }
            mismatches.extend(self.compare(key, unit, None)?);
        }
        let v: Verdict = (Arc::new(mismatches), Arc::new(missing));
        self.verdicts.insert(top, v.clone());
        Ok(v)
    }

    fn chain_expiry(&mut self, lot: &Pubkey) -> Result<Option<String>> {
        if let Some(e) = self.expiries.get(lot) {
            return Ok(e.clone());
        }
        let e = cus::fetch_lot(self.ledger, lot)?.map(|l| {
            let d = l.expiry_date;
            format!("{:04}-{:02}-{:02}", d / 10_000, d / 100 % 100, d % 100)
        });
        self.expiries.insert(*lot, e.clone());
        Ok(e)
    }

    /// Lot and expiry of an item as the document, the barcode (when scanned) and the chain
    /// have them: a mismatch per field where the known values are not all equal.
    fn compare(
        &mut self,
        address: &Pubkey,
        unit: &Unit,
        barcode: Option<&Gs1Code>,
    ) -> Result<Vec<Mismatch>> {
        if unit.kind != UnitKind::Item {
            return Ok(Vec::new());
        }
        let doc = self.expected.get(address);
        let doc_lot = doc.and_then(|d| d.lot.clone());
        let bar_lot = barcode.and_then(|c| c.lot.clone());
        // The chain keeps the lot as an account derived from the lot number: name it by the
        // number that derives it, if either source has it.
        let chain_lot = [&doc_lot, &bar_lot]
            .into_iter()
            .flatten()
            .find(|l| cus::lot_pda(&unit.gtin, l).0 == unit.lot)
            .cloned()
            .unwrap_or_else(|| format!("another lot (account {})", unit.lot));
        let doc_exp = doc.and_then(|d| d.expiry.clone());
        let bar_exp = barcode.and_then(|c| c.expiry.as_ref().map(date));
        let chain_exp = self.chain_expiry(&unit.lot)?;
        let mut out = Vec::new();
        for (field, document, barcode, chain) in [
            ("lot", doc_lot, bar_lot, Some(chain_lot)),
            ("expiry", doc_exp, bar_exp, chain_exp),
        ] {
            let known: Vec<&String> = [&document, &barcode, &chain]
                .into_iter()
                .flatten()
                .collect();
            if known.windows(2).any(|w| w[0] != w[1]) {
                out.push(Mismatch {
                    unit: *address,
                    field,
                    document,
                    barcode,
                    chain,
                });
            }
        }
        Ok(out)
    }

    fn check(&mut self, text: &str) -> Result<Check> {
        let Ok(code) = gs1::parse(text) else {
            return Ok(Check::pass(Finding::Unreadable, None));
        };
        let Ok(address) = cus::address_of(&code) else {
            return Ok(Check::pass(Finding::Unreadable, None));
        };
        let found = match cus::top_most(self.ledger, &address)? {
            Some(top) => Some(top),
            // A compressed package travels by itself, or with the aggregate it is packed in.
            None => match cus::unit_of_code(self.ledger, &code)? {
                Some(package) if package.parent == Pubkey::default() => Some((address, package)),
                Some(package) => cus::top_most(self.ledger, &package.parent)?,
                None => None,
            },
        };
        let Some((top, top_unit)) = found else {
            // The receipt verifies it and says why (unknown serial, unknown prefix).
            return Ok(Check::pass(Finding::Unknown, Some(address)));
        };
        let listed = self.expected.get(&address).is_some();
        let mut check = Check::pass(
            if listed {
                Finding::Expected
            } else {
                Finding::Overage
            },
            Some(address),
        );
        check.target = Some(top);
        // Everything the receipt would carry, then the scanned unit (read with that tree)
        // against its barcode.
        let (tree_mismatches, missing) = self.verdict(top, top_unit)?;
        let this = self.trees[&top]
            .iter()
            .find(|(k, _)| *k == address)
            .map(|(_, u)| u.clone())
            .expect("a unit is in the tree of its top-most aggregate");
        check.mismatches = self.compare(&address, &this, Some(&code))?;
        check.mismatches.extend(
            tree_mismatches
                .iter()
                .filter(|m| m.unit != address)
                .cloned(),
        );
        check.not_in_document = missing.iter().filter(|k| **k != address).copied().collect();
        if !check.mismatches.is_empty() {
            check.finding = Finding::Mismatch;
            let words: Vec<String> = check.mismatches.iter().map(Mismatch::describe).collect();
            check.refusal = Some(format!("not received: {}", at_most(&words, 5, "; ")));
        } else if !check.not_in_document.is_empty() {
            check.finding = Finding::Overage;
        }
        if check.finding == Finding::Overage && !self.accept_overage {
            check.refusal = Some(if listed {
                let units: Vec<String> = check
                    .not_in_document
                    .iter()
                    .map(Pubkey::to_string)
                    .collect();
                format!(
                    "not received: {} travel with it in {top} and are not in the document \
                     (--accept-overage receives them)",
                    at_most(&units, 5, ", ")
                )
            } else {
                "not received: not in the document (--accept-overage receives it)".into()
            });
        }
        Ok(check)
    }
}

/// The units the chain packs directly in `aggregate`.
pub fn packed_in(ledger: &dyn Ledger, aggregate: &Pubkey) -> Result<Vec<(Pubkey, Unit)>> {
    let filters = [
        AccountFilter::DataSize((8 + <Unit as anchor_lang::Space>::INIT_SPACE) as u64),
        AccountFilter::memcmp(0, Unit::DISCRIMINATOR.to_vec()),
        AccountFilter::memcmp(Unit::PARENT_OFFSET, aggregate.to_bytes().to_vec()),
    ];
    let mut out: Vec<(Pubkey, Unit)> = ledger
        .get_program_accounts(&cus::PROGRAM_ID, &filters)?
        .into_iter()
        .filter_map(|(k, a)| crate::account::decode::<Unit>(&a.data).map(|u| (k, u)))
        .collect();
    out.sort_by_key(|(k, _)| *k);
    Ok(out)
}

/// Receives the scanned `lines` against `expected` (see the module docs): `scanner` receives,
/// `payer` pays.
pub fn receive_against(
    ledger: &dyn Ledger,
    scanner: &Keypair,
    payer: &Keypair,
    expected: &Expected,
    accept_overage: bool,
    lines: &[(usize, String)],
    progress: &mut dyn ScanProgress,
) -> Result<Reconciliation> {
    let mut checker = Checker {
        ledger,
        expected,
        accept_overage,
        trees: HashMap::new(),
        expiries: HashMap::new(),
        verdicts: HashMap::new(),
    };
    let single = (expected.shipments.len() == 1).then_some(0);
    let mut out: Vec<ReconciledLine> = Vec::with_capacity(lines.len());
    let mut targets: Vec<Option<Pubkey>> = Vec::with_capacity(lines.len());
    // The unit or package address each line names (a package's result names `tree#index`).
    let mut units: Vec<Option<Pubkey>> = Vec::with_capacity(lines.len());
    let mut passed: Vec<(usize, String)> = Vec::new();
    let mut passed_at: Vec<usize> = Vec::new();
    for (line, text) in lines {
        let check = checker.check(text)?;
        let own = check.unit.and_then(|u| expected.get(&u));
        let shipment = own
            .or_else(|| check.target.and_then(|t| expected.get(&t)))
            .map(|u| u.shipment)
            .or(single);
        if check.refusal.is_none() {
            passed.push((*line, text.clone()));
            passed_at.push(out.len());
        }
        targets.push(check.target);
        units.push(check.unit);
        out.push(ReconciledLine {
            result: LineResult {
                line: *line,
                code: text.clone(),
                status: LineStatus::Rejected,
                unit: check.unit.map(|u| u.to_string()),
                reason: check.refusal,
                verification: None,
                signature: None,
            },
            finding: check.finding,
            epc: own.map(|u| u.epc.clone()),
            mismatches: check.mismatches,
            not_in_document: check.not_in_document,
            shipment,
        });
    }
    let results = scan::run(
        ledger,
        scanner,
        payer,
        &ScanAction::Receive,
        &passed,
        progress,
    )?;
    for (r, at) in results.into_iter().zip(passed_at) {
        out[at].result = r;
    }
    // What the document ships that is now received: everything a done line carried.
    let mut received = HashSet::new();
    for (l, target) in out.iter().zip(&targets) {
        if l.result.status == LineStatus::Rejected {
            continue;
        }
        if let Some(tree) = target.and_then(|t| checker.trees.get(&t)) {
            received.extend(
                tree.iter()
                    .map(|(k, _)| *k)
                    .filter(|k| expected.get(k).is_some()),
            );
        }
    }
    let by_epc: HashMap<&str, Pubkey> = expected
        .units
        .iter()
        .map(|u| (u.epc.as_str(), u.unit))
        .collect();
    // The first refused line of each unit.
    let mut refused: HashMap<Pubkey, usize> = HashMap::new();
    for (l, unit) in out.iter().zip(&units) {
        if l.result.status == LineStatus::Rejected {
            if let Some(u) = unit {
                refused.entry(*u).or_insert(l.result.line);
            }
        }
    }
    let mut shortage = Vec::new();
    for u in expected
        .units
        .iter()
        .filter(|u| !received.contains(&u.unit))
    {
        let chain = match cus::fetch_unit(ledger, &u.unit)? {
            Some(unit) => Some(unit),
            // A compressed package is found by its GTIN, serial and the lot the document
            // declares (an EPC carries no lot).
            None => match gs1::parse(&u.code) {
                Ok(mut code) => {
                    code.lot = code.lot.or_else(|| u.lot.clone());
                    cus::unit_of_code(ledger, &code)?
                }
                Err(_) => None,
            },
        };
        let reason = match chain {
            None => "unknown to the chain".to_string(),
            Some(chain) => {
                let doc_parent = u.inside.as_deref().and_then(|p| by_epc.get(p)).copied();
                // The unit and what the document packs it in, up to the shipped one.
                let mut lineage = vec![u.unit];
                let mut up = u.inside.as_deref();
                while let Some(p) = up.filter(|_| lineage.len() <= 4) {
                    let Some(a) = by_epc.get(p) else { break };
                    lineage.push(*a);
                    up = expected.get(a).and_then(|x| x.inside.as_deref());
                }
                let named = lineage.iter().filter_map(|a| refused.get(a)).min();
                if chain.parent != doc_parent.unwrap_or_default() {
                    match &u.inside {
                        Some(p) if chain.parent == Pubkey::default() => {
                            format!("the document packs it in {p}; the chain does not")
                        }
                        _ => format!("on the chain it is packed in {}", chain.parent),
                    }
                } else if let Some(line) = named {
                    format!("line {line} did not receive it")
                } else {
                    "never scanned".to_string()
                }
            }
        };
        shortage.push(Shortage {
            unit: u.clone(),
            reason,
        });
    }
    Ok(Reconciliation {
        expected: expected.clone(),
        lines: out,
        shortage,
        received,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cbv_words_in_every_spelling() {
        for s in [
            "urn:epcglobal:cbv:bizstep:shipping",
            "shipping",
            "https://ref.gs1.org/cbv/BizStep-shipping",
        ] {
            assert_eq!(cbv_word(s), "shipping");
        }
        let t = |kind: &str, id: &str| BizTransaction {
            kind: kind.into(),
            id: id.into(),
        };
        assert_eq!(
            notice_id(&[
                t("urn:epcglobal:cbv:btt:po", "PO"),
                t("urn:epcglobal:cbv:btt:desadv", "ASN")
            ]),
            Some("ASN".into())
        );
        assert_eq!(notice_id(&[t("x", "X")]), Some("X".into()));
        assert_eq!(notice_id(&[]), None);
        assert_eq!(iso_date("2027-06-30T00:00:00Z"), "2027-06-30");
        assert_eq!(iso_date("30/06/2027"), "30/06/2027");
        let items: Vec<String> = (1..=7).map(|i| i.to_string()).collect();
        assert_eq!(at_most(&items, 5, ", "), "1, 2, 3, 4, 5, and 2 more");
        assert_eq!(at_most(&items[..2], 5, ", "), "1, 2");
    }

    #[test]
    fn a_document_expects_its_shipped_units_and_their_contents() {
        let xml = r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1" schemaVersion="1.2"><EPCISBody><EventList>
          <ObjectEvent><epcList><epc>urn:epc:id:sgtin:9501101.002091.A</epc><epc>urn:epc:id:sgtin:9501101.002091.B</epc><epc>urn:epc:id:sgtin:9501101.002091.C</epc></epcList><action>ADD</action><bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
            <extension><ilmd><cbvmda:lotNumber xmlns:cbvmda="urn:epcglobal:cbv:mda">L1</cbvmda:lotNumber><cbvmda:itemExpirationDate xmlns:cbvmda="urn:epcglobal:cbv:mda">2027-12-31</cbvmda:itemExpirationDate></ilmd></extension></ObjectEvent>
          <AggregationEvent><parentID>urn:epc:id:sscc:0614141.1000000001</parentID><childEPCs><epc>urn:epc:id:sgtin:9501101.002091.A</epc><epc>urn:epc:id:sgtin:9501101.002091.B</epc></childEPCs><action>ADD</action></AggregationEvent>
          <ObjectEvent><epcList><epc>urn:epc:id:sscc:0614141.1000000001</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>
            <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:desadv">ASN-1</bizTransaction></bizTransactionList></ObjectEvent>
        </EventList></EPCISBody></epcis:EPCISDocument>"#;
        let doc = super::super::epcis_import::import(xml.as_bytes()).unwrap();
        let e = Expected::from_document(&doc).unwrap();
        assert_eq!(e.shipments.len(), 1);
        assert_eq!(e.shipments[0].id.as_deref(), Some("ASN-1"));
        // C was commissioned but not shipped: not expected.
        let codes: Vec<&str> = e.units.iter().map(|u| u.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "(00)106141410000000019",
                "(01)09501101020917(21)A",
                "(01)09501101020917(21)B"
            ]
        );
        assert_eq!(e.units[1].lot.as_deref(), Some("L1"));
        assert_eq!(e.units[1].expiry.as_deref(), Some("2027-12-31"));
        assert_eq!(
            e.units[1].inside.as_deref(),
            Some("urn:epc:id:sscc:0614141.1000000001")
        );
        assert_eq!(e.units[0].lot, None);
    }

    #[test]
    fn a_hop_the_document_also_shows_received_is_history_not_the_shipment() {
        let event = |step: &str, epc: &str, asn: &str| {
            format!(
                r#"<ObjectEvent><epcList><epc>{epc}</epc></epcList><action>OBSERVE</action><bizStep>urn:epcglobal:cbv:bizstep:{step}</bizStep>
                <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:desadv">{asn}</bizTransaction></bizTransactionList></ObjectEvent>"#
            )
        };
        let (case, a) = (
            "urn:epc:id:sscc:0614141.1000000001",
            "urn:epc:id:sgtin:9501101.002091.A",
        );
        let doc = |events: Vec<String>| {
            let xml = format!(
                r#"<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:1"><EPCISBody><EventList>{}</EventList></EPCISBody></epcis:EPCISDocument>"#,
                events.concat()
            );
            let d = super::super::epcis_import::import(xml.as_bytes()).unwrap();
            Expected::from_document(&d).unwrap()
        };
        // The case went to the distributor and was received; package A goes on to the pharmacy.
        let e = doc(vec![
            event("shipping", case, "ASN-1"),
            event("receiving", case, "ASN-1"),
            event("shipping", a, "ASN-2"),
        ]);
        assert_eq!(e.shipments.len(), 1);
        assert_eq!(e.shipments[0].id.as_deref(), Some("ASN-2"));
        assert_eq!(e.units.len(), 1);
        assert_eq!(e.units[0].epc, a);
        // Everything received already: the last shipment is the one to check against.
        let e = doc(vec![
            event("shipping", case, "ASN-1"),
            event("receiving", case, "ASN-1"),
            event("shipping", a, "ASN-2"),
            event("receiving", a, "ASN-2"),
        ]);
        assert_eq!(e.shipments[0].id.as_deref(), Some("ASN-2"));
        assert_eq!(e.units.len(), 1);
    }
}
