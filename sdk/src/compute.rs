//! Compute units per caretrail instruction, read from a ledger's transaction history.
//!
//! A real cluster meters every instruction; the runtime logs
//! `Program <id> consumed <n> of <m> compute units` when a top-level instruction returns. This
//! module matches those lines to the transaction's instructions, names each caretrail
//! instruction from its Anchor discriminator (the committed IDLs), and summarizes the units per
//! instruction kind. On the embedded ledger the caretrail programs run natively and are not
//! metered, so only a cluster (or SBF builds) gives meaningful numbers.

use crate::ledger::{Ledger, TxRecord};
use crate::Result;
use serde::Serialize;
use solana_sdk::pubkey::Pubkey;
use std::collections::{BTreeMap, HashSet};

/// `(program name, instruction name)` of a caretrail instruction, from its first 8 bytes.
pub fn instruction_name(program: &Pubkey, data: &[u8]) -> Option<(&'static str, String)> {
    crate::idl::instruction_info(program, data).map(|i| (i.program, i.name.clone()))
}

/// The units each top-level instruction consumed, in order, from a transaction's logs:
/// `(program, units)`; `None` for an instruction whose program logged no consumption
/// (builtins such as the compute-budget program).
pub fn top_level_units(logs: &[String]) -> Vec<(Pubkey, Option<u64>)> {
    let mut out: Vec<(Pubkey, Option<u64>)> = Vec::new();
    let mut depth = 0usize;
    for line in logs {
        let Some(rest) = line.strip_prefix("Program ") else {
            continue;
        };
        let mut words = rest.split_whitespace();
        let (Some(id), Some(verb)) = (words.next(), words.next()) else {
            continue;
        };
        let Ok(program) = id.parse::<Pubkey>() else {
            continue;
        };
        match verb {
            "invoke" => {
                depth += 1;
                if depth == 1 {
                    out.push((program, None));
                }
            }
            "consumed" if depth == 1 => {
                if let (Some(last), Some(Ok(n))) = (out.last_mut(), words.next().map(str::parse)) {
                    if last.0 == program {
                        last.1 = Some(n);
                    }
                }
            }
            "success" | "failed:" => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// One metered caretrail instruction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sample {
    pub program: &'static str,
    pub instruction: String,
    pub units: u64,
}

/// The metered caretrail instructions of one successful transaction.
pub fn samples(record: &TxRecord) -> Vec<Sample> {
    if !record.succeeded() {
        return Vec::new();
    }
    let units = top_level_units(&record.logs);
    record
        .instructions
        .iter()
        .zip(units)
        .filter_map(|(ix, (program, units))| {
            let units = units?;
            if program != ix.program {
                return None;
            }
            let (p, name) = instruction_name(&ix.program, &ix.data_base64)?;
            Some(Sample {
                program: p,
                instruction: name,
                units,
            })
        })
        .collect()
}

/// Units of one instruction kind over a history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub program: &'static str,
    pub instruction: String,
    pub count: usize,
    pub min: u64,
    pub median: u64,
    pub max: u64,
}

/// Summarizes samples per `(program, instruction)`, sorted by program then instruction.
pub fn summarize(samples: &[Sample]) -> Vec<Summary> {
    let mut groups: BTreeMap<(&'static str, String), Vec<u64>> = BTreeMap::new();
    for s in samples {
        groups
            .entry((s.program, s.instruction.clone()))
            .or_default()
            .push(s.units);
    }
    groups
        .into_iter()
        .map(|((program, instruction), mut units)| {
            units.sort_unstable();
            Summary {
                program,
                instruction,
                count: units.len(),
                min: units[0],
                median: units[units.len() / 2],
                max: units[units.len() - 1],
            }
        })
        .collect()
}

/// Every metered caretrail instruction in the ledger's history of the six programs (up to
/// `limit` transactions per program), each transaction counted once.
pub fn history_samples(ledger: &dyn Ledger, limit: usize) -> Result<Vec<Sample>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for program in crate::programs::PROGRAM_IDS {
        for record in ledger.transactions_for_address(&program, limit)? {
            if seen.insert(record.signature) {
                out.extend(samples(&record));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::RecordedInstruction;
    use solana_sdk::signature::Signature;

    fn disc(name: &str) -> Vec<u8> {
        crate::hash::sha256(&[format!("global:{name}").as_bytes()])[..8].to_vec()
    }

    #[test]
    fn names_instructions_from_their_discriminators() {
        let mut data = disc("record_access");
        data.extend([1, 2, 3]);
        assert_eq!(
            instruction_name(&consent::ID, &data),
            Some(("consent", "record_access".to_string()))
        );
        assert_eq!(instruction_name(&consent::ID, &disc("no_such")), None);
        assert_eq!(instruction_name(&Pubkey::new_unique(), &data), None);
        assert_eq!(instruction_name(&consent::ID, &[1, 2]), None);
    }

    #[test]
    fn attributes_units_to_top_level_instructions_only() {
        let budget = "ComputeBudget111111111111111111111111111111";
        let token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA";
        let c = claims::ID.to_string();
        let logs: Vec<String> = [
            format!("Program {budget} invoke [1]"),
            format!("Program {budget} success"),
            format!("Program {c} invoke [1]"),
            "Program log: Instruction: Pay".to_string(),
            format!("Program {token} invoke [2]"),
            format!("Program {token} consumed 4645 of 190000 compute units"),
            format!("Program {token} success"),
            "Program data: AAAA".to_string(),
            format!("Program {c} consumed 29243 of 199850 compute units"),
            format!("Program {c} success"),
        ]
        .into_iter()
        .collect();
        let units = top_level_units(&logs);
        assert_eq!(
            units,
            vec![(budget.parse().unwrap(), None), (claims::ID, Some(29_243))]
        );
        let record = TxRecord {
            signature: Signature::default(),
            slot: 1,
            block_time: None,
            instructions: vec![
                RecordedInstruction {
                    program: budget.parse().unwrap(),
                    accounts: vec![],
                    data_base64: vec![2, 0, 0, 0, 0],
                },
                RecordedInstruction {
                    program: claims::ID,
                    accounts: vec![],
                    data_base64: disc("pay"),
                },
            ],
            logs,
            error: None,
            compute_units: Some(29_393),
            embedded: false,
            transaction: None,
        };
        let s = samples(&record);
        assert_eq!(
            s,
            vec![Sample {
                program: "claims",
                instruction: "pay".into(),
                units: 29_243
            }]
        );
        let failed = TxRecord {
            error: Some("InstructionError(1, Custom(6000))".into()),
            ..record
        };
        assert!(samples(&failed).is_empty());
    }

    #[test]
    fn summarizes_per_instruction() {
        let s = |i: &str, units| Sample {
            program: "custody",
            instruction: i.into(),
            units,
        };
        let sum = summarize(&[s("ship", 9), s("receive", 5), s("ship", 3), s("ship", 6)]);
        assert_eq!(sum.len(), 2);
        assert_eq!(
            (
                sum[0].instruction.as_str(),
                sum[0].count,
                sum[0].min,
                sum[0].median
            ),
            ("receive", 1, 5, 5)
        );
        assert_eq!(
            (sum[1].count, sum[1].min, sum[1].median, sum[1].max),
            (3, 3, 6, 9)
        );
    }
}
