//! Shipment scanning: turn scanner lines into custody actions, verify each code, pack as many
//! actions per transaction as fit, and report a result per line.
//!
//! Safe to re-run: every line is resolved against the ledger's current state before anything
//! is sent, so an action that already landed (in this run, a previous interrupted run, or by
//! scanning a case whose package was also scanned) is reported as `already_done` and never
//! sent twice. Each transaction is atomic, so an interruption loses at most the transaction in
//! flight, which the next run redoes.

use crate::custody::{self as cus, HopStatus, UnitKind, UnitStatus, Verification};
use crate::gs1;
use crate::ledger::{send_instructions, Ledger};
use crate::Result;
use serde::Serialize;
use solana_sdk::{
    instruction::Instruction,
    message::Message,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::Transaction,
};
use std::collections::HashMap;

/// Largest serialized transaction the network accepts.
pub const MAX_TX_SIZE: usize = 1232;
/// At most this many custody instructions per transaction, so a batch also stays well inside
/// the 1.4M compute-unit budget on SBF.
pub const MAX_ACTIONS_PER_TX: usize = 24;

/// What to do with each scanned code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanAction {
    /// Verify only (expected holder: the scanner).
    Verify,
    /// Receive shipments addressed to the scanner.
    Receive,
    /// Receive with a temperature logger's readings: each receipt carries their summary,
    /// checked on chain against the lot's storage condition (an excursion quarantines the
    /// unit at receipt).
    ReceiveSensed(Box<super::cold_chain::Readings>),
    /// Ship to this registered trading partner.
    ShipTo {
        receiver: Pubkey,
        args: cus::ShipArgs,
    },
    /// Dispense (the scanner is a dispenser holding the packages).
    Dispense,
}

impl ScanAction {
    /// Shipping to `receiver`, a registered trading partner, from the `scanner`'s location
    /// (see [`shipment_args`]).
    pub fn ship_to(
        ledger: &dyn Ledger,
        scanner: &Pubkey,
        receiver: Pubkey,
        read_point: Option<[u8; 13]>,
        shipment: Option<&str>,
        is_return: bool,
    ) -> Result<ScanAction> {
        let args = shipment_args(ledger, scanner, &receiver, read_point, shipment, is_return)?;
        Ok(ScanAction::ShipTo { receiver, args })
    }
}

/// The arguments of a shipment from `sender` to `receiver`, which must be another registered
/// trading partner: `read_point` defaults to the sender's registered GLN, the shipment id
/// (only its hash goes on chain) to `scan-<unix time>`.
pub fn shipment_args(
    ledger: &dyn Ledger,
    sender: &Pubkey,
    receiver: &Pubkey,
    read_point: Option<[u8; 13]>,
    shipment: Option<&str>,
    is_return: bool,
) -> Result<cus::ShipArgs> {
    if receiver == sender {
        return Err(crate::Error::invalid(
            "a shipment goes to another trading partner, not to its sender",
        ));
    }
    if crate::registry::fetch_participant(ledger, receiver)?.is_none() {
        return Err(crate::Error::invalid(format!(
            "{receiver} is not a registered trading partner"
        )));
    }
    let read_point = match read_point {
        Some(g) => g,
        None => crate::registry::fetch_participant(ledger, sender)?
            .map(|p| p.gln)
            .ok_or_else(|| {
                crate::Error::invalid(
                    "the scanner is not registered, so it has no GLN: give the read point",
                )
            })?,
    };
    let shipment = shipment
        .map(str::to_string)
        .unwrap_or_else(|| format!("scan-{}", crate::util::unix_now()));
    Ok(cus::ShipArgs {
        read_point,
        shipment_ref: cus::shipment_ref(&shipment),
        is_return,
    })
}

/// The outcome of one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineStatus {
    Done,
    AlreadyDone,
    Rejected,
}

/// One line's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineResult {
    /// 1-based line number in the input.
    pub line: usize,
    pub code: String,
    pub status: LineStatus,
    /// The unit or aggregate the line resolved to.
    pub unit: Option<String>,
    /// Why it was rejected or already done, in words.
    pub reason: Option<String>,
    /// The verification's code (`genuine`, `unknown_serial`, `lot_recalled`, …) when the line
    /// was verified: what a program should match on.
    pub verification: Option<&'static str>,
    /// The transaction that carried the action.
    pub signature: Option<String>,
}

