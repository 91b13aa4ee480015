//! `caretrail ledger dump|history`.

use crate::args;
use crate::command::Execute;
use crate::context::Context;
use crate::output::{table, Output};
use anyhow::{bail, Result};
use caretrail_sdk::solana_sdk::pubkey::Pubkey;
use caretrail_sdk::EmbeddedLedger;
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum LedgerCommand {
    /// Print the whole embedded ledger as JSON: every account (`pubkey`, `owner`, `lamports`,
    /// `data_base64`) and every transaction (`signature`, `instructions` [`program`,
    /// `accounts`, `data_base64`], `logs`, `error`).
    Dump(Dump),
    /// Transactions that touched an address, oldest first, with their caretrail events.
    History(History),
}

impl Execute for LedgerCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            LedgerCommand::Dump(c) => c.execute(ctx),
            LedgerCommand::History(c) => c.execute(ctx),
        }
    }
}

#[derive(Args, Debug)]
pub struct Dump {}

#[derive(Args, Debug)]
pub struct History {
    /// Address (pubkey or keypair file).
    #[arg(value_parser = args::pubkey)]
    pub address: Pubkey,
    /// At most this many (the newest).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
}

impl Execute for Dump {
    fn execute(self, ctx: &Context) -> Result<Output> {
        if !ctx.is_embedded() {
            bail!("ledger dump reads the embedded ledger; a cluster is inspected with its explorer or RPC");
        }
        let ledger = EmbeddedLedger::open(&ctx.ledger_dir())?;
        let dump = ledger.dump()?;
        let json = serde_json::to_value(&dump)?;
        let text = serde_json::to_string_pretty(&json)?;
        Ok(Output::new(json, text))
    }
}

impl Execute for History {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let records = ctx
            .ledger()?
            .transactions_for_address(&self.address, self.limit)?;
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
