//! `caretrail ledger dump|history`.

use crate::context::{parse_pubkey, Context};
use crate::output::{table, Output};
use anyhow::{bail, Result};
use caretrail_sdk::EmbeddedLedger;
use clap::Subcommand;
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Print the whole embedded ledger as JSON: every account (`pubkey`, `owner`, `lamports`,
    /// `data_base64`) and every transaction (`signature`, `instructions` [`program`,
    /// `accounts`, `data_base64`], `logs`, `error`).
    Dump,
    /// Transactions that touched an address, oldest first, with their caretrail events.
    History {
        /// Address (pubkey or keypair file).
        address: String,
        /// At most this many (the newest).
        #[arg(long, default_value_t = 100)]
        limit: usize,
    },
}

pub fn execute(ctx: &Context, cmd: LedgerCommand) -> Result<Output> {
    match cmd {
        LedgerCommand::Dump => {
            if !ctx.is_embedded() {
                bail!("ledger dump reads the embedded ledger; a cluster is inspected with its explorer or RPC");
            }
            let ledger = EmbeddedLedger::open(&ctx.ledger_dir())?;
            let dump = ledger.dump()?;
            let json = serde_json::to_value(&dump)?;
            let text = serde_json::to_string_pretty(&json)?;
            Ok(Output::new(json, text))
        }
        LedgerCommand::History { address, limit } => {
            let address = parse_pubkey(&address)?;
            let records = ctx.ledger()?.transactions_for_address(&address, limit)?;
            let rows: Vec<Vec<String>> = records
                .iter()
                .map(|r| {
                    vec![
                        r.slot.to_string(),
                        r.signature.to_string(),
                        if r.succeeded() {
                            "ok".into()
                        } else {
                            "failed".into()
                        },
                        r.events()
                            .iter()
                            .map(|e| e.name())
                            .collect::<Vec<_>>()
                            .join(","),
                    ]
                })
                .collect();
            let json = json!(records
                .iter()
                .map(|r| json!({
                    "signature": r.signature.to_string(),
                    "slot": r.slot,
                    "block_time": r.block_time,
                    "error": r.error,
                    "events": r.events().iter().map(|e| e.name()).collect::<Vec<_>>(),
                }))
                .collect::<Vec<_>>());
            Ok(Output::new(
                json,
                table(&["slot", "signature", "status", "events"], &rows),
            ))
        }
    }
}