/// Progress callbacks (a progress bar, plain log lines, or nothing).
pub trait ScanProgress {
    fn start(&mut self, _lines: usize) {}
    fn advance(&mut self, _done: usize, _message: &str) {}
    fn finish(&mut self) {}
}

/// No progress reporting.
pub struct Quiet;
impl ScanProgress for Quiet {}

struct Planned<'a> {
    line: usize,
    /// The instruction as planned: its size packs the transactions.
    instruction: Instruction,
    /// Builds the instruction again when it is sent: a compressed package's state and proof
    /// come from its tree as the scan's own earlier transactions left it.
    rebuild: Option<Rebuild<'a>>,
}

type Rebuild<'a> = Box<dyn Fn(&mut Trees) -> Result<Instruction> + 'a>;

/// The package trees a scan touches, read once and kept current from the events of the
/// scan's own transactions (a proof the chain rejects because somebody else moved the tree
/// drops them, and they are read again).
struct Trees<'l> {
    ledger: &'l dyn Ledger,
    indexes: HashMap<Pubkey, cus::PackageTreeIndex>,
}

impl Trees<'_> {
    fn get(&mut self, tree: &Pubkey) -> Result<&cus::PackageTreeIndex> {
        if !self.indexes.contains_key(tree) {
            let index = cus::PackageTreeIndex::load(self.ledger, tree)?;
            self.indexes.insert(*tree, index);
        }
        Ok(&self.indexes[tree])
    }

    fn apply(&mut self, out: &crate::ledger::TxOutcome) -> Result<()> {
        for event in out.events() {
            if let crate::events::CaretrailEvent::Custody(e) = event {
                for index in self.indexes.values_mut() {
                    index.apply(&e)?;
                }
            }
        }
        Ok(())
    }
}

