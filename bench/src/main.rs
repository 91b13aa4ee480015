//! caretrail benchmarks: `cargo build --profile bench -p caretrail-cli -p caretrail-bench`, then
//! `target/release/caretrail-bench [--quick] [--json FILE] [--doc FILE]` (one build of both
//! binaries, so the bench finds the `caretrail` it measures next to itself; `cargo run -p
//! caretrail-bench` alone works too, without the CLI-process table)
//!
//! Prints Markdown tables of what was measured on this machine (and writes them as JSON with
//! `--json`, or as `docs/BENCHMARKS.md` with `--doc`): account sizes and rent from the
//! runtime's `Rent`, lamports per real-world action measured from balances, serialized
//! transaction sizes and actions per 1,232-byte transaction, throughput on the embedded ledger
//! at growing ledger sizes against the naive one-action-per-transaction baseline, off-chain hot
//! paths, `caretrail serve`'s consent decisions and JSON-RPC over loopback (p50/p99 latency with
//! a load generator of its own), and the compute units the bank meters (SPL Token CPIs; caretrail's own programs run
//! natively here and are metered only in SBF builds).
//!
//! `--cu-from URL` instead reads the compute units of every caretrail instruction in the
//! history of a validator running the SBF builds (scripts/e2e-validator.sh) and, with `--doc`,
//! replaces that section of the document.

mod load;
mod tables;

use clap::Parser;
use serde_json::{json, Value};
use std::io::Write;
use std::path::PathBuf;
use tables::*;

/// caretrail benchmarks: Markdown tables of what was measured on this machine.
#[derive(Parser, Debug)]
#[command(name = "caretrail-bench", version)]
struct Args {
    /// Smaller sizes and fewer repetitions (CI's smoke run).
    #[arg(long)]
    quick: bool,
    /// Also write the tables as JSON to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Write the tables as the benchmarks document FILE (docs/BENCHMARKS.md), keeping its
    /// validator compute-unit section.
    #[arg(long, value_name = "FILE")]
    doc: Option<PathBuf>,
    /// Read compute units from the transaction history of the validator at URL instead
    /// (scripts/e2e-validator.sh); with --doc, replace only that section.
    #[arg(long, value_name = "URL")]
    cu_from: Option<String>,
    /// Only this group of tables: accounts, records, scale, actions, packing, throughput,
    /// cli-scan, open, receiving, hot-paths, compute, serve.
    #[arg(long, value_name = "GROUP")]
    only: Option<String>,
    /// Directory of the SBF builds (`<program>.so`) to meter per instruction in the bank.
    #[arg(long, value_name = "DIR")]
    sbf_dir: Option<PathBuf>,
}

pub(crate) struct Table {
    title: String,
    headers: Vec<&'static str>,
    rows: Vec<Vec<String>>,
}

