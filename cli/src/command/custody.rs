//! `caretrail custody …`: thin over `caretrail_sdk::custody` and `caretrail_sdk::epcis`.

use crate::args;
use crate::command::Execute;
use crate::context::Context;
use crate::output::Output;
use anyhow::{anyhow, Result};
use caretrail_sdk::custody as cus;
use caretrail_sdk::gs1::Gs1Code;
use caretrail_sdk::solana_sdk::{pubkey::Pubkey, signature::Signer};
use clap::{Args, Subcommand};
use serde_json::json;

#[derive(Subcommand, Debug)]
pub enum CustodyCommand {
    /// Scan a shipment: read barcodes (a file, or stdin — a scanner types one per line),
    /// verify each, and receive / ship / dispense them, many per transaction. Safe to re-run:
    /// lines that already landed are reported as already done.
    Scan(ScanArgs),
    /// Verify one scanned package or case: genuine, unknown serial, label mismatch, lot
    /// recalled, expired, quarantined, illegitimate, dispensed, decommissioned, or held by
    /// another party than expected.
    Verify(Verify),
    /// The custody history of one package or case, from the ledger's events.
    History(History),
}

impl Execute for CustodyCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            CustodyCommand::Scan(c) => c.execute(ctx),
            CustodyCommand::Verify(c) => c.execute(ctx),
            CustodyCommand::History(c) => c.execute(ctx),
        }
    }
}

/// A scanned GS1 code: element string (with GS or `<GS>`), HRI, or GS1 Digital Link.
fn code(s: &str) -> Result<Gs1Code, String> {
    caretrail_sdk::gs1::parse(s).map_err(|e| format!("not a valid GS1 code: {e}"))
}

/// Who should hold a unit: a pubkey, a keypair file, or `me`.
#[derive(Clone, Debug)]
pub enum Holder {
    Me,
    Wallet(Pubkey),
}

fn holder(s: &str) -> Result<Holder, String> {
    if s == "me" {
        return Ok(Holder::Me);
    }
    args::pubkey(s).map(Holder::Wallet)
}

#[derive(Args, Debug)]
pub struct Verify {
    /// The scanned code (element string with GS or <GS>, HRI, or GS1 Digital Link).
    #[arg(value_parser = code)]
    pub code: Gs1Code,
    /// Who should hold it: a pubkey, a keypair file, or `me` (the --keypair wallet).
    #[arg(long, value_parser = holder)]
    pub expect_holder: Option<Holder>,
}

#[derive(Args, Debug)]
pub struct History {
    /// The scanned code.
    #[arg(value_parser = code)]
    pub code: Gs1Code,
    /// Print an EPCIS 2.0 JSON-LD document instead.
    #[arg(long)]
    pub epcis: bool,
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("action").required(true).args(["receive", "verify", "ship_to", "dispense"])))]
pub struct ScanArgs {
    /// File of barcodes, one per line; `-` or nothing reads stdin.
    pub file: Option<std::path::PathBuf>,
    /// Receive shipments addressed to you (the --keypair wallet).
    #[arg(long)]
    pub receive: bool,
    /// Verify only: genuine and held by you, or why not.
    #[arg(long)]
    pub verify: bool,
    /// Ship to this registered trading partner (pubkey or keypair file).
    #[arg(long, value_parser = args::pubkey)]
    pub ship_to: Option<Pubkey>,
    /// Dispense to patients (dispensers).
    #[arg(long)]
    pub dispense: bool,
    /// With --ship-to: GLN of the shipping location (EPCIS read point) [default: your
    /// registered GLN].
    #[arg(long, value_parser = args::gln)]
    pub read_point: Option<[u8; 13]>,
    /// With --ship-to: the shipment's ASN / despatch advice id (only its hash goes on chain).
    #[arg(long)]
    pub shipment: Option<String>,
    /// With --ship-to: a saleable return to the distributor.
    #[arg(long)]
    pub is_return: bool,
}

/// A progress bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    total: usize,
    last_logged: usize,
}

impl caretrail_sdk::scan::ScanProgress for Progress {
    fn start(&mut self, lines: usize) {
        self.total = lines;
        if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            let bar = indicatif::ProgressBar::new(lines as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            self.bar = Some(bar);
        } else {
            eprintln!("scanning {lines} lines");
        }
    }

