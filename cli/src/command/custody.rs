//! `caretrail custody …`: thin over `caretrail_sdk::custody` and `caretrail_sdk::epcis`.

use crate::args;
use crate::command::Execute;
use crate::context::Context;
use crate::output::Output;
use anyhow::{anyhow, Context as _, Result};
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
    /// Lots of a GTIN (manufacturers and repackagers, under a GS1 company prefix they hold).
    #[command(subcommand)]
    Lot(LotCommand),
    /// Commission serialized packages into a lot from a serialization-line export (a serial
    /// number or a GS1 code per line; a file, or stdin), many per transaction; safe to re-run.
    Commission(Commission),
    /// Pack packages (or cases) into a case or pallet by SSCC, creating the SSCC's aggregate
    /// when it is new (under a GS1 company prefix you hold).
    Pack(Pack),
    /// Unpack units from a case or pallet (the holder).
    Unpack(Unpack),
    /// Ship one package, case or pallet to a registered trading partner (the holder).
    Ship(Ship),
    /// Receive a shipment addressed to you.
    Receive(CodeArg),
    /// Refuse a shipment addressed to you: custody returns to the sender.
    Refuse(WithReason),
    /// Take back a shipment its receiver never answered (the sender, after 30 days).
    Cancel(CodeArg),
    /// Recall a lot (its manufacturer, or a regulator): no unit of it moves or is dispensed.
    Recall(Recall),
    /// Quarantine a suspect unit (its holder, or a regulator).
    Suspect(WithReason),
    /// Clear a quarantined unit (whoever flagged it, or a regulator).
    Clear(CodeArg),
    /// Declare a quarantined unit illegitimate, for good (whoever flagged it, or a regulator).
    Illegitimate(WithReason),
    /// Dispense a package to a patient (a dispenser that holds it).
    Dispense(CodeArg),
    /// Take a unit out of the supply chain (its holder); `--destroyed` when it was destroyed.
    Decommission(Decommission),
    /// Close an emptied case or pallet you hold: its rent goes back to the company that
    /// allocated its SSCC (the holder of its GS1 company prefix).
    Close(CloseArgs),
    /// Compressed packages: leaves of a lot's package tree instead of an account each
    /// (docs/SCALE.md).
    #[command(subcommand)]
    Package(crate::command::package::PackageCommand),
}

#[derive(Subcommand, Debug)]
pub enum LotCommand {
    /// Register a lot of a GTIN with its expiry.
    Register(LotRegister),
    /// Set (or change) a lot's storage condition, a temperature range (its manufacturer): a
    /// receipt whose logger summary breaks it quarantines the unit at receipt.
    Storage(LotStorage),
}

impl Execute for CustodyCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            CustodyCommand::Scan(c) => c.execute(ctx),
            CustodyCommand::Verify(c) => c.execute(ctx),
            CustodyCommand::History(c) => c.execute(ctx),
            CustodyCommand::Lot(LotCommand::Register(c)) => c.execute(ctx),
            CustodyCommand::Lot(LotCommand::Storage(c)) => c.execute(ctx),
            CustodyCommand::Commission(c) => c.execute(ctx),
            CustodyCommand::Pack(c) => c.execute(ctx),
            CustodyCommand::Unpack(c) => c.execute(ctx),
            CustodyCommand::Ship(c) => c.execute(ctx),
            CustodyCommand::Receive(c) => c.act(ctx, "received", |k, s, u| k.receive(s, u)),
            CustodyCommand::Refuse(c) => {
                let reason = c.reason;
                c.code
                    .act(ctx, "refused", move |k, s, u| k.refuse(s, u, reason))
            }
            CustodyCommand::Cancel(c) => {
                c.act(ctx, "taken back", |k, s, u| k.cancel_shipment(s, u))
            }
            CustodyCommand::Recall(c) => c.execute(ctx),
            CustodyCommand::Suspect(c) => {
                let reason = c.reason;
                c.code.act(ctx, "quarantined as suspect", move |k, s, u| {
                    k.flag_suspect(s, u, reason)
                })
            }
            CustodyCommand::Clear(c) => c.act(ctx, "cleared", |k, s, u| k.clear_suspect(s, u)),
            CustodyCommand::Illegitimate(c) => {
                let reason = c.reason;
                c.code.act(ctx, "declared illegitimate", move |k, s, u| {
                    k.declare_illegitimate(s, u, reason)
                })
            }
            CustodyCommand::Dispense(c) => c.act(ctx, "dispensed", |k, s, u| k.dispense(s, u)),
            CustodyCommand::Package(c) => c.execute(ctx),
            CustodyCommand::Close(c) => c.execute(ctx),
            CustodyCommand::Decommission(c) => {
                let (destroyed, reason) = (c.destroyed, c.reason);
                let what = if destroyed {
                    "destroyed"
                } else {
                    "decommissioned"
                };
                c.code.act(ctx, what, move |k, s, u| {
                    k.decommission(s, u, destroyed, reason)
                })
            }
        }
    }
}

