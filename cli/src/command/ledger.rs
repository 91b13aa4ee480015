//! `caretrail ledger dump|history|check`.

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
    /// Read every page of the embedded ledger's file and check its structure (SQLite's
    /// integrity check). Opening the ledger checks only what takes the same time at any size
    /// (the file's length, its schema, the format marker); this reads everything, in time
    /// proportional to the file. Exit status 0 when sound, 1 with the damage named.
    Check(Check),
}

impl Execute for LedgerCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            LedgerCommand::Dump(c) => c.execute(ctx),
            LedgerCommand::History(c) => c.execute(ctx),
            LedgerCommand::Check(c) => c.execute(ctx),
        }
    }
}

#[derive(Args, Debug)]
pub struct Dump {}

#[derive(Args, Debug)]
pub struct Check {}

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

impl Execute for Check {
    fn execute(self, ctx: &Context) -> Result<Output> {
        if !ctx.is_embedded() {
            bail!("ledger check reads the embedded ledger's file; a cluster keeps its own ledger");
        }
        let dir = ctx.ledger_dir();
        let ledger = dir.display().to_string();
        match EmbeddedLedger::open(&dir).and_then(|l| l.check()) {
            Ok(()) => Ok(Output::new(
                json!({ "ledger": ledger, "ok": true }),
                format!("{ledger}: every page read, structure and indexes sound"),
            )),
            // Damage is the answer this command looks for: named, exit status 1.
            Err(e @ caretrail_sdk::Error::Corrupt { .. }) => Ok(Output::new(
                json!({ "ledger": ledger, "ok": false, "damage": e.to_string() }),
                e.to_string(),
            )
            .alert(true)),
            Err(e) => Err(e.into()),
        }
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
