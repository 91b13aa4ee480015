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

struct Planned {
    line: usize,
    instruction: Instruction,
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
        match plan_line(ledger, &me, payer, action, text)? {
            Plan::Reject(reason) => result.reason = Some(reason),
            Plan::Alert(unit, v, advice) => {
                result.unit = Some(unit.to_string());
                result.reason = Some(format!("{}{advice}", v.describe()));
                result.verification = Some(v.name());
            }
            Plan::AlreadyDone(unit, reason) => {
                result.unit = Some(unit.to_string());
                result.status = LineStatus::AlreadyDone;
                result.reason = Some(reason);
            }
            Plan::Verified(unit, v) => {
                result.unit = Some(unit.to_string());
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
                instruction,
            } => {
                result.unit = Some(unit.to_string());
                if let Some(first) = targets.get(&target) {
                    result.status = LineStatus::AlreadyDone;
                    result.reason = Some(if target == unit {
                        format!("duplicate of line {first}")
                    } else {
                        format!("travels in {target}, handled with line {first}")
                    });
                } else {
                    targets.insert(target, *line);
                    planned.push(Planned {
                        line: results.len(),
                        instruction,
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
        let ixs: Vec<Instruction> = batch.iter().map(|p| p.instruction.clone()).collect();
        match send_instructions(ledger, payer, &signers, &ixs) {
            Ok(out) => {
                for p in &batch {
                    let r = &mut results[p.line];
                    r.status = LineStatus::Done;
                    r.signature = Some(out.signature.to_string());
                }
            }
            Err(_) if batch.len() > 1 => {
                // Isolate the failing action: one transaction per action.
                for p in &batch {
                    let r = &mut results[p.line];
                    match send_instructions(
                        ledger,
                        payer,
                        &signers,
                        std::slice::from_ref(&p.instruction),
                    ) {
                        Ok(out) => {
                            r.status = LineStatus::Done;
                            r.signature = Some(out.signature.to_string());
                        }
                        Err(e) => r.reason = Some(describe(&e)),
                    }
                }
            }
            Err(e) => results[batch[0].line].reason = Some(describe(&e)),
        }
        progress.advance(lines.len(), &format!("{} actions sent", batch.len()));
    }
    progress.finish();
    Ok(results)
}

fn describe(e: &crate::Error) -> String {
    match crate::error::decode(e) {
        Some(info) => format!("{}: {}", info.name, info.message),
        None => e.to_string(),
    }
}

enum Plan {
    Reject(String),
    /// A verification other than genuine stops the action (and what to do about it).
    Alert(Pubkey, Verification, &'static str),
    AlreadyDone(Pubkey, String),
    Verified(Pubkey, Verification),
    Act {
        unit: Pubkey,
        target: Pubkey,
        instruction: Instruction,
    },
}

fn plan_line(
    ledger: &dyn Ledger,
    me: &Pubkey,
    payer: &Keypair,
    action: &ScanAction,
    text: &str,
) -> Result<Plan> {
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
    if *action == ScanAction::Verify {
        return Ok(Plan::Verified(unit, verification));
    }
    let Some((top, top_unit)) = cus::top_most(ledger, &unit)? else {
        // A compressed package is verified like a unit but moves with its proof, one package
        // a transaction: this scan does not batch those yet. (A code verification found
        // nowhere is looked up no further.)
        let known = !matches!(
            verification,
            Verification::UnknownSerial { .. } | Verification::UnknownPrefix { .. }
        );
        if let Some(found) = known.then(|| cus::package_of(ledger, &code).ok()).flatten() {
            return Ok(Plan::Reject(format!(
                "compressed package {}: `custody scan` moves units, cases and pallets; move it \
                 with `caretrail custody package receive|ship|dispense CODE`",
                found.id()
            )));
        }
        let unknown = Verification::UnknownSerial {
            unit: unit.to_string(),
        };
        return Ok(Plan::Alert(unit, unknown, ""));
    };
    let this = cus::fetch_unit(ledger, &unit)?.expect("exists when verified");
    match action {
        ScanAction::Verify => unreachable!("handled above"),
        ScanAction::Receive | ScanAction::ReceiveSensed(_) => {
            if top_unit.status == UnitStatus::InTransit {
                let hop = cus::fetch_hop(ledger, &top, top_unit.hop_count)?;
                return Ok(match hop {
                    Some(h) if h.status == HopStatus::Shipped && h.to == *me => match &verification
                    {
                        Verification::Genuine { .. } => Plan::Act {
                            unit,
                            target: top,
                            instruction: match action {
                                ScanAction::ReceiveSensed(readings) => {
                                    let (governing, summary) =
                                        super::cold_chain::summary_for(ledger, &top, readings)?;
                                    cus::receive_with_sensor_ix(
                                        me,
                                        &cus::PendingHop {
                                            unit: &top,
                                            hop_index: top_unit.hop_count,
                                            payer: &h.payer,
                                        },
                                        &governing,
                                        summary,
                                    )
                                }
                                _ => cus::receive_ix(
                                    me,
                                    &cus::PendingHop {
                                        unit: &top,
                                        hop_index: top_unit.hop_count,
                                        payer: &h.payer,
                                    },
                                    (top_unit.kind == UnitKind::Item).then_some(top_unit.lot),
                                ),
                            },
                        },
                        other => Plan::Alert(unit, other.clone(), ": refuse the shipment instead"),
                    },
                    Some(h) => {
                        Plan::Reject(format!("diversion: in transit to {}, not to you", h.to))
                    }
                    None => Plan::Reject("in transit, but its hop is missing".into()),
                });
            }
            if top_unit.holder == *me && !this.is_terminal() {
                return Ok(Plan::AlreadyDone(unit, "already received".into()));
            }
            Ok(match verification {
                Verification::Genuine { holder, .. } => {
                    Plan::Reject(format!("not shipped to you (held by {holder})"))
                }
                other => Plan::Alert(unit, other, ""),
            })
        }
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
                        unit,
                        "already shipped to this receiver".into(),
                    ));
                }
            }
            if !verification.is_genuine() {
                return Ok(Plan::Alert(unit, verification, ""));
            }
            if this.holder != *me {
                return Ok(Plan::Reject(format!("held by {}, not by you", this.holder)));
            }
            if this.status != UnitStatus::Active {
                return Ok(Plan::Reject(format!(
                    "the unit is {}",
                    cus::status_name(this.status).replace('_', " ")
                )));
            }
            Ok(Plan::Act {
                unit,
                target: unit,
                instruction: cus::ship_ix(
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
            })
        }
        ScanAction::Dispense => {
            if this.status == UnitStatus::Dispensed && this.holder == *me {
                return Ok(Plan::AlreadyDone(unit, "already dispensed".into()));
            }
            if !verification.is_genuine() {
                return Ok(Plan::Alert(unit, verification, ""));
            }
            if this.kind != UnitKind::Item {
                return Ok(Plan::Reject(
                    "a case or pallet is not dispensed: unpack it".into(),
                ));
            }
            if top != unit {
                return Ok(Plan::Reject(format!("packed in {top}: unpack it first")));
            }
            if this.holder != *me {
                return Ok(Plan::Reject(format!("held by {}, not by you", this.holder)));
            }
            Ok(Plan::Act {
                unit,
                target: unit,
                instruction: cus::dispense_ix(me, &unit, &this.lot),
            })
        }
    }
}

/// Greedy packing: as many instructions per transaction as fit in [`MAX_TX_SIZE`] bytes and
/// [`MAX_ACTIONS_PER_TX`] actions, in input order.
fn pack<'a>(planned: &'a [Planned], payer: &Pubkey) -> Result<Vec<Vec<&'a Planned>>> {
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