impl Table {
    pub(crate) fn new(title: &str, headers: &[&'static str]) -> Table {
        Table {
            title: title.into(),
            headers: headers.to_vec(),
            rows: vec![],
        }
    }
    pub(crate) fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
    /// How many columns a row has.
    pub(crate) fn columns(&self) -> usize {
        self.headers.len()
    }
    pub(crate) fn markdown(&self) -> String {
        let mut s = format!(
            "### {}\n\n| {} |\n|{}|\n",
            self.title,
            self.headers.join(" | "),
            self.headers
                .iter()
                .map(|_| " --- ")
                .collect::<Vec<_>>()
                .join("|")
        );
        for r in &self.rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        s
    }
    pub(crate) fn json(&self) -> Value {
        let rows: Vec<Value> = self
            .rows
            .iter()
            .map(|r| {
                json!(self
                    .headers
                    .iter()
                    .zip(r)
                    .map(|(h, c)| (h.to_string(), json!(c)))
                    .collect::<serde_json::Map<_, _>>())
            })
            .collect();
        json!({ "title": self.title, "rows": rows })
    }
}

pub(crate) fn rate(n: usize, secs: f64) -> String {
    format!("{:.0}", n as f64 / secs)
}

fn main() {
    // Parse first: clap prints --help and usage errors to the real stdout/stderr.
    let args = Args::parse();
    let mut out: Box<dyn Write> = match caretrail_sdk::programs::reserve_stdout() {
        Some(f) => Box::new(f),
        None => Box::new(std::io::stdout()),
    };
    let quick = args.quick;
    let sizes: Vec<usize> = if quick {
        vec![200, 1_000]
    } else {
        vec![1_000, 10_000, 100_000]
    };
    if let Some(url) = &args.cu_from {
        // Compute units of a real validator's history (scripts/e2e-validator.sh).
        let (section, table) = validator::validator_units(url);
        write!(out, "{}", table.markdown()).expect("write");
        if let Some(path) = &args.json {
            std::fs::write(path, serde_json::to_string_pretty(&table.json()).unwrap())
                .expect("write JSON");
        }
        if let Some(path) = &args.doc {
            let doc = std::fs::read_to_string(path).unwrap_or_default();
            std::fs::write(path, validator::splice(&doc, Some(&section))).expect("write doc");
        }
        return;
    }
    let only = args.only.as_deref();
    let wants = |g: &str| only.is_none_or(|o| o == g);
    const GROUPS: [&str; 13] = [
        "accounts",
        "records",
        "scale",
        "compressed",
        "actions",
        "packing",
        "throughput",
        "cli-scan",
        "open",
        "receiving",
        "hot-paths",
        "compute",
        "serve",
    ];
    if let Some(o) = only {
        if !GROUPS.contains(&o) {
            eprintln!("--only: {o:?} is not one of {}", GROUPS.join(", "));
            std::process::exit(2);
        }
    }
    let mut tables = Vec::new();
    if wants("accounts") {
        tables.push(accounts::accounts());
    }
    if wants("records") {
        tables.push(accounts::records(quick));
    }
    if wants("scale") {
        tables.extend(scale::scale());
    }
    if wants("compressed") {
        tables.push(compressed::compressed(quick));
    }
    if wants("actions") {
        tables.push(actions::actions(quick));
    }
    if wants("packing") {
        tables.push(packing::packing());
    }
    if wants("throughput") {
        tables.push(throughput::throughput(&sizes, quick));
    }
    if wants("cli-scan") {
        tables.push(cli_scan::cli_scan(&sizes));
        tables.push(cli_scan::cli_scan_designs(&sizes));
    }
    if wants("open") {
        tables.push(open::open(quick));
    }
    if wants("receiving") {
        tables.push(receiving::receiving(quick));
        tables.push(receiving::vrs(quick));
    }
    if wants("hot-paths") {
        tables.push(hot_paths::hot_paths(quick));
    }
    if wants("compute") {
        tables.push(compute::compute_units());
        tables.push(compute::per_instruction(args.sbf_dir.as_deref()));
    }
    if wants("serve") {
        tables.extend(serve::serve(&sizes, quick));
    }
    let mut md = String::new();
    for t in &tables {
        md.push_str(&t.markdown());
        md.push('\n');
    }
    write!(out, "{md}").expect("write");
    if let Some(path) = &args.json {
        let v = json!({ "quick": quick, "machine": machine(), "tables": tables.iter().map(Table::json).collect::<Vec<_>>() });
        std::fs::write(path, serde_json::to_string_pretty(&v).unwrap()).expect("write JSON");
    }
    if let Some(path) = &args.doc {
        let doc = format!(
            "# caretrail benchmarks\n\nGenerated by `cargo build --profile bench -p caretrail-cli -p caretrail-bench && target/release/caretrail-bench --doc docs/BENCHMARKS.md{}` (numbers are produced by the bench, never typed in).\n\nMachine: {}\n\n{md}",
            if quick { " --quick" } else { "" },
            machine()
        );
        // Keep the validator's compute-unit section, which only the end-to-end script writes.
        let previous = std::fs::read_to_string(path).unwrap_or_default();
        std::fs::write(
            path,
            validator::splice(&doc, validator::section_of(&previous)),
        )
        .expect("write doc");
    }
}

pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    format!(
        "{cpu}, {cores} cores, {} build",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "optimized"
        }
    )
}
