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
    /// Write a shipment (`--shipment REF`) or one unit's history (`--code CODE`) as an EPCIS
    /// 1.2 XML document with a Standard Business Document Header, or as EPCIS 2.0 JSON-LD:
    /// master data for its products and locations, then commissioning, packing, shipping
    /// (with the DSCSA transaction statement) and receiving events, each with its CBV 2.0
    /// event hash id. The chain keeps only hashes of serial numbers: `--codes` names the items.
    Export(Box<ExportArgs>),
}

/// The document format.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocFormat {
    /// EPCIS 1.2 XML with an SBDH (GS1 US Healthcare guideline), what DSCSA partners exchange.
    #[value(name = "1.2")]
    V12,
    /// EPCIS 2.0 JSON-LD.
    #[value(name = "2.0")]
    V20,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("subject").required(true).args(["code", "shipment"])))]
pub struct ExportArgs {
    /// One unit, case or pallet: its scanned code.
    #[arg(long, value_parser = crate::command::custody::code)]
    pub code: Option<caretrail_sdk::gs1::Gs1Code>,
    /// A shipment: the ASN / despatch advice id it was shipped under (`custody scan
    /// --ship-to … --shipment REF`).
    #[arg(long)]
    pub shipment: Option<String>,
    /// The format.
    #[arg(long, value_enum)]
    pub format: DocFormat,
    /// Write the document here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Scanner lines naming the shipment's packages (the ship scan, or the commissioning
    /// list): the chain has only hashes of their serials.
    #[arg(long)]
    pub codes: Option<PathBuf>,
    /// Product master CSV: gtin, company_prefix, ndc, name, dosage_form, strength,
    /// net_content, manufacturer.
    #[arg(long)]
    pub products: Option<PathBuf>,
    /// Address book CSV: gln, company_prefix, name, street, city, state, postal_code, country.
    #[arg(long)]
    pub locations: Option<PathBuf>,
    /// With --shipment: the party that sent or received it [default: the --keypair wallet].
    #[arg(long, value_parser = crate::args::pubkey)]
    pub party: Option<caretrail_sdk::solana_sdk::pubkey::Pubkey>,
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
            EpcisCommand::Export(a) => a.execute(ctx),
        }
    }
}

impl crate::command::Execute for ImportArgs {
    fn execute(self, _ctx: &Context) -> Result<Output> {
        let doc = read_document(&self.file)?;
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

/// Reads an inbound EPCIS document (1.2 XML or 2.0 JSON-LD), refusing one over
/// [`epcis_import::MAX_BYTES`] before reading it.
pub(crate) fn read_document(path: &std::path::Path) -> Result<epcis_import::ImportedDocument> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if size > epcis_import::MAX_BYTES as u64 {
        bail!(
            "{} is {size} bytes; at most {} are read",
            path.display(),
            epcis_import::MAX_BYTES
        );
    }
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    epcis_import::import(&bytes)
        .with_context(|| format!("{} is not a readable EPCIS document", path.display()))
}

fn read_text(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{} is not UTF-8 text (byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

impl crate::command::Execute for ExportArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        use caretrail_sdk::custody::epcis_export::{self as export, Codes};
        use caretrail_sdk::custody::master_data::MasterData;
        let mut master = MasterData::default();
        if let Some(p) = &self.products {
            master
                .add_products(&read_text(p)?)
                .with_context(|| format!("{} is not a readable product master", p.display()))?;
        }
        if let Some(p) = &self.locations {
            master
                .add_locations(&read_text(p)?)
                .with_context(|| format!("{} is not a readable address book", p.display()))?;
        }
        let codes = match &self.codes {
            Some(p) => Codes::from_lines(&read_text(p)?)
                .with_context(|| format!("{} is not a file of codes", p.display()))?,
            None => Codes::default(),
        };
        let ledger = ctx.ledger()?;
        let doc = match (&self.code, &self.shipment) {
            (Some(code), _) => export::unit_document(ledger, code, &master)?,
            (None, Some(reference)) => {
                let party = match self.party {
                    Some(p) => p,
                    None => caretrail_sdk::solana_sdk::signature::Signer::pubkey(&ctx.signer()?),
                };
                export::shipment_document(ledger, &party, reference, &codes, &master)?
            }
            (None, None) => unreachable!("clap requires one"),
        };
        let (text, name) = match self.format {
            DocFormat::V12 => (doc.to_xml(), "EPCIS 1.2 XML"),
            DocFormat::V20 => (
                serde_json::to_string_pretty(&doc.to_json_ld())? + "\n",
                "EPCIS 2.0 JSON-LD",
            ),
        };
        let epcs: std::collections::BTreeSet<_> = doc
            .events
            .iter()
            .flat_map(|e| e.epcs.iter().chain(&e.parent))
            .collect();
        let summary = serde_json::json!({
            "format": name,
            "events": doc.events.len(),
            "epcs": epcs.len(),
            "sender": doc.sender,
            "receiver": doc.receiver,
            "out": self.out.as_ref().map(|p| p.display().to_string()),
        });
        match &self.out {
            Some(path) => {
                std::fs::write(path, &text)
                    .with_context(|| format!("writing {}", path.display()))?;
                let human = format!(
                    "wrote {} ({name}: {} events, {} EPCs)",
                    path.display(),
                    doc.events.len(),
                    epcs.len()
                );
                Ok(Output::new(summary, human))
            }
            None => {
                crate::output::emit(text.trim_end());
                Ok(Output::new(serde_json::Value::Null, ""))
            }
        }
    }
}