/// A scanned GS1 code: element string (with GS or `<GS>`), HRI, or GS1 Digital Link.
pub(crate) fn code(s: &str) -> Result<Gs1Code, String> {
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
    #[arg(long, value_parser = holder, conflicts_with = "vrs")]
    pub expect_holder: Option<Holder>,
    /// Ask the manufacturer's VRS at this base URL instead of the ledger (a partner not on
    /// caretrail): the same result names, from its DSCSA verification answer.
    #[arg(long, value_name = "URL")]
    pub vrs: Option<String>,
    /// With --vrs: your GLN as the requester [default: your registered GLN].
    #[arg(long, value_parser = args::gln, requires = "vrs", value_name = "GLN")]
    pub req_gln: Option<[u8; 13]>,
    /// With --vrs: seconds to wait for each attempt.
    #[arg(long, default_value_t = 5, requires = "vrs", value_name = "SECS")]
    pub vrs_timeout: u64,
    /// With --vrs: attempts after the first when the VRS does not answer (or answers 408,
    /// 429, 5xx).
    #[arg(long, default_value_t = 2, requires = "vrs", value_name = "N")]
    pub vrs_retries: u32,
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
    /// With --receive: the sender's shipment document (EPCIS 1.2 XML or 2.0 JSON-LD). Each
    /// line is reconciled with it — overage, lot or expiry mismatch, unknown to the chain —
    /// and what it ships but nobody scanned is listed at the end (shortage). Only what the
    /// document and the chain both support is received.
    #[arg(long, requires = "receive", value_name = "FILE")]
    pub expect: Option<std::path::PathBuf>,
    /// With --receive: the temperature logger's CSV of the shipment (time and temperature
    /// columns): each receipt carries its summary (min, max, mean, minutes outside the lot's
    /// range, the file's hash), and an excursion from the lot's storage condition
    /// quarantines the unit at receipt.
    #[arg(
        long,
        requires = "receive",
        conflicts_with = "expect",
        value_name = "FILE"
    )]
    pub sensor_file: Option<std::path::PathBuf>,
    /// With --expect: also receive what the document does not list (when the chain has it
    /// shipped to you).
    #[arg(long, requires = "expect")]
    pub accept_overage: bool,
    /// With --expect: write the report for the warehouse system to FILE, one JSON object per
    /// shipment per line (what `--output json` prints).
    #[arg(long, requires = "expect", value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,
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
    use caretrail_sdk::scan::{self, ScanAction};
    let ledger = ctx.ledger()?;
    let scanner = ctx.signer()?;
    let action = match args.ship_to {
        _ if args.receive => match &args.sensor_file {
            Some(path) => ScanAction::ReceiveSensed(Box::new(read_logger(path)?)),
            None => ScanAction::Receive,
        },
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
    let mut progress = Progress {
        bar: None,
        total: 0,
        last_logged: 0,
    };
    if let Some(document) = &args.expect {
        let doc = super::epcis::read_document(document)?;
        let expected = caretrail_sdk::custody::reconcile::Expected::from_document(&doc)
            .with_context(|| format!("{} cannot be received against", document.display()))?;
        // Shortage is only known at the end of the input: read it all (Ctrl-D ends a
        // scanner's session on a terminal).
        let input = read_scans(args.file.as_deref())?;
        let lines = scan::scan_lines(&input);
        let reconciled = caretrail_sdk::custody::reconcile::receive_against(
            ledger,
            &scanner,
            &scanner,
            &expected,
            args.accept_overage,
            &lines,
            &mut progress,
        )?;
        return reconcile_output(ctx, &reconciled, args.report.as_deref());
    }
    let input = match args.file.as_deref() {
        Some(p) if p != std::path::Path::new("-") => read_scans(Some(p))?,
        // A scanner is a keyboard: answer each line as it arrives.
        _ => return scan_stream(ctx, &scanner, &action),
    };
    let lines = scan::scan_lines(&input);
    let results = scan::run(ledger, &scanner, &scanner, &action, &lines, &mut progress)?;
    let rows = results.iter().map(scan_row).collect();
    per_line_output(ctx, &results, rows, SCAN_WORDS)
}

