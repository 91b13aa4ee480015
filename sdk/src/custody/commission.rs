//! Commissioning from a serialization line: a list of serial numbers (or the GS1 codes the line
//! printed) becomes units of a lot, as many per transaction as fit, safe to re-run: serials
//! already on the ledger are reported as already commissioned, a bad or repeated serial is
//! reported with its line and reason, and nothing else is lost.

use super::scan::{ScanProgress, MAX_TX_SIZE};
use super::*;
use serde::Serialize;
use std::collections::HashMap;

/// What happened to one serial.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommissionStatus {
    Commissioned,
    AlreadyCommissioned,
    Rejected,
}

/// The outcome of one input line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommissionLine {
    /// 1-based line of the input.
    pub line: usize,
    pub status: CommissionStatus,
    /// The unit account (for lines that name a serial).
    pub unit: Option<String>,
    pub reason: Option<String>,
    /// The transaction that commissioned it.
    pub signature: Option<String>,
}

/// A serial number as GS1 AI (21) allows it: 1 to 20 characters of the GS1 AI encodable
/// character set 82.
pub fn check_serial(serial: &str) -> std::result::Result<(), String> {
    const CSET82: &str =
        "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
    if serial.is_empty() || serial.chars().count() > 20 {
        return Err(format!(
            "a serial number (AI 21) has 1 to 20 characters, this one {}",
            serial.chars().count()
        ));
    }
    if let Some((i, c)) = serial.char_indices().find(|(_, c)| !CSET82.contains(*c)) {
        return Err(format!(
            "character {c:?} at position {i} is not in the GS1 character set 82"
        ));
    }
    Ok(())
}

/// A line of a serialization export: a bare serial number, or a GS1 code of this GTIN (and
/// lot, when it names one) whose serial is taken.
fn serial_of(text: &str, gtin: &[u8; GTIN_LEN], lot: &str) -> std::result::Result<String, String> {
    let looks_like_code = text.starts_with('(')
        || text.starts_with("]d2")
        || text.starts_with("http")
        || text.contains('\u{1d}')
        || text.contains("<GS>");
    if !looks_like_code {
        check_serial(text)?;
        return Ok(text.to_string());
    }
    let code = crate::gs1::parse(text).map_err(|e| e.to_string())?;
    let g = code.gtin.as_deref().ok_or("the code has no GTIN (AI 01)")?;
    let parsed = parse_gtin(g).map_err(|e| e.to_string())?;
    if parsed != *gtin {
        return Err(format!(
            "the code is of GTIN {g}, not of {}",
            String::from_utf8_lossy(gtin)
        ));
    }
    if let Some(l) = &code.lot {
        if l != lot {
            return Err(format!("the code is of lot {l:?}, not of {lot:?}"));
        }
    }
    code.serial
        .ok_or_else(|| "the code has no serial number (AI 21)".to_string())
}

/// The serial hashes of `lines` (`(1-based line, text)`: a serial, or a GS1 code of `gtin`
/// and lot `lot_number`), in input order; the first line that is neither is refused with its
/// line number and why. For commissioning compressed packages
/// ([`super::CustodyClient::commission_packages`]).
pub fn serial_hashes_of_lines(
    gtin: &[u8; GTIN_LEN],
    lot_number: &str,
    lines: &[(usize, String)],
) -> Result<Vec<[u8; 32]>> {
    lines
        .iter()
        .map(|(line, text)| {
            serial_of(text, gtin, lot_number)
                .map(|serial| serial_hash(gtin, &serial))
                .map_err(|reason| Error::invalid(format!("line {line}: {reason}")))
        })
        .collect()
}

