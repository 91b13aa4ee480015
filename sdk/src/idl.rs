//! caretrail's instructions as the committed IDLs describe them: name and account names per
//! Anchor discriminator, for naming an instruction in a history, showing what a transaction to
//! be signed does, or finding an account of an instruction by its name.

use solana_sdk::{
    instruction::{AccountMeta, Instruction},
    pubkey::Pubkey,
};
use std::collections::HashMap;
use std::sync::OnceLock;

/// One instruction of a caretrail program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstructionInfo {
    /// `registry`, `consent`, `custody` or `claims`.
    pub program: &'static str,
    pub name: String,
    /// The account names in the order the instruction takes them (composite account groups
    /// flattened), as the IDL names them.
    pub accounts: Vec<String>,
}

fn flatten(accounts: &serde_json::Value, out: &mut Vec<String>) {
    for a in accounts.as_array().into_iter().flatten() {
        if a["accounts"].is_array() {
            flatten(&a["accounts"], out);
        } else if let Some(n) = a["name"].as_str() {
            out.push(n.to_string());
        }
    }
}

type Table = HashMap<(&'static str, [u8; 8]), InstructionInfo>;

fn table() -> &'static Table {
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = HashMap::new();
        for (program, idl) in crate::error::IDLS {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(idl) else {
                continue;
            };
            for ix in json["instructions"].as_array().into_iter().flatten() {
                let disc: Vec<u8> = ix["discriminator"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|b| b.as_u64().map(|b| b as u8))
                    .collect();
                if let (Ok(d), Some(n)) = (<[u8; 8]>::try_from(disc), ix["name"].as_str()) {
                    let mut accounts = Vec::new();
                    flatten(&ix["accounts"], &mut accounts);
                    t.insert(
                        (program, d),
                        InstructionInfo {
                            program,
                            name: n.to_string(),
                            accounts,
                        },
                    );
                }
            }
        }
        t
    })
}

/// The caretrail instruction `data` encodes for `program` (from its first 8 bytes).
pub fn instruction_info(program: &Pubkey, data: &[u8]) -> Option<&'static InstructionInfo> {
    let program_name = crate::programs::program_name(program)?;
    let disc = <[u8; 8]>::try_from(data.get(..8)?).ok()?;
    table().get(&(program_name, disc))
}

/// The meta of the account `ix` names `name` in its IDL, or `None` (not a caretrail
/// instruction, or no such account).
pub fn account_meta<'a>(ix: &'a mut Instruction, name: &str) -> Option<&'a mut AccountMeta> {
    let info = instruction_info(&ix.program_id, &ix.data)?;
    let i = info.accounts.iter().position(|a| a == name)?;
    ix.accounts.get_mut(i)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_instruction_of_the_four_programs_is_described() {
        let t = table();
        for p in ["registry", "consent", "custody", "claims"] {
            assert!(t.values().any(|i| i.program == p), "{p}");
        }
        // Composite account groups are flattened in order.
        let suspend = t
            .values()
            .find(|i| i.name == "suspend_participant")
            .expect("suspend_participant");
        assert_eq!(
            suspend.accounts,
            ["registry", "participant", "admin", "admin_participant"]
        );
    }
}