/// Reads scanner lines, skipping blank ones: `(1-based line number, text)`.
pub fn scan_lines(input: &str) -> Vec<(usize, String)> {
    input
        .split('\n')
        .enumerate()
        .map(|(i, l)| (i + 1, clean_line(l).to_string()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// A scanner line without what scanners and editors add around the code: a UTF-8 byte order
/// mark, spaces, tabs and the carriage return (never the GS separator inside the code).
pub fn clean_line(line: &str) -> &str {
    line.trim_matches(|c| matches!(c, '\u{feff}' | ' ' | '\t' | '\r' | '\n'))
}

/// Runs `action` on every line: see the module docs. `scanner` signs the actions, `payer` pays.
pub fn run(
    ledger: &dyn Ledger,
    scanner: &Keypair,
    payer: &Keypair,
    action: &ScanAction,
    lines: &[(usize, String)],
    progress: &mut dyn ScanProgress,
) -> Result<Vec<LineResult>> {
    progress.start(lines.len());
    let me = scanner.pubkey();
    let mut results: Vec<LineResult> = Vec::with_capacity(lines.len());
    let mut planned: Vec<Planned> = Vec::new();
    let mut trees = Trees {
        ledger,
        indexes: HashMap::new(),
    };
    // Target (unit or aggregate actually acted on) → first line that planned it.
    let mut targets: HashMap<Pubkey, usize> = HashMap::new();
    for (n, (line, text)) in lines.iter().enumerate() {
        let mut result = LineResult {
            line: *line,
            code: text.clone(),
            status: LineStatus::Rejected,
            unit: None,
            reason: None,
            verification: None,
            signature: None,
        };
        match plan_line(ledger, &me, payer, action, text, &mut trees)? {
            Plan::Reject(reason) => result.reason = Some(reason),
            Plan::Alert(unit, v, advice) => {
                result.unit = Some(unit);
                result.reason = Some(format!("{}{advice}", v.describe()));
                result.verification = Some(v.name());
            }
            Plan::AlreadyDone(unit, reason) => {
                result.unit = Some(unit);
                result.status = LineStatus::AlreadyDone;
                result.reason = Some(reason);
            }
            Plan::Verified(unit, v) => {
                result.unit = Some(unit);
                result.status = if v.is_genuine() {
                    LineStatus::Done
                } else {
                    LineStatus::Rejected
                };
                result.reason = Some(v.describe());
                result.verification = Some(v.name());
            }
            Plan::Act {
                unit,
                target,
                own,
                instruction,
                rebuild,
            } => {
                result.unit = Some(unit);
                if let Some(first) = targets.get(&target) {
                    result.status = LineStatus::AlreadyDone;
                    result.reason = Some(if own {
                        format!("duplicate of line {first}")
                    } else {
                        format!("travels in {target}, handled with line {first}")
                    });
                } else {
                    targets.insert(target, *line);
                    planned.push(Planned {
                        line: results.len(),
                        instruction,
                        rebuild,
                    });
                }
            }
        }
        results.push(result);
        progress.advance(n + 1, "resolved");
    }
    // Pack and send.
    let batches = pack(&planned, &payer.pubkey())?;
    let signers: Vec<&Keypair> = if scanner.pubkey() == payer.pubkey() {
        vec![]
    } else {
        vec![scanner]
    };
    for batch in batches {
        let mut ixs = Vec::with_capacity(batch.len());
        let mut sent = Vec::with_capacity(batch.len());
        for p in batch {
            match build(p, &mut trees) {
                Ok(ix) => {
                    ixs.push(ix);
                    sent.push(p);
                }
                Err(e) => results[p.line].reason = Some(describe(&e)),
            }
        }
        let done = |r: &mut LineResult, out: &crate::ledger::TxOutcome| {
            r.status = LineStatus::Done;
            r.signature = Some(out.signature.to_string());
        };
        match send_instructions(ledger, payer, &signers, &ixs) {
            Ok(out) => {
                trees.apply(&out)?;
                for p in &sent {
                    done(&mut results[p.line], &out);
                }
            }
            Err(e) if sent.len() == 1 && sent[0].rebuild.is_none() => {
                results[sent[0].line].reason = Some(describe(&e))
            }
            Err(_) => {
                // Isolate the failing action: one transaction per action.
                for p in &sent {
                    match send_one(ledger, payer, &signers, p, &mut trees) {
                        Ok(out) => done(&mut results[p.line], &out),
                        Err(e) => results[p.line].reason = Some(describe(&e)),
                    }
                }
            }
        }
        progress.advance(lines.len(), &format!("{} actions sent", sent.len()));
    }
    progress.finish();
    Ok(results)
}

/// The instruction to send for `p`: as planned, or built again from the current tree.
fn build(p: &Planned, trees: &mut Trees) -> Result<Instruction> {
    match &p.rebuild {
        Some(rebuild) => rebuild(trees),
        None => Ok(p.instruction.clone()),
    }
}

/// Sends one action alone; a compressed package's proof the chain rejects (somebody else moved
/// its tree) is built again from the trees read afresh, and sent once more.
fn send_one(
    ledger: &dyn Ledger,
    payer: &Keypair,
    signers: &[&Keypair],
    p: &Planned,
    trees: &mut Trees,
) -> Result<crate::ledger::TxOutcome> {
    let first = send_instructions(ledger, payer, signers, &[build(p, trees)?]);
    let out = match first {
        Err(e) if p.rebuild.is_some() && cus::is_invalid_proof(&e) => {
            trees.indexes.clear();
            send_instructions(ledger, payer, signers, &[build(p, trees)?])?
        }
        other => other?,
    };
    trees.apply(&out)?;
    Ok(out)
}

fn describe(e: &crate::Error) -> String {
    match crate::error::decode(e) {
        Some(info) => format!("{}: {}", info.name, info.message),
        None => e.to_string(),
    }
}

enum Plan<'a> {
    Reject(String),
    /// A verification other than genuine stops the action (and what to do about it).
    Alert(String, Verification, &'static str),
    AlreadyDone(String, String),
    Verified(String, Verification),
    Act {
        /// The unit, or the compressed package (`tree#index`), the line names.
        unit: String,
        /// What is acted on: the unit, the aggregate it travels in, or the package's hop.
        target: Pubkey,
        /// Whether `target` is the line's own unit or package (not an aggregate around it).
        own: bool,
        instruction: Instruction,
        rebuild: Option<Rebuild<'a>>,
    },
}

fn act<'a>(unit: &Pubkey, target: Pubkey, instruction: Instruction) -> Plan<'a> {
    Plan::Act {
        unit: unit.to_string(),
        target,
        own: target == *unit,
        instruction,
        rebuild: None,
    }
}

fn plan_line<'a>(
    ledger: &'a dyn Ledger,
    me: &Pubkey,
    payer: &Keypair,
    action: &'a ScanAction,
    text: &str,
    trees: &mut Trees,
) -> Result<Plan<'a>> {
    let code = match gs1::parse(text) {
        Ok(c) => c,
        Err(e) => return Ok(Plan::Reject(format!("malformed barcode: {e}"))),
    };
    let unit = match cus::address_of(&code) {
        Ok(a) => a,
        Err(e) => return Ok(Plan::Reject(e.to_string())),
    };
    // Verification first: counterfeit and diversion signals stop every action. A verify scan
    // also expects the scanner to hold the unit; the other actions check holding themselves.
    let expected = (*action == ScanAction::Verify).then_some(me);
    // The code names a unit (checked above), so only the ledger can fail here.
    let verification = cus::verify(ledger, &code, expected)?;
    let Some((top, top_unit)) = cus::top_most(ledger, &unit)? else {
        // Not a unit: a compressed package (found by its GTIN, lot and serial), or unknown.
        // (A code verification found nowhere is looked up no further.)
        let known = !matches!(
            verification,
            Verification::UnknownSerial { .. } | Verification::UnknownPrefix { .. }
        );
        if let Some(found) = known.then(|| cus::package_of(ledger, &code).ok()).flatten() {
            return plan_package(ledger, me, payer, action, verification, found, trees);
        }
        if *action == ScanAction::Verify {
            return Ok(Plan::Verified(unit.to_string(), verification));
        }
        let unknown = Verification::UnknownSerial {
            unit: unit.to_string(),
        };
        return Ok(Plan::Alert(unit.to_string(), unknown, ""));
    };
    if *action == ScanAction::Verify {
        return Ok(Plan::Verified(unit.to_string(), verification));
    }
    let this = cus::fetch_unit(ledger, &unit)?.expect("exists when verified");
    let label = unit.to_string();
    match action {
        ScanAction::Verify => unreachable!("handled above"),
        ScanAction::Receive | ScanAction::ReceiveSensed(_) => plan_receive(
            ledger,
            me,
            action,
            &unit,
            (top, top_unit),
            this.is_terminal(),
            verification,
        ),
        ScanAction::ShipTo { receiver, args } => {
            if top != unit {
                return Ok(Plan::Reject(format!(
                    "packed in {top}: scan the case or pallet, or unpack it first"
                )));
            }
            if this.status == UnitStatus::InTransit {
                let hop = cus::fetch_hop(ledger, &unit, this.hop_count)?;
                if matches!(hop, Some(h) if h.from == *me && h.to == *receiver) {
                    return Ok(Plan::AlreadyDone(
                        label,
                        "already shipped to this receiver".into(),
                    ));
                }
            }
            if let Some(stop) = ship_stop(&label, &verification, &this.holder, this.status, me) {
                return Ok(stop);
            }
            Ok(act(
                &unit,
                unit,
                cus::ship_ix(
                    &payer.pubkey(),
                    &cus::Shipment {
                        sender: me,
                        receiver,
                        unit: &unit,
                        hop_index: this.hop_count,
                        lot: (this.kind == UnitKind::Item).then_some(this.lot),
                        args: args.clone(),
                    },
                ),
            ))
        }
        ScanAction::Dispense => {
            if this.kind != UnitKind::Item && verification.is_genuine() {
                return Ok(Plan::Reject(
                    "a case or pallet is not dispensed: unpack it".into(),
                ));
            }
            let packed = (top != unit).then_some(top);
            if let Some(stop) =
                dispense_stop(&label, &verification, &this.holder, this.status, packed, me)
            {
                return Ok(stop);
            }
            Ok(act(&unit, unit, cus::dispense_ix(me, &unit, &this.lot)))
        }
    }
}

/// Receiving the line's unit or package, which travels as `top` (itself, or the top-most
/// aggregate it is packed in).
fn plan_receive<'a>(
    ledger: &dyn Ledger,
    me: &Pubkey,
    action: &ScanAction,
    unit: &Pubkey,
    (top, top_unit): (Pubkey, cus::Unit),
    terminal: bool,
    verification: Verification,
) -> Result<Plan<'a>> {
    plan_receive_labelled(
        ledger,
        me,
        action,
        unit.to_string(),
        top == *unit,
        (top, top_unit),
        terminal,
        verification,
    )
}