/// Commissions the serials of `lines` (`(1-based line, text)`) into the lot `lot_number` of
/// `gtin`, registered before by `manufacturer`. Lines are answered in input order.
///
/// Errors: the lot does not exist, or a transaction failed (what landed before it stays
/// landed and a re-run continues from there).
pub fn commission_serials(
    ledger: &dyn Ledger,
    fee_payer: &Keypair,
    manufacturer: &Keypair,
    gtin: &[u8; GTIN_LEN],
    lot_number: &str,
    lines: &[(usize, String)],
    progress: &mut dyn ScanProgress,
) -> Result<Vec<CommissionLine>> {
    let lot = lot_pda(gtin, lot_number).0;
    if fetch_lot(ledger, &lot)?.is_none() {
        return Err(Error::invalid(format!(
            "lot {lot_number:?} of GTIN {} is not registered ({lot}): register it first (`caretrail custody lot register`)",
            String::from_utf8_lossy(gtin)
        )));
    }
    progress.start(lines.len());
    let mut out: Vec<CommissionLine> = Vec::with_capacity(lines.len());
    let mut first_line: HashMap<String, usize> = HashMap::new();
    let mut fresh: Vec<(usize, [u8; 32], Pubkey)> = Vec::new();
    for (line, text) in lines {
        let reject = |reason: String| CommissionLine {
            line: *line,
            status: CommissionStatus::Rejected,
            unit: None,
            reason: Some(reason),
            signature: None,
        };
        let serial = match serial_of(text, gtin, lot_number) {
            Ok(s) => s,
            Err(e) => {
                out.push(reject(e));
                continue;
            }
        };
        if let Some(first) = first_line.get(&serial) {
            out.push(reject(format!("the same serial as line {first}")));
            continue;
        }
        first_line.insert(serial.clone(), *line);
        let hash = serial_hash(gtin, &serial);
        let unit = unit_pda(gtin, &serial).0;
        out.push(CommissionLine {
            line: *line,
            status: CommissionStatus::Commissioned,
            unit: Some(unit.to_string()),
            reason: None,
            signature: None,
        });
        fresh.push((out.len() - 1, hash, unit));
    }
    // Already on the ledger: a re-run after a crash, or a serial commissioned before.
    let existing = ledger.get_multiple_accounts(&fresh.iter().map(|f| f.2).collect::<Vec<_>>())?;
    let mut todo = Vec::new();
    for (f, account) in fresh.into_iter().zip(existing) {
        if account.is_some_and(|a| a.owner == PROGRAM_ID) {
            out[f.0].status = CommissionStatus::AlreadyCommissioned;
        } else {
            todo.push(f);
        }
    }
    let mut done = out.len() - todo.len();
    progress.advance(done, "checked");
    for batch in batches(&todo, &manufacturer.pubkey(), &fee_payer.pubkey(), &lot) {
        let hashes: Vec<[u8; 32]> = batch.iter().map(|f| f.1).collect();
        let tx = send_instructions(
            ledger,
            fee_payer,
            &[manufacturer],
            &[commission_units_ix(
                &manufacturer.pubkey(),
                &fee_payer.pubkey(),
                &lot,
                hashes,
            )],
        )?;
        for f in batch {
            out[f.0].signature = Some(tx.signature.to_string());
        }
        done += batch.len();
        progress.advance(done, "commissioned");
    }
    progress.finish();
    Ok(out)
}

type Fresh = (usize, [u8; 32], Pubkey);

/// As many serials per transaction as fit in [`MAX_TX_SIZE`] bytes and the program's batch
/// limit.
fn batches<'a>(
    todo: &'a [Fresh],
    manufacturer: &Pubkey,
    fee_payer: &Pubkey,
    lot: &Pubkey,
) -> Vec<&'a [Fresh]> {
    let fits = |n: usize| {
        let ix = commission_units_ix(manufacturer, fee_payer, lot, vec![[0; 32]; n]);
        let tx = solana_sdk::transaction::Transaction::new_with_payer(&[ix], Some(fee_payer));
        bincode::serialized_size(&tx).is_ok_and(|s| s as usize <= MAX_TX_SIZE)
    };
    let mut per_tx = custody::constants::MAX_BATCH;
    while per_tx > 1 && !fits(per_tx) {
        per_tx -= 1;
    }
    todo.chunks(per_tx).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serial_numbers_follow_ai_21() {
        assert!(check_serial("ABC-123/x").is_ok());
        assert!(check_serial("").is_err());
        assert!(check_serial(&"9".repeat(21))
            .unwrap_err()
            .contains("1 to 20"));
        assert!(check_serial("A B").unwrap_err().contains("position 1"));
    }

    #[test]
    fn a_line_is_a_serial_or_a_code_of_this_gtin_and_lot() {
        let gtin = parse_gtin("09501101020917").unwrap();
        assert_eq!(serial_of("S1", &gtin, "L1").unwrap(), "S1");
        assert_eq!(
            serial_of("(01)09501101020917(10)L1(21)S2", &gtin, "L1").unwrap(),
            "S2"
        );
        assert!(serial_of("(01)09501101020917(10)L2(21)S2", &gtin, "L1")
            .unwrap_err()
            .contains("lot"));
        assert!(serial_of("(01)00361414123458(21)S2", &gtin, "L1")
            .unwrap_err()
            .contains("GTIN"));
    }

    #[test]
    fn a_commissioning_transaction_stays_under_the_size_limit() {
        let k = Pubkey::new_unique();
        let todo: Vec<Fresh> = (0..100).map(|i| (i, [0; 32], k)).collect();
        let b = batches(&todo, &k, &Pubkey::new_unique(), &Pubkey::new_unique());
        assert!(b.len() > 1 && b[0].len() > 1);
        assert_eq!(b.iter().map(|x| x.len()).sum::<usize>(), 100);
    }
}
