//! `caretrail epcis`: EPCIS documents exchanged with trading partners.

use crate::context::Context;
use crate::output::{table, Output};
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::custody::epcis_import;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Subcommand, Debug)]
pub enum EpcisCommand {
    /// Read an inbound EPCIS 1.2 XML or 2.0 JSON-LD document (a partner's shipment notice)
    /// and print what it declares: events, EPCs with their GS1 codes, aggregations (parent →
    /// children), business transactions. Reads nothing but the file and changes nothing;
    /// documents with a DTD, over 64 MiB or nested deeper than 64 levels are refused.
    Import(ImportArgs),
}

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The EPCIS document.
    pub file: PathBuf,
}

impl crate::command::Execute for EpcisCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            EpcisCommand::Import(a) => a.execute(ctx),
        }
    }
}

impl crate::command::Execute for ImportArgs {
    fn execute(self, _ctx: &Context) -> Result<Output> {
        let size = std::fs::metadata(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?
            .len();
        if size > epcis_import::MAX_BYTES as u64 {
            bail!(
                "{} is {size} bytes; at most {} are read",
                self.file.display(),
                epcis_import::MAX_BYTES
            );
        }
        let bytes = std::fs::read(&self.file)
            .with_context(|| format!("reading {}", self.file.display()))?;
        let doc = epcis_import::import(&bytes)
            .with_context(|| format!("{} is not a readable EPCIS document", self.file.display()))?;
        let report = doc.report();
        let rows: Vec<Vec<String>> = report["epcs"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|e| {
                vec![
                    e["epc"].as_str().unwrap_or("").to_string(),
                    match e.get("code") {
                        Some(c) => c.to_string(),
                        None => format!("error: {}", e["error"].as_str().unwrap_or("")),
                    },
                ]
            })
            .collect();
        let aggregations: Vec<String> = doc
            .aggregations
            .iter()
            .map(|(p, c)| format!("{p} → {} children", c.len()))
            .collect();
        let human = format!(
            "{} ({} events) from {} to {}\n{}\naggregations: {}\ntransactions: {}",
            doc.format,
            doc.events.len(),
            doc.sender.as_deref().unwrap_or("an unnamed sender"),
            doc.receiver.as_deref().unwrap_or("an unnamed receiver"),
            table(&["EPC", "GS1 code"], &rows),
            if aggregations.is_empty() {
                "none".to_string()
            } else {
                aggregations.join("; ")
            },
            if doc.transactions.is_empty() {
                "none".to_string()
            } else {
                doc.transactions
                    .iter()
                    .map(|t| format!("{} ({})", t.id, t.kind))
                    .collect::<Vec<_>>()
                    .join("; ")
            },
        );
        Ok(Output::new(report, human))
    }
}