/// A temperature logger's CSV file, read (see `custody::cold_chain`).
fn read_logger(path: &std::path::Path) -> Result<caretrail_sdk::custody::cold_chain::Readings> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    caretrail_sdk::custody::cold_chain::read_logger_csv(&bytes)
        .with_context(|| format!("{} is not a readable logger file", path.display()))
}

/// A file of scanned lines, or stdin (`-` or none) to its end.
fn read_scans(path: Option<&std::path::Path>) -> Result<String> {
    let bytes = match path {
        Some(p) if p != std::path::Path::new("-") => {
            std::fs::read(p).map_err(|e| anyhow!("reading {}: {e}", p.display()))?
        }
        _ => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("scan barcodes, one per line; end with Ctrl-D to reconcile");
            }
            let mut b = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)
                .map_err(|e| anyhow!("reading stdin: {e}"))?;
            b
        }
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// `scan --receive --expect`: with `--output json` one report per shipment (JSON lines),
/// otherwise each line with its finding, the shortage at the end, and a summary per
/// shipment; exit status 1 unless everything was received as the document says. `report`
/// gets the JSON lines too.
fn reconcile_output(
    ctx: &Context,
    r: &caretrail_sdk::custody::reconcile::Reconciliation,
    report: Option<&std::path::Path>,
) -> Result<Output> {
    use caretrail_sdk::custody::reconcile::Finding;
    let reports = r.reports();
    let mut json_lines = String::new();
    for rep in &reports {
        json_lines.push_str(&serde_json::to_string(rep)?);
        json_lines.push('\n');
    }
    if let Some(path) = report {
        std::fs::write(path, &json_lines)
            .map_err(|e| anyhow!("writing {}: {e}", path.display()))?;
    }
    let alert = !r.is_clean();
    if ctx.args.output == crate::output::OutputFormat::Json {
        for line in json_lines.lines() {
            crate::output::emit(line);
        }
        return Ok(Output::new(serde_json::Value::Null, "").alert(alert));
    }
    let finding = |f: Finding| match f {
        Finding::Expected => "expected",
        Finding::Overage => "OVERAGE",
        Finding::Mismatch => "MISMATCH",
        Finding::Unknown => "UNKNOWN",
        Finding::Unreadable => "unreadable",
    };
    let cells: Vec<Vec<String>> = r
        .lines
        .iter()
        .map(|l| {
            let row = scan_row(&l.result);
            vec![
                row.line.to_string(),
                outcome_word(SCAN_WORDS, row.outcome).to_string(),
                finding(l.finding).to_string(),
                row.unit.unwrap_or_default().to_string(),
                row.reason.unwrap_or_default().to_string(),
            ]
        })
        .collect();
    let mut human = crate::output::table(&["line", "result", "finding", "unit", "reason"], &cells);
    if !r.shortage.is_empty() {
        let short: Vec<Vec<String>> = r
            .shortage
            .iter()
            .map(|s| {
                vec![
                    s.unit.code.clone(),
                    s.unit.inside.clone().unwrap_or_default(),
                    s.reason.clone(),
                ]
            })
            .collect();
        human.push_str(&format!(
            "\n\nSHORTAGE: {} units the document ships were not received\n{}",
            r.shortage.len(),
            crate::output::table(&["code", "document packs it in", "why"], &short)
        ));
    }
    for rep in &reports {
        let s = &rep.summary;
        human.push_str(&format!(
            "\n\nshipment {}: {} of {} expected units received; {} lines: {} done, {} already \
             done, {} rejected; {} overage, {} mismatch, {} unknown, {} short",
            rep.shipment.unwrap_or("(not in the document)"),
            s.received,
            s.expected,
            s.lines,
            s.done,
            s.already_done,
            s.rejected,
            s.overage,
            s.mismatch,
            s.unknown,
            s.shortage
        ));
    }
    Ok(Output::new(serde_json::Value::Null, human).alert(alert))
}

/// What the first two outcomes of a scan line are called.
const SCAN_WORDS: [&str; 2] = ["done", "already done"];