#[allow(clippy::too_many_arguments)]
fn plan_receive_labelled<'a>(
    ledger: &dyn Ledger,
    me: &Pubkey,
    action: &ScanAction,
    label: String,
    own: bool,
    (top, top_unit): (Pubkey, cus::Unit),
    terminal: bool,
    verification: Verification,
) -> Result<Plan<'a>> {
    if top_unit.status == UnitStatus::InTransit {
        let hop = cus::fetch_hop(ledger, &top, top_unit.hop_count)?;
        return Ok(match hop {
            Some(h) if h.status == HopStatus::Shipped && h.to == *me => match &verification {
                Verification::Genuine { .. } => {
                    let pending = cus::PendingHop {
                        unit: &top,
                        hop_index: top_unit.hop_count,
                        payer: &h.payer,
                    };
                    let instruction = match action {
                        ScanAction::ReceiveSensed(readings) => {
                            let (governing, summary) =
                                super::cold_chain::summary_for(ledger, &top, readings)?;
                            cus::receive_with_sensor_ix(me, &pending, &governing, summary)
                        }
                        _ => cus::receive_ix(
                            me,
                            &pending,
                            (top_unit.kind == UnitKind::Item).then_some(top_unit.lot),
                        ),
                    };
                    Plan::Act {
                        unit: label,
                        target: top,
                        own,
                        instruction,
                        rebuild: None,
                    }
                }
                other => Plan::Alert(label, other.clone(), ": refuse the shipment instead"),
            },
            Some(h) => Plan::Reject(format!("diversion: in transit to {}, not to you", h.to)),
            None => Plan::Reject("in transit, but its hop is missing".into()),
        });
    }
    if top_unit.holder == *me && !terminal {
        return Ok(Plan::AlreadyDone(label, "already received".into()));
    }
    Ok(match verification {
        Verification::Genuine { holder, .. } => {
            Plan::Reject(format!("not shipped to you (held by {holder})"))
        }
        other => Plan::Alert(label, other, ""),
    })
}

