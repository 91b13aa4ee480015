//! Human and JSON output (`--output human|json`).

use clap::ValueEnum;
use serde_json::Value;
use std::io::Write;
use std::sync::OnceLock;

/// The process's real standard output, kept aside by [`reserve_stdout`].
static REAL_STDOUT: OnceLock<std::fs::File> = OnceLock::new();

/// Keeps standard output for the command's own result.
///
/// On the embedded ledger the programs run natively in this process, and their `msg!` lines
/// (Anchor's `Instruction: …`, error logs) are plain `println!`s. So that they never mix into
/// output scripts parse (`--output json`, `barcode parse`), the real stdout is set aside for
/// the command's result and file descriptor 1 is pointed at /dev/null, or at stderr when
/// `CARETRAIL_PROGRAM_LOGS` is set.
pub fn reserve_stdout() {
    #[cfg(unix)]
    {
        use std::os::fd::FromRawFd;
        // SAFETY: plain descriptor duplication on descriptors this process owns.
        unsafe {
            let real = libc::dup(1);
            if real < 0 {
                return;
            }
            let target = if std::env::var_os("CARETRAIL_PROGRAM_LOGS").is_some() {
                libc::dup(2)
            } else {
                libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY)
            };
            if target < 0 {
                libc::close(real);
                return;
            }
            let _ = std::io::stdout().flush();
            libc::dup2(target, 1);
            libc::close(target);
            let _ = REAL_STDOUT.set(std::fs::File::from_raw_fd(real));
        }
    }
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

/// What a command prints: a JSON value, and its human rendering.
pub struct Output {
    pub json: Value,
    pub human: String,
}

impl Output {
    pub fn new(json: Value, human: impl Into<String>) -> Output {
        Output {
            json,
            human: human.into(),
        }
    }

    pub fn print(&self, format: OutputFormat) {
        match format {
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
        .downcast_ref::<caretrail_sdk::LedgerError>()
        .and_then(caretrail_sdk::error::decode)
    {
        if !message.contains(&info.name) {
            message = format!("{message} ({info})");
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
