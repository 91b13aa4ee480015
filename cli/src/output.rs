//! Human and JSON output (`--output human|json`).

use clap::ValueEnum;
use serde_json::Value;
use std::io::Write;
use std::sync::OnceLock;

/// The process's real standard output (see `caretrail_sdk::programs::reserve_stdout`).
static REAL_STDOUT: OnceLock<std::fs::File> = OnceLock::new();

/// The programs' recent native log lines (see `reserve_stdout`).
static PROGRAM_LINES: OnceLock<caretrail_sdk::programs::ProgramLines> = OnceLock::new();

/// Keeps standard output for the command's own result: the programs' native `msg!` lines are
/// kept aside (to name the account of a failure) and copied to stderr with
/// `CARETRAIL_PROGRAM_LOGS`.
pub fn reserve_stdout() {
    if let Some((f, lines)) = caretrail_sdk::programs::reserve_stdout_capturing() {
        let _ = REAL_STDOUT.set(f);
        let _ = PROGRAM_LINES.set(lines);
    }
}

/// The account the last failed instruction's Anchor error named in the programs' native logs.
fn failing_account() -> Option<String> {
    let lines = PROGRAM_LINES.get()?;
    // The logging thread reads the pipe behind this one: let it catch up.
    let _ = std::io::stdout().flush();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let lines = lines.lock().ok()?;
    let v: Vec<String> = lines.iter().cloned().collect();
    caretrail_sdk::error::failing_account(&v)
}

/// Writes a line of the command's result to the real standard output.
pub fn emit(line: &str) {
    match REAL_STDOUT.get() {
        Some(mut f) => {
            let _ = writeln!(f, "{line}");
        }
        None => println!("{line}"),
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OutputFormat {
    #[default]
    Human,
    Json,
}

/// What a command prints: a JSON value, and its human rendering; `alert` when the answer is
/// negative (a verification alert, an access denied, a role not held, rejected lines), which
/// the process reports with exit status [`EXIT_ALERT`].
pub struct Output {
    pub json: Value,
    pub human: String,
    pub alert: bool,
}

/// Exit statuses (README, "Exit status").
pub const EXIT_ALERT: i32 = 1;
/// Bad usage: clap's own status for an argument it refused.
pub const EXIT_USAGE: i32 = 2;
/// The command failed: the ledger, a file or a program refused it.
pub const EXIT_FAILED: i32 = 3;

impl Output {
    pub fn new(json: Value, human: impl Into<String>) -> Output {
        Output {
            json,
            human: human.into(),
            alert: false,
        }
    }

    /// Marks the answer negative when `negative` (see [`Output`]).
    pub fn alert(mut self, negative: bool) -> Output {
        self.alert = negative;
        self
    }

    /// What a transaction did: `human` and its signature, and `extra` fields beside the
    /// signature and slot in JSON.
    pub fn tx(
        human: impl std::fmt::Display,
        out: &caretrail_sdk::TxOutcome,
        extra: Value,
    ) -> Output {
        let mut json = serde_json::json!({
            "signature": out.signature.to_string(),
            "slot": out.slot,
        });
        if let (Some(obj), Some(extra)) = (json.as_object_mut(), extra.as_object()) {
            obj.extend(extra.clone());
        }
        Output::new(json, format!("{human}\nsignature: {}", out.signature))
    }

    /// A list of views: the views as JSON, and for people a table of `row(view)` under
    /// `headers`.
    pub fn list<T: serde::Serialize>(
        items: &[T],
        headers: &[&str],
        row: impl Fn(&T) -> Vec<String>,
    ) -> anyhow::Result<Output> {
        let rows: Vec<Vec<String>> = items.iter().map(row).collect();
        Ok(Output::new(
            serde_json::to_value(items)?,
            table(headers, &rows),
        ))
    }

    pub fn print(&self, format: OutputFormat) {
        match format {
            // Commands that stream their results (one JSON object per line) return null.
            OutputFormat::Json if self.json.is_null() => {}
            OutputFormat::Json => {
                emit(&serde_json::to_string_pretty(&self.json).unwrap_or_default())
            }
            OutputFormat::Human => {
                if !self.human.is_empty() {
                    emit(self.human.trim_end());
                }
            }
        }
    }
}

pub fn print_error(e: &anyhow::Error, format: OutputFormat) {
    let mut message = format!("{e:#}");
    if let Some(info) = e
        .downcast_ref::<caretrail_sdk::Error>()
        .and_then(caretrail_sdk::error::decode)
    {
        if !message.contains(&info.name) {
            message = format!("{message} ({info})");
        }
        if !message.contains("account `") {
            if let Some(account) = failing_account() {
                message = format!("{message}; account `{account}`");
            }
        }
    }
    match format {
        OutputFormat::Json => eprintln!("{}", serde_json::json!({ "error": message })),
        OutputFormat::Human => eprintln!("error: {message}"),
    }
}

/// Renders rows as an aligned text table.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{:<w$}", c, w = widths[i]))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let mut out = line(headers.iter().map(|s| s.to_string()).collect());
    out.push('\n');
    out.push_str(&line(widths.iter().map(|w| "-".repeat(*w)).collect()));
    for r in rows {
        out.push('\n');
        out.push_str(&line(r.clone()));
    }
    out
}