/// What stops shipping a unit or loose package held by `holder` in `status`, if anything.
fn ship_stop<'a>(
    label: &str,
    verification: &Verification,
    holder: &Pubkey,
    status: UnitStatus,
    me: &Pubkey,
) -> Option<Plan<'a>> {
    if !verification.is_genuine() {
        return Some(Plan::Alert(label.to_string(), verification.clone(), ""));
    }
    if holder != me {
        return Some(Plan::Reject(format!("held by {holder}, not by you")));
    }
    if status != UnitStatus::Active {
        return Some(Plan::Reject(format!(
            "the unit is {}",
            cus::status_name(status).replace('_', " ")
        )));
    }
    None
}

/// What stops dispensing an item or package held by `holder` in `status` (packed in
/// `packed`), if anything.
fn dispense_stop<'a>(
    label: &str,
    verification: &Verification,
    holder: &Pubkey,
    status: UnitStatus,
    packed: Option<Pubkey>,
    me: &Pubkey,
) -> Option<Plan<'a>> {
    if status == UnitStatus::Dispensed && holder == me {
        return Some(Plan::AlreadyDone(
            label.to_string(),
            "already dispensed".into(),
        ));
    }
    if !verification.is_genuine() {
        return Some(Plan::Alert(label.to_string(), verification.clone(), ""));
    }
    if let Some(top) = packed {
        return Some(Plan::Reject(format!("packed in {top}: unpack it first")));
    }
    if holder != me {
        return Some(Plan::Reject(format!("held by {holder}, not by you")));
    }
    None
}