/// A scan line's outcome as a [`LineRow`].
fn scan_row(r: &caretrail_sdk::scan::LineResult) -> LineRow<'_> {
    use caretrail_sdk::scan::LineStatus;
    LineRow {
        line: r.line,
        outcome: match r.status {
            LineStatus::Done => 0,
            LineStatus::AlreadyDone => 1,
            LineStatus::Rejected => 2,
        },
        unit: r.unit.as_deref(),
        reason: r.reason.as_deref(),
    }
}

/// The word of an outcome (see [`LineRow`]).
fn outcome_word(words: [&str; 2], outcome: usize) -> &str {
    [words[0], words[1], "REJECTED"][outcome]
}

/// One input line's outcome, for [`per_line_output`]: 0 done, 1 already done, 2 rejected.
struct LineRow<'a> {
    line: usize,
    outcome: usize,
    unit: Option<&'a str>,
    reason: Option<&'a str>,
}

/// The per-line answer of a batch command (scan, commission): with `--output json` one object
/// per line, otherwise a table and a count; exit status 1 when a line was rejected. `words`
/// name the first two outcomes.
fn per_line_output<T: serde::Serialize>(
    ctx: &Context,
    results: &[T],
    rows: Vec<LineRow>,
    words: [&str; 2],
) -> Result<Output> {
    let count = |o: usize| rows.iter().filter(|r| r.outcome == o).count();
    let (done, already, rejected) = (count(0), count(1), count(2));
    if ctx.args.output == crate::output::OutputFormat::Json {
        for r in results {
            crate::output::emit(&serde_json::to_string(r)?);
        }
        return Ok(Output::new(serde_json::Value::Null, "").alert(rejected > 0));
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.line.to_string(),
                outcome_word(words, r.outcome).to_string(),
                r.unit.unwrap_or_default().to_string(),
                r.reason.unwrap_or_default().to_string(),
            ]
        })
        .collect();
    let human = format!(
        "{}\n\n{} lines: {done} {}, {already} {}, {rejected} rejected",
        crate::output::table(&["line", "result", "unit", "reason"], &cells),
        rows.len(),
        words[0],
        words[1]
    );
    Ok(Output::new(serde_json::Value::Null, human).alert(rejected > 0))
}

/// How long a scan from stdin waits for more lines before acting on those it has (a scanner
/// sends a burst as fast as it reads; a person scans one every second or so).
const SCAN_WINDOW: std::time::Duration = std::time::Duration::from_millis(200);

/// `custody scan` from stdin (a terminal or a pipe): lines are read as they arrive, gathered for
/// at most [`SCAN_WINDOW`] (or a transaction's worth), acted on, and answered at once; at the
/// end of input a summary.
fn scan_stream(
    ctx: &Context,
    scanner: &caretrail_sdk::solana_sdk::signature::Keypair,
    action: &caretrail_sdk::scan::ScanAction,
) -> Result<Output> {
    use caretrail_sdk::scan::{self, Quiet, MAX_ACTIONS_PER_TX};
    use std::sync::mpsc::{channel, RecvTimeoutError};
    let ledger = ctx.ledger()?;
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("scan barcodes, one per line (each is answered as it comes); end with Ctrl-D");
    }
    let (tx, rx) = channel::<(usize, String)>();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for (i, line) in std::io::stdin().lock().split(b'\n').enumerate() {
            let Ok(raw) = line else { break };
            let text = scan::clean_line(&String::from_utf8_lossy(&raw)).to_string();
            if !text.is_empty() && tx.send((i + 1, text)).is_err() {
                break;
            }
        }
    });
    let json = ctx.args.output == crate::output::OutputFormat::Json;
    let mut counts = [0usize; 3];
    let mut open = true;
    while open {
        let Ok(first) = rx.recv() else { break };
        let mut batch = vec![first];
        let deadline = std::time::Instant::now() + SCAN_WINDOW;
        while batch.len() < MAX_ACTIONS_PER_TX {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => batch.push(line),
                Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => {
                    open = false;
                    break;
                }
            }
        }
        for r in scan::run(ledger, scanner, scanner, action, &batch, &mut Quiet)? {
            let row = scan_row(&r);
            counts[row.outcome] += 1;
            if json {
                crate::output::emit(&serde_json::to_string(&r)?);
            } else {
                crate::output::emit(&format!(
                    "line {}: {} {} {}",
                    row.line,
                    outcome_word(SCAN_WORDS, row.outcome),
                    row.unit.unwrap_or(""),
                    row.reason.unwrap_or("")
                ));
            }
        }
    }
    let [done, already, rejected] = counts;
    let human = format!(
        "{} lines: {done} done, {already} already done, {rejected} rejected",
        done + already + rejected
    );
    let human = if json { String::new() } else { human };
    Ok(Output::new(serde_json::Value::Null, human).alert(rejected > 0))
}