    fn advance(&mut self, done: usize, message: &str) {
        match &self.bar {
            Some(bar) => {
                bar.set_position(done as u64);
                bar.set_message(message.to_string());
            }
            None => {
                if done >= self.last_logged + 250 || (done == self.total && message != "resolved") {
                    eprintln!("{done}/{} {message}", self.total);
                    self.last_logged = done;
                }
            }
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Execute for ScanArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        scan(ctx, self)
    }
}

fn scan(ctx: &Context, args: ScanArgs) -> Result<Output> {
    use caretrail_sdk::scan::{self, LineStatus, ScanAction};
    let input = match args.file.as_deref() {
        Some(p) if p != std::path::Path::new("-") => {
            let bytes = std::fs::read(p).map_err(|e| anyhow!("reading {}: {e}", p.display()))?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
        _ => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("scan barcodes, one per line; end with Ctrl-D");
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
            String::from_utf8_lossy(&bytes).into_owned()
        }
    };
    let ledger = ctx.ledger()?;
    let scanner = ctx.signer()?;
    let action = match args.ship_to {
        _ if args.receive => ScanAction::Receive,
        _ if args.verify => ScanAction::Verify,
        _ if args.dispense => ScanAction::Dispense,
        Some(receiver) => ScanAction::ship_to(
            ledger,
            &scanner.pubkey(),
            receiver,
            args.read_point,
            args.shipment.as_deref(),
            args.is_return,
        )?,
        None => unreachable!("clap requires one action"),
    };
    let lines = scan::scan_lines(&input);
    let mut progress = Progress {
        bar: None,
        total: 0,
        last_logged: 0,
    };
    let results = scan::run(ledger, &scanner, &scanner, &action, &lines, &mut progress)?;
    let count = |s: LineStatus| results.iter().filter(|r| r.status == s).count();
    let (done, already, rejected) = (
        count(LineStatus::Done),
        count(LineStatus::AlreadyDone),
        count(LineStatus::Rejected),
    );
    if ctx.args.output == crate::output::OutputFormat::Json {
        for r in &results {
            crate::output::emit(&serde_json::to_string(r)?);
        }
        return Ok(Output::new(serde_json::Value::Null, ""));
    }
    let rows: Vec<Vec<String>> = results
        .iter()
        .map(|r| {
            vec![
                r.line.to_string(),
                match r.status {
                    LineStatus::Done => "done",
                    LineStatus::AlreadyDone => "already done",
                    LineStatus::Rejected => "REJECTED",
                }
                .to_string(),
                r.unit.clone().unwrap_or_default(),
                r.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    let human = format!(
        "{}\n\n{} lines: {done} done, {already} already done, {rejected} rejected",
        crate::output::table(&["line", "result", "unit", "reason"], &rows),
        results.len()
    );
    Ok(Output::new(serde_json::Value::Null, human))
}

impl Execute for Verify {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let expected = match self.expect_holder {
            None => None,
            Some(Holder::Me) => Some(ctx.signer()?.pubkey()),
            Some(Holder::Wallet(k)) => Some(k),
        };
        let v = cus::verify(ctx.ledger()?, &self.code, expected.as_ref())?;
        let human = match &v {
            cus::Verification::Genuine {
                holder,
                status,
                inside,
                ..
            } => format!(
                "GENUINE: held by {holder}, {status}{}",
                inside
                    .as_ref()
                    .map(|i| format!(", packed in {i}"))
                    .unwrap_or_default()
            ),
            other => format!("ALERT {}: {}", other.name(), serde_json::to_string(other)?),
        };
        Ok(Output::new(serde_json::to_value(&v)?, human))
    }
}

impl Execute for History {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        if self.epcis {
            let doc = caretrail_sdk::epcis::export_unit_history(ledger, &self.code)?;
            let text = serde_json::to_string_pretty(&doc)?;
            return Ok(Output::new(doc, text));
        }
        let address = cus::address_of(&self.code)?;
        let history = caretrail_sdk::epcis::unit_history(ledger, &address)?;
        let name = |h: &caretrail_sdk::epcis::HistoryEvent| {
            caretrail_sdk::events::CaretrailEvent::Custody(h.event.clone()).name()
        };
        let rows: Vec<Vec<String>> = history
            .iter()
            .map(|h| {
                vec![
                    caretrail_sdk::util::rfc3339(h.timestamp()),
                    name(h).to_string(),
                    h.via.map(|v| format!("in {v}")).unwrap_or_default(),
                    h.signature.to_string(),
                ]
            })
            .collect();
        let json = json!(history
            .iter()
            .map(|h| json!({
                "time": caretrail_sdk::util::rfc3339(h.timestamp()),
                "event": name(h),
                "via": h.via.map(|v| v.to_string()),
                "signature": h.signature.to_string(),
            }))
            .collect::<Vec<_>>());
        Ok(Output::new(
            json,
            crate::output::table(&["time", "event", "aggregate", "signature"], &rows),
        ))
    }
}