/// A compressed package's move.
#[derive(Clone)]
enum PackageMove<'a> {
    Receive {
        hop_payer: Pubkey,
        readings: Option<&'a super::cold_chain::Readings>,
    },
    Ship {
        receiver: Pubkey,
        args: cus::ShipArgs,
    },
    Dispense,
}

/// The instruction that makes `mv` on the proven package of `tree` (its lot `lot`).
fn package_ix(
    ledger: &dyn Ledger,
    me: &Pubkey,
    fee_payer: &Pubkey,
    tree: &Pubkey,
    lot: &Pubkey,
    package: cus::PackageProof,
    mv: &PackageMove,
) -> Result<Instruction> {
    Ok(match mv {
        PackageMove::Receive {
            hop_payer,
            readings: None,
        } => cus::complete_package_hop_ix(me, hop_payer, tree, lot, package, None),
        PackageMove::Receive {
            hop_payer,
            readings: Some(readings),
        } => {
            let range = super::cold_chain::fetch_storage(ledger, lot)?
                .map(|c| (c.min_centi_celsius, c.max_centi_celsius));
            cus::receive_package_with_sensor_ix(
                me,
                hop_payer,
                tree,
                lot,
                package,
                readings.summary(range),
            )
        }
        PackageMove::Ship { receiver, args } => cus::ship_package_ix(
            me,
            receiver,
            fee_payer,
            tree,
            lot,
            cus::ShipPackageArgs {
                package,
                read_point: args.read_point,
                shipment_ref: args.shipment_ref,
                is_return: args.is_return,
            },
        ),
        PackageMove::Dispense => cus::dispense_package_ix(me, tree, lot, package),
    })
}

/// The pending hop of a compressed package in transit.
fn pending_hop(ledger: &dyn Ledger, found: &cus::FoundPackage) -> Result<Option<cus::PackageHop>> {
    let key = cus::package_hop_pda(&found.tree, found.index, found.leaf.hop_count).0;
    crate::account::fetch_owned(ledger, &key, &cus::PROGRAM_ID)
}