impl Verify {
    /// `--vrs`: the partner's VRS answers.
    fn over_vrs(&self, ctx: &Context, base: &str) -> Result<Output> {
        use caretrail_sdk::custody::vrs::Requester;
        let gln = match self.req_gln {
            Some(g) => caretrail_sdk::registry::gln_str(&g),
            None => {
                let me = ctx.signer()?.pubkey();
                let p = caretrail_sdk::registry::fetch_participant(ctx.ledger()?, &me)?
                    .ok_or_else(|| {
                        anyhow!("{me} is not registered, so it has no GLN: give --req-gln")
                    })?;
                caretrail_sdk::registry::gln_str(&p.gln)
            }
        };
        let mut requester = Requester::new(base, &gln)?;
        requester.timeout = std::time::Duration::from_secs(self.vrs_timeout.max(1));
        requester.retries = self.vrs_retries;
        let v = requester.verify(&self.code)?;
        let d = &v.response.data;
        let mut words = vec![format!("verified: {}", d.verified)];
        if let Some(r) = d.verification_failure_reason {
            words.push(format!(
                "reason: {}",
                serde_json::to_value(r)?.as_str().unwrap_or("")
            ));
        }
        if let Some(i) = d.additional_info {
            words.push(format!(
                "additional info: {}",
                serde_json::to_value(i)?.as_str().unwrap_or("")
            ));
        }
        let human = format!(
            "{} (VRS of GLN {}): {}; corrUUID {}",
            if v.result == "genuine" {
                "GENUINE".to_string()
            } else {
                format!("ALERT {}", v.result)
            },
            v.response.responder_gln,
            words.join(", "),
            v.response.corr_uuid
        );
        Ok(Output::new(serde_json::to_value(&v)?, human).alert(v.result != "genuine"))
    }
}

impl Execute for Verify {
    fn execute(self, ctx: &Context) -> Result<Output> {
        if let Some(base) = &self.vrs {
            return self.over_vrs(ctx, base);
        }
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
        Ok(Output::new(serde_json::to_value(&v)?, human).alert(!v.is_genuine()))
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
        let Some(history) = caretrail_sdk::epcis::history_of(ledger, &self.code)? else {
            let address = cus::address_of(&self.code)?;
            return Ok(Output::new(
                json!([]),
                format!("unknown: no package, case or pallet with this code was ever commissioned ({address})"),
            )
            .alert(true));
        };
        let name = |h: &caretrail_sdk::epcis::HistoryEvent| {
            caretrail_sdk::events::CaretrailEvent::Custody(h.event.clone()).name()
        };
        let rows: Vec<Vec<String>> = history
            .iter()
            .map(|h| {
                vec![
                    caretrail_sdk::util::rfc3339(h.timestamp()),
                    name(h).to_string(),
                    h.parties(),
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
                "parties": h.parties(),
                "via": h.via.map(|v| v.to_string()),
                "signature": h.signature.to_string(),
            }))
            .collect::<Vec<_>>());
        Ok(Output::new(
            json,
            crate::output::table(
                &["time", "event", "parties", "aggregate", "signature"],
                &rows,
            ),
        ))
    }
}

/// A GTIN (8, 12, 13 or 14 digits, check digit verified) as GTIN-14.
pub(crate) fn gtin(s: &str) -> Result<[u8; 14], String> {
    cus::parse_gtin(s).map_err(|e| e.to_string())
}

