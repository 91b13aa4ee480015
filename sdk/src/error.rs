//! The SDK's one error type, [`Error`], and names for the errors a transaction can fail with:
//! caretrail program errors (from the committed IDLs, so the SDK and the programs never
//! disagree), Anchor framework errors, and the runtime's own.

use crate::anchor_errors::ANCHOR_ERRORS;
use serde::Serialize;
use solana_sdk::{
    instruction::InstructionError, pubkey::Pubkey, signature::Signature,
    transaction::TransactionError,
};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::OnceLock;

/// Everything an SDK call can fail with.
///
/// - [`Error::NotFound`]: an account the call needs does not exist (its kind and address);
/// - [`Error::Forbidden`]: the signer may not make this change; [`Error::Conflict`]: the
///   account's state does not allow it now (both checked before anything is sent);
/// - [`Error::Invalid`]: input the SDK refused before anything was sent (a GLN, a scope, a
///   base64 transaction…); [`Error::Gs1`]: a barcode that does not parse, with its position;
/// - [`Error::Transaction`]: the runtime rejected a transaction; [`Error::program_error`]
///   names the program error from the IDL (`custody error 6003 NotHolder: …`);
/// - the ledger or its transport: [`Error::Rpc`], [`Error::Store`], [`Error::Corrupt`],
///   [`Error::Locked`], [`Error::Bank`], [`Error::Unsupported`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("no {kind} at {address}")]
    NotFound { kind: &'static str, address: Pubkey },
    #[error("{0}")]
    Invalid(String),
    /// The signer may not make this change (not the patient, nor a guardian in scope…).
    #[error("{0}")]
    Forbidden(String),
    /// The account's state does not allow this change now (a request already decided…).
    #[error("{0}")]
    Conflict(String),
    #[error(transparent)]
    Gs1(#[from] crate::gs1::Gs1Error),
    #[error("transaction {signature} failed: {error}{}{}", .instruction.map(|i| format!(" ({} {})", i.program, i.name.replace('_', " "))).unwrap_or_default(), describe_suffix(.error, .logs))]
    Transaction {
        signature: Signature,
        error: TransactionError,
        logs: Vec<String>,
        /// The failing caretrail instruction, when the sender knew it (`custody ship`).
        instruction: Option<&'static crate::idl::InstructionInfo>,
    },
    #[error("ledger store at {path}: {message}")]
    Store { path: String, message: String },
    #[error("the ledger at {path} is corrupted or is not a caretrail ledger ({message}); it was left untouched: move it away to start a new ledger")]
    Corrupt { path: String, message: String },
    #[error("the ledger at {path} is in use by another caretrail process")]
    Locked { path: String },
    #[error("bank: {0}")]
    Bank(String),
    #[error("rpc {url}: {message}")]
    Rpc { url: String, message: String },
    /// Another party's service (a partner's VRS) refused or did not answer.
    #[error("{0}")]
    Remote(String),
    #[error("{0}")]
    Unsupported(String),
}

/// `Result` with the SDK's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// `Error::NotFound` of a `kind` of account at `address`.
    pub fn not_found(kind: &'static str, address: Pubkey) -> Error {
        Error::NotFound { kind, address }
    }

    /// `Error::Invalid` from anything printable.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid(message.into())
    }

    /// `(instruction index, custom error code)` when an instruction failed with a custom error.
    pub fn custom_error(&self) -> Option<(u8, u32)> {
        match self {
            Error::Transaction {
                error: TransactionError::InstructionError(i, InstructionError::Custom(code)),
                ..
            } => Some((*i, *code)),
            _ => None,
        }
    }

    /// The instruction error, when an instruction failed.
    pub fn instruction_error(&self) -> Option<(u8, &InstructionError)> {
        match self {
            Error::Transaction {
                error: TransactionError::InstructionError(i, e),
                ..
            } => Some((*i, e)),
            _ => None,
        }
    }

    pub fn transaction_error(&self) -> Option<&TransactionError> {
        match self {
            Error::Transaction { error, .. } => Some(error),
            _ => None,
        }
    }

    /// The program error a failed transaction raised, named from the IDL ([`decode`]).
    pub fn program_error(&self) -> Option<ErrorInfo> {
        decode(self)
    }

    /// Names the failing instruction of `instructions` (the transaction's, in order) on a
    /// transaction error; other errors pass through.
    pub fn in_instructions(
        mut self,
        instructions: &[solana_sdk::instruction::Instruction],
    ) -> Error {
        if let Error::Transaction {
            error: TransactionError::InstructionError(i, _),
            instruction,
            ..
        } = &mut self
        {
            if let Some(ix) = instructions.get(*i as usize) {
                *instruction = crate::idl::instruction_info(&ix.program_id, &ix.data);
            }
        }
        self
    }

    /// True for [`Error::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }
}