/// A line naming a compressed package: the same rules as for a unit, on its leaf. A packed
/// package is received with the aggregate it travels in; a loose one moves with its proof,
/// built again from the tree when its transaction is sent.
fn plan_package<'a>(
    ledger: &'a dyn Ledger,
    me: &Pubkey,
    payer: &Keypair,
    action: &'a ScanAction,
    verification: Verification,
    found: cus::FoundPackage,
    trees: &mut Trees,
) -> Result<Plan<'a>> {
    let label = found.id();
    if *action == ScanAction::Verify {
        return Ok(Plan::Verified(label, verification));
    }
    let leaf = found.leaf;
    let top = if leaf.in_aggregate() {
        Some(
            cus::top_most(ledger, &leaf.parent)?
                .ok_or_else(|| crate::Error::not_found("aggregate", leaf.parent))?,
        )
    } else {
        None
    };
    let terminal = matches!(
        leaf.status,
        UnitStatus::Dispensed
            | UnitStatus::Decommissioned
            | UnitStatus::Destroyed
            | UnitStatus::Illegitimate
    );
    let mv = match action {
        ScanAction::Verify => unreachable!("handled above"),
        ScanAction::Receive | ScanAction::ReceiveSensed(_) => {
            if let Some(top) = top {
                return plan_receive_labelled(
                    ledger,
                    me,
                    action,
                    label,
                    false,
                    top,
                    terminal,
                    verification,
                );
            }
            let readings = match action {
                ScanAction::ReceiveSensed(r) => Some(&**r),
                _ => None,
            };
            if leaf.status == UnitStatus::InTransit {
                match pending_hop(ledger, &found)? {
                    Some(h) if h.to == *me => {
                        if !verification.is_genuine() {
                            return Ok(Plan::Alert(
                                label,
                                verification,
                                ": refuse the shipment instead",
                            ));
                        }
                        PackageMove::Receive {
                            hop_payer: h.payer,
                            readings,
                        }
                    }
                    Some(h) => {
                        return Ok(Plan::Reject(format!(
                            "diversion: in transit to {}, not to you",
                            h.to
                        )))
                    }
                    None => return Ok(Plan::Reject("in transit, but its hop is missing".into())),
                }
            } else if leaf.holder == *me && !terminal {
                return Ok(Plan::AlreadyDone(label, "already received".into()));
            } else {
                return Ok(match verification {
                    Verification::Genuine { holder, .. } => {
                        Plan::Reject(format!("not shipped to you (held by {holder})"))
                    }
                    other => Plan::Alert(label, other, ""),
                });
            }
        }
        ScanAction::ShipTo { receiver, args } => {
            if let Some((top, _)) = top {
                return Ok(Plan::Reject(format!(
                    "packed in {top}: scan the case or pallet, or unpack it first"
                )));
            }
            if leaf.status == UnitStatus::InTransit
                && matches!(pending_hop(ledger, &found)?, Some(h) if h.from == *me && h.to == *receiver)
            {
                return Ok(Plan::AlreadyDone(
                    label,
                    "already shipped to this receiver".into(),
                ));
            }
            if let Some(stop) = ship_stop(&label, &verification, &leaf.holder, leaf.status, me) {
                return Ok(stop);
            }
            PackageMove::Ship {
                receiver: *receiver,
                args: args.clone(),
            }
        }
        ScanAction::Dispense => {
            let packed = top.map(|(t, _)| t);
            if let Some(stop) =
                dispense_stop(&label, &verification, &leaf.holder, leaf.status, packed, me)
            {
                return Ok(stop);
            }
            PackageMove::Dispense
        }
    };
    let (tree, index) = (found.tree, found.index);
    let fee_payer = payer.pubkey();
    let me = *me;
    let make = move |trees: &mut Trees| -> Result<Instruction> {
        let t = trees.get(&tree)?;
        let lot = t.lot;
        let proof = t.prove(index)?;
        package_ix(ledger, &me, &fee_payer, &tree, &lot, proof, &mv)
    };
    let instruction = make(trees)?;
    Ok(Plan::Act {
        unit: label,
        target: cus::package_hop_pda(&tree, index, leaf.hop_count).0,
        own: true,
        instruction,
        rebuild: Some(Box::new(make)),
    })
}

/// Greedy packing: as many instructions per transaction as fit in [`MAX_TX_SIZE`] bytes and
/// [`MAX_ACTIONS_PER_TX`] actions, in input order.
fn pack<'p, 'a>(planned: &'p [Planned<'a>], payer: &Pubkey) -> Result<Vec<Vec<&'p Planned<'a>>>> {
    let mut batches: Vec<Vec<&Planned>> = Vec::new();
    let mut current: Vec<&Planned> = Vec::new();
    for p in planned {
        current.push(p);
        if current.len() > MAX_ACTIONS_PER_TX || tx_size(&current, payer) > MAX_TX_SIZE {
            let last = current.pop().expect("just pushed");
            if !current.is_empty() {
                batches.push(std::mem::take(&mut current));
            }
            current.push(last);
        }
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}

/// Serialized size of a transaction carrying these instructions (signatures included).
pub fn transaction_size(instructions: &[Instruction], payer: &Pubkey) -> usize {
    let message = Message::new(instructions, Some(payer));
    let tx = Transaction::new_unsigned(message);
    bincode::serialized_size(&tx)
        .map(|n| n as usize)
        .unwrap_or(usize::MAX)
}

fn tx_size(batch: &[&Planned], payer: &Pubkey) -> usize {
    let ixs: Vec<Instruction> = batch.iter().map(|p| p.instruction.clone()).collect();
    transaction_size(&ixs, payer)
}

#[cfg(test)]
mod line_tests {
    #[test]
    fn boms_tabs_and_blank_lines_are_not_codes() {
        let lines = super::scan_lines(
            "\u{feff}(01)09501101020917(21)A\t\r\n\n  \t\n (00)106141410000000019 \n",
        );
        assert_eq!(
            lines,
            [
                (1, "(01)09501101020917(21)A".to_string()),
                (4, "(00)106141410000000019".to_string())
            ]
        );
        assert_eq!(super::clean_line("01\u{1d}21X\t"), "01\u{1d}21X");
    }
}
