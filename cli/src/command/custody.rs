//! `caretrail custody …`: thin over `caretrail_sdk::custody` and `caretrail_sdk::epcis`.

use crate::context::{parse_pubkey, Context};
use crate::output::Output;
use anyhow::{anyhow, Result};
use caretrail_sdk::custody as cus;
use caretrail_sdk::solana_sdk::signature::Signer;
use clap::Subcommand;
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
    Verify {
        /// The scanned code (element string with GS or <GS>, HRI, or GS1 Digital Link).
        code: String,
        /// Who should hold it: a pubkey, a keypair file, or `me` (the --keypair wallet).
        #[arg(long)]
        expect_holder: Option<String>,
    },
    /// The custody history of one package or case, from the ledger's events.
    History {
        /// The scanned code.
        code: String,
        /// Print an EPCIS 2.0 JSON-LD document instead.
        #[arg(long)]
        epcis: bool,
    },
}

#[derive(clap::Args, Debug)]
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
    #[arg(long)]
    pub ship_to: Option<String>,
    /// Dispense to patients (dispensers).
    #[arg(long)]
    pub dispense: bool,
    /// With --ship-to: GLN of the shipping location (EPCIS read point).
    #[arg(long)]
    pub read_point: Option<String>,
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
    let action = if args.receive {
        ScanAction::Receive
    } else if args.verify {
        ScanAction::Verify
    } else if args.dispense {
        ScanAction::Dispense
    } else {
        let receiver = parse_pubkey(args.ship_to.as_deref().expect("clap requires one action"))?;
        if caretrail_sdk::registry::fetch_participant(ledger, &receiver)?.is_none() {
            anyhow::bail!("{receiver} is not a registered trading partner");
        }
        let read_point = match &args.read_point {
            Some(g) => caretrail_sdk::registry::parse_gln(g).map_err(|e| anyhow!(e))?,
            None => caretrail_sdk::registry::fetch_participant(ledger, &scanner.pubkey())?
                .map(|p| p.gln)
                .ok_or_else(|| anyhow!("you are not registered; give --read-point"))?,
        };
        let shipment = args
            .shipment
            .clone()
            .unwrap_or_else(|| format!("scan-{}", caretrail_sdk::util::unix_now()));
        ScanAction::ShipTo {
            receiver,
            args: cus::ShipArgs {
                read_point,
                shipment_ref: cus::shipment_ref(&shipment),
                is_return: args.is_return,
            },
        }
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

fn parse_code(code: &str) -> Result<caretrail_sdk::gs1::Gs1Code> {
    caretrail_sdk::gs1::parse(code).map_err(|e| anyhow!("not a valid GS1 code: {e}"))
}

pub fn execute(ctx: &Context, cmd: CustodyCommand) -> Result<Output> {
    if let CustodyCommand::Scan(args) = cmd {
        return scan(ctx, args);
    }
    let ledger = ctx.ledger()?;
    match cmd {
        CustodyCommand::Scan(_) => unreachable!("handled above"),
        CustodyCommand::Verify {
            code,
            expect_holder,
        } => {
            let parsed = parse_code(&code)?;
            let expected = match expect_holder.as_deref() {
                None => None,
                Some("me") => Some(ctx.signer()?.pubkey()),
                Some(s) => Some(parse_pubkey(s)?),
            };
            let v = cus::verify(ledger, &parsed, expected.as_ref())?;
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
        CustodyCommand::History { code, epcis } => {
            let parsed = parse_code(&code)?;
            if epcis {
                let doc = caretrail_sdk::epcis::export_unit_history(ledger, &parsed)?;
                let text = serde_json::to_string_pretty(&doc)?;
                return Ok(Output::new(doc, text));
            }
            let address = cus::address_of(&parsed).map_err(|e| anyhow!(e))?;
            let history = caretrail_sdk::epcis::unit_history(ledger, &address)?;
            let rows: Vec<Vec<String>> = history
                .iter()
                .map(|h| {
                    vec![
                        caretrail_sdk::util::rfc3339(h.timestamp()),
                        caretrail_sdk::events::CaretrailEvent::Custody(h.event.clone())
                            .name()
                            .to_string(),
                        h.via.map(|v| format!("in {v}")).unwrap_or_default(),
                        h.signature.to_string(),
                    ]
                })
                .collect();
            let json = json!(history
                .iter()
                .map(|h| json!({
                    "time": caretrail_sdk::util::rfc3339(h.timestamp()),
                    "event": caretrail_sdk::events::CaretrailEvent::Custody(h.event.clone()).name(),
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
}