/// A decoded program error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ErrorInfo {
    /// `registry`, `consent`, `custody`, `claims`, `records`, `trials`, `anchor` or the program
    /// id.
    pub program: String,
    pub code: u32,
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} error {} {}: {}",
            self.program, self.code, self.name, self.message
        )
    }
}

pub(crate) const IDLS: [(&str, &str); 6] = [
    ("registry", include_str!("../../idls/registry.json")),
    ("consent", include_str!("../../idls/consent.json")),
    ("custody", include_str!("../../idls/custody.json")),
    ("claims", include_str!("../../idls/claims.json")),
    ("records", include_str!("../../idls/records.json")),
    ("trials", include_str!("../../idls/trials.json")),
];

type ErrorTable = HashMap<(String, u32), (String, String)>;

fn program_errors() -> &'static ErrorTable {
    static TABLE: OnceLock<ErrorTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = HashMap::new();
        for (program, idl) in IDLS {
            let Ok(json) = serde_json::from_str::<serde_json::Value>(idl) else {
                continue;
            };
            for e in json["errors"].as_array().into_iter().flatten() {
                if let (Some(code), Some(name)) = (e["code"].as_u64(), e["name"].as_str()) {
                    let msg = e["msg"].as_str().unwrap_or_default().to_string();
                    table.insert((program.to_string(), code as u32), (name.to_string(), msg));
                }
            }
        }
        table
    })
}

/// Names a custom error `code` raised by `program` (Anchor framework codes below 6000 are the
/// same for every Anchor program).
pub fn decode_custom(program: Option<&Pubkey>, code: u32) -> Option<ErrorInfo> {
    if code < anchor_lang::error::ERROR_CODE_OFFSET {
        return ANCHOR_ERRORS
            .iter()
            .find(|(c, _, _)| *c == code)
            .map(|(c, n, m)| ErrorInfo {
                program: "anchor".into(),
                code: *c,
                name: n.to_string(),
                message: m.to_string(),
            });
    }
    let name = crate::programs::program_name(program?)?;
    program_errors()
        .get(&(name.to_string(), code))
        .map(|(n, m)| ErrorInfo {
            program: name.into(),
            code,
            name: n.clone(),
            message: m.clone(),
        })
}

/// The program that failed, read from the transaction logs (`Program <id> failed: …`).
pub fn failing_program(logs: &[String]) -> Option<Pubkey> {
    logs.iter().rev().find_map(|l| {
        let rest = l.strip_prefix("Program ")?;
        let (id, tail) = rest.split_once(' ')?;
        tail.starts_with("failed")
            .then(|| Pubkey::from_str(id).ok())
            .flatten()
    })
}

/// Decodes the custom program error of a failed transaction, if it failed with one.
pub fn decode(err: &Error) -> Option<ErrorInfo> {
    let Error::Transaction {
        error: TransactionError::InstructionError(_, InstructionError::Custom(code)),
        logs,
        ..
    } = err
    else {
        return None;
    };
    let program = failing_program(logs);
    decode_custom(program.as_ref(), *code).or_else(|| {
        Some(ErrorInfo {
            program: program
                .map(|p| p.to_string())
                .unwrap_or_else(|| "unknown".into()),
            code: *code,
            name: format!("Custom({code})"),
            message: "custom program error".into(),
        })
    })
}