/// A date `YYYY-MM-DD`.
fn date(s: &str) -> Result<(i64, u32, u32), String> {
    let bad = || format!("{s:?} is not a date YYYY-MM-DD");
    let mut parts = s.trim().split('-');
    let (Some(y), Some(m), Some(d), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    let (y, m, d): (i64, u32, u32) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(2000..=2199).contains(&y) || !(1..=12).contains(&m) || d == 0 || d > 31 {
        return Err(format!(
            "{s:?} is not a date between 2000-01-01 and 2199-12-31"
        ));
    }
    let days = caretrail_sdk::util::days_from_civil(y, m, d);
    if caretrail_sdk::util::civil_from_days(days) != (y, m, d) {
        return Err(format!("{s:?} does not exist"));
    }
    Ok((y, m, d))
}

/// An SSCC (18 digits, check digit verified), bare or as a GS1 code `(00)…`.
fn sscc(s: &str) -> Result<[u8; 18], String> {
    let t = s.trim();
    if t.len() == 18 && t.bytes().all(|b| b.is_ascii_digit()) {
        return cus::parse_sscc(t).map_err(|e| e.to_string());
    }
    let c = caretrail_sdk::gs1::parse(t).map_err(|e| format!("not an SSCC or GS1 code: {e}"))?;
    let v = c.sscc.ok_or("the code names no SSCC (AI 00)")?;
    cus::parse_sscc(&v).map_err(|e| e.to_string())
}

/// A scanned code of one unit (package, case or pallet).
#[derive(Args, Debug)]
pub struct CodeArg {
    /// The scanned code (element string, HRI such as `(01)…(21)…` or `(00)…`, Digital Link).
    #[arg(value_parser = code)]
    pub code: Gs1Code,
}

impl CodeArg {
    fn act(
        self,
        ctx: &Context,
        what: &str,
        run: impl Fn(
            &cus::CustodyClient,
            &caretrail_sdk::solana_sdk::signature::Keypair,
            &Pubkey,
        ) -> caretrail_sdk::Result<caretrail_sdk::TxOutcome>,
    ) -> Result<Output> {
        let signer = ctx.signer()?;
        let unit = cus::address_of(&self.code)?;
        let out = run(
            &cus::CustodyClient::new(ctx.ledger()?, &signer),
            &signer,
            &unit,
        )?;
        Ok(Output::tx(
            format!("{what}: unit {unit}"),
            &out,
            json!({ "unit": unit.to_string() }),
        ))
    }
}

/// A code and the reason code recorded on chain.
#[derive(Args, Debug)]
pub struct WithReason {
    #[command(flatten)]
    pub code: CodeArg,
    /// Reason code recorded on chain (no free text goes on chain).
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

#[derive(Args, Debug)]
pub struct LotRegister {
    /// The GTIN of the product (8, 12, 13 or 14 digits).
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number (GS1 AI 10; only its sha256 goes on chain).
    #[arg(long)]
    pub lot: String,
    /// The expiry date, YYYY-MM-DD (AI 17).
    #[arg(long, value_parser = date)]
    pub expiry: (i64, u32, u32),
}

impl Execute for LotRegister {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let args = cus::lot_args(&self.gtin, &self.lot, self.expiry);
        let out = cus::CustodyClient::new(ctx.ledger()?, &signer).register_lot(&signer, args)?;
        let lot = cus::lot_pda(&self.gtin, &self.lot).0;
        let (y, m, d) = self.expiry;
        Ok(Output::tx(
            format!(
                "lot {} of GTIN {} registered ({lot}), expiring {y:04}-{m:02}-{d:02}",
                self.lot,
                String::from_utf8_lossy(&self.gtin)
            ),
            &out,
            json!({ "lot": lot.to_string(), "expiry": format!("{y:04}-{m:02}-{d:02}") }),
        ))
    }
}

fn celsius(s: &str) -> Result<i16, String> {
    caretrail_sdk::custody::cold_chain::parse_celsius(s)
}

#[derive(Args, Debug)]
pub struct LotStorage {
    /// The lot's GTIN.
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number.
    #[arg(long)]
    pub lot: String,
    /// Lowest storage temperature, °C (at most two decimals).
    #[arg(long, value_parser = celsius, allow_hyphen_values = true, value_name = "CELSIUS")]
    pub min: i16,
    /// Highest storage temperature, °C.
    #[arg(long, value_parser = celsius, allow_hyphen_values = true, value_name = "CELSIUS")]
    pub max: i16,
    /// Minutes outside the range the product tolerates before it is an excursion.
    #[arg(long, default_value_t = 0, value_name = "MINUTES")]
    pub tolerate: u32,
}

impl Execute for LotStorage {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let lot = cus::lot_pda(&self.gtin, &self.lot).0;
        let args = cus::StorageConditionArgs {
            min_centi_celsius: self.min,
            max_centi_celsius: self.max,
            tolerated_minutes: self.tolerate,
        };
        let out = cus::CustodyClient::new(ctx.ledger()?, &signer)
            .set_storage_condition(&signer, &lot, args)?;
        let c = |v: i16| {
            let sign = if v < 0 { "-" } else { "" };
            format!("{sign}{}.{:02}", (v / 100).abs(), (v % 100).abs())
        };
        Ok(Output::tx(
            format!(
                "lot {} stored at {} to {} °C ({} minutes outside tolerated)",
                self.lot,
                c(self.min),
                c(self.max),
                self.tolerate
            ),
            &out,
            json!({ "lot": lot.to_string(), "storage": cus::storage_pda(&lot).0.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Commission {
    /// The lot's GTIN.
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number.
    #[arg(long)]
    pub lot: String,
    /// File of serials (or GS1 codes), one per line; `-` or nothing reads stdin.
    pub file: Option<std::path::PathBuf>,
}

impl Execute for Commission {
    fn execute(self, ctx: &Context) -> Result<Output> {
        use caretrail_sdk::custody::commission::{self, CommissionStatus};
        let input = read_input(self.file.as_deref(), "serial numbers")?;
        let lines = caretrail_sdk::scan::scan_lines(&input);
        let signer = ctx.signer()?;
        let mut progress = Progress {
            bar: None,
            total: 0,
            last_logged: 0,
        };
        let results = commission::commission_serials(
            ctx.ledger()?,
            &signer,
            &signer,
            &self.gtin,
            &self.lot,
            &lines,
            &mut progress,
        )?;
        let rows = results
            .iter()
            .map(|r| LineRow {
                line: r.line,
                outcome: match r.status {
                    CommissionStatus::Commissioned => 0,
                    CommissionStatus::AlreadyCommissioned => 1,
                    CommissionStatus::Rejected => 2,
                },
                unit: r.unit.as_deref(),
                reason: r.reason.as_deref(),
            })
            .collect();
        per_line_output(
            ctx,
            &results,
            rows,
            ["commissioned", "already commissioned"],
        )
    }
}

/// The lines of a file, or of stdin (`-` or no file).
pub(crate) fn read_input(file: Option<&std::path::Path>, what: &str) -> Result<String> {
    match file {
        Some(p) if p != std::path::Path::new("-") => {
            let bytes = std::fs::read(p).map_err(|e| anyhow!("reading {}: {e}", p.display()))?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
        _ => {
            if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
                eprintln!("{what}, one per line; end with Ctrl-D");
            }
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)?;
            Ok(String::from_utf8_lossy(&bytes).into_owned())
        }
    }
}

/// An aggregate's kind.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum AggregateKind {
    Case,
    Pallet,
}

/// Units packed or unpacked per transaction (each child is an account and, for an item, its
/// lot: eight stay well inside the 1,232-byte limit).
const CHILDREN_PER_TX: usize = 8;

#[derive(Args, Debug)]
pub struct Pack {
    /// The case's or pallet's SSCC (18 digits or `(00)…`).
    #[arg(value_parser = sscc)]
    pub sscc: [u8; 18],
    /// What the SSCC labels, when it is new.
    #[arg(long, value_enum, default_value = "case")]
    pub kind: AggregateKind,
    /// The codes of the units to pack (packages, or cases for a pallet).
    #[arg(value_parser = code, required = true)]
    pub units: Vec<Gs1Code>,
}

impl Execute for Pack {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let client = cus::CustodyClient::new(ledger, &signer);
        let parent = cus::sscc_pda(&self.sscc).0;
        let mut signatures = Vec::new();
        if cus::fetch_unit(ledger, &parent)?.is_none() {
            let kind = match self.kind {
                AggregateKind::Case => cus::UnitKind::Case,
                AggregateKind::Pallet => cus::UnitKind::Pallet,
            };
            signatures.push(client.create_aggregate(&signer, self.sscc, kind)?.signature);
        }
        let children = self
            .units
            .iter()
            .map(cus::address_of)
            .collect::<caretrail_sdk::Result<Vec<_>>>()?;
        for chunk in children.chunks(CHILDREN_PER_TX) {
            signatures.push(client.aggregate(&signer, &parent, chunk)?.signature);
        }
        let sscc = String::from_utf8_lossy(&self.sscc).into_owned();
        Ok(Output::new(
            json!({
                "aggregate": parent.to_string(),
                "sscc": sscc,
                "packed": children.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "signatures": signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            }),
            format!("packed {} units into {sscc} ({parent})", children.len()),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Unpack {
    /// The case's or pallet's SSCC.
    #[arg(value_parser = sscc)]
    pub sscc: [u8; 18],
    /// The codes of the units to take out.
    #[arg(value_parser = code, required = true)]
    pub units: Vec<Gs1Code>,
}

impl Execute for Unpack {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let client = cus::CustodyClient::new(ctx.ledger()?, &signer);
        let parent = cus::sscc_pda(&self.sscc).0;
        let children = self
            .units
            .iter()
            .map(cus::address_of)
            .collect::<caretrail_sdk::Result<Vec<_>>>()?;
        let mut signatures = Vec::new();
        for chunk in children.chunks(CHILDREN_PER_TX) {
            signatures.push(client.disaggregate(&signer, &parent, chunk)?.signature);
        }
        let sscc = String::from_utf8_lossy(&self.sscc).into_owned();
        Ok(Output::new(
            json!({
                "aggregate": parent.to_string(),
                "unpacked": children.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
                "signatures": signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
            }),
            format!("unpacked {} units from {sscc}", children.len()),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Ship {
    #[command(flatten)]
    pub code: CodeArg,
    /// The registered trading partner it goes to (pubkey or keypair file).
    #[arg(long, value_parser = args::pubkey)]
    pub to: Pubkey,
    /// GLN of the shipping location [default: your registered GLN].
    #[arg(long, value_parser = args::gln)]
    pub read_point: Option<[u8; 13]>,
    /// The shipment's ASN / despatch advice id (only its hash goes on chain).
    #[arg(long)]
    pub shipment: Option<String>,
    /// A saleable return to the distributor.
    #[arg(long)]
    pub is_return: bool,
    /// The temperature logger's CSV packed with it: its summary goes with the shipment (see
    /// `custody scan --sensor-file`).
    #[arg(long, value_name = "FILE")]
    pub sensor_file: Option<std::path::PathBuf>,
}

impl Execute for Ship {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.ledger()?;
        let signer = ctx.signer()?;
        let receiver = self.to;
        let args = caretrail_sdk::scan::shipment_args(
            ledger,
            &signer.pubkey(),
            &receiver,
            self.read_point,
            self.shipment.as_deref(),
            self.is_return,
        )?;
        let unit = cus::address_of(&self.code.code)?;
        let client = cus::CustodyClient::new(ledger, &signer);
        let out = match &self.sensor_file {
            Some(path) => {
                client.ship_with_sensor(&signer, &receiver, &unit, args, &read_logger(path)?)?
            }
            None => client.ship(&signer, &receiver, &unit, args)?,
        };
        Ok(Output::tx(
            format!("shipped unit {unit} to {receiver}"),
            &out,
            json!({ "unit": unit.to_string(), "to": receiver.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Recall {
    /// The lot's GTIN.
    #[arg(long, value_parser = gtin)]
    pub gtin: [u8; 14],
    /// The lot number.
    #[arg(long)]
    pub lot: String,
    /// Reason code recorded on chain.
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

impl Execute for Recall {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let lot = cus::lot_pda(&self.gtin, &self.lot).0;
        let out = cus::CustodyClient::new(ctx.ledger()?, &signer).recall_lot(
            &signer,
            &lot,
            self.reason,
        )?;
        Ok(Output::tx(
            format!("lot {} recalled ({lot})", self.lot),
            &out,
            json!({ "lot": lot.to_string() }),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Decommission {
    #[command(flatten)]
    pub code: CodeArg,
    /// It was destroyed (otherwise: taken out of the supply chain).
    #[arg(long)]
    pub destroyed: bool,
    /// Reason code recorded on chain.
    #[arg(long, default_value_t = 1)]
    pub reason: u16,
}

#[derive(Args, Debug)]
pub struct CloseArgs {
    /// The emptied case's or pallet's SSCC.
    pub sscc: String,
}

impl Execute for CloseArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let sscc = cus::parse_sscc(&self.sscc)?;
        let unit = cus::sscc_pda(&sscc).0;
        let out = cus::CustodyClient::new(ctx.ledger()?, &signer).close_aggregate(&signer, sscc)?;
        Ok(Output::tx(
            format!(
                "closed {unit} (SSCC {}); its rent went back to the SSCC's company",
                self.sscc
            ),
            &out,
            json!({ "unit": unit.to_string(), "sscc": self.sscc }),
        ))
    }
}