/// The account an Anchor error names in the program's logs (`AnchorError caused by account:
/// provider_token. …`), when the cluster kept the program's logs.
pub fn failing_account(logs: &[String]) -> Option<String> {
    logs.iter().rev().find_map(|l| {
        let rest = l.split("AnchorError caused by account: ").nth(1)?;
        Some(rest.split('.').next()?.trim().to_string())
    })
}

/// Whether the System Program itself failed inside the transaction (a CPI to it from a
/// caretrail program creating or funding an account).
fn system_program_failed(logs: &[String]) -> bool {
    logs.iter()
        .any(|l| l.starts_with("Program 11111111111111111111111111111111 failed"))
}

/// What a System Program failure means for whoever sent the transaction.
pub fn explain_system_failure(error: &InstructionError) -> Option<&'static str> {
    Some(match error {
        InstructionError::Custom(0) => {
            "the System Program refused to create an account that already exists"
        }
        InstructionError::Custom(1) | InstructionError::InsufficientFunds => {
            "the fee payer does not hold enough SOL for the rent of the account being created; fund it (caretrail airdrop, or a transfer) and re-run"
        }
        InstructionError::InvalidInstructionData => {
            "the cluster's System Program does not know an instruction it was sent (e.g. CreateAccountAllowPrefund on an Agave 3.1 bank); caretrail programs never send it: check the deployed program versions"
        }
        _ => return None,
    })
}

/// ` (registry error 6006 GlnCheckDigit: …)` for messages, a System Program failure's
/// explanation, or empty.
pub(crate) fn describe_suffix(error: &TransactionError, logs: &[String]) -> String {
    let TransactionError::InstructionError(_, e) = error else {
        return String::new();
    };
    if let InstructionError::Custom(code) = e {
        if !system_program_failed(logs) {
            if let Some(info) = decode_custom(failing_program(logs).as_ref(), *code) {
                return match failing_account(logs) {
                    Some(account) => format!(" ({info}; account `{account}`)"),
                    None => format!(" ({info})"),
                };
            }
        }
    }
    if system_program_failed(logs) || *e == InstructionError::InsufficientFunds {
        if let Some(why) = explain_system_failure(e) {
            return format!(" ({why})");
        }
    }
    String::new()
}

#[cfg(test)]
mod system_failure_tests {
    use super::*;

    #[test]
    fn a_system_program_failure_is_explained_not_left_as_invalid_instruction_data() {
        let logs = vec![
            "Program 43vfUs8aHqd4UTat9WemT6PKLNBeiM2pXi77DVw74ZQd invoke [1]".to_string(),
            "Program 11111111111111111111111111111111 invoke [2]".to_string(),
            "Program 11111111111111111111111111111111 failed: invalid instruction data".to_string(),
            "Program 43vfUs8aHqd4UTat9WemT6PKLNBeiM2pXi77DVw74ZQd failed: invalid instruction data"
                .to_string(),
        ];
        let e = TransactionError::InstructionError(0, InstructionError::InvalidInstructionData);
        assert!(describe_suffix(&e, &logs).contains("CreateAccountAllowPrefund"));
        let poor = TransactionError::InstructionError(0, InstructionError::InsufficientFunds);
        assert!(describe_suffix(&poor, &[]).contains("enough SOL"));
        let anchor = vec![
            "Program Gvk8cWwXd1FujWpG5LGQ5HbUEquDJ3851cNSpkDb8Hg2 invoke [1]".to_string(),
            "Program log: AnchorError caused by account: registry. Error Code: ConstraintSeeds. Error Number: 2006. Error Message: A seeds constraint was violated.".to_string(),
            "Program Gvk8cWwXd1FujWpG5LGQ5HbUEquDJ3851cNSpkDb8Hg2 failed: custom program error: 0x7d6".to_string(),
        ];
        let seeds = TransactionError::InstructionError(0, InstructionError::Custom(2006));
        let said = describe_suffix(&seeds, &anchor);
        assert!(
            said.contains("ConstraintSeeds") && said.contains("account `registry`"),
            "{said}"
        );
        let in_use = TransactionError::InstructionError(0, InstructionError::Custom(0));
        assert!(describe_suffix(&in_use, &logs).contains("already exists"));
    }
}
