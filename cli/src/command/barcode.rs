//! `caretrail barcode parse`: a contract scripts rely on.
//!
//! Reads barcodes from stdin, one per line (a raw GS byte or the text `<GS>` separates
//! fields; a byte order mark, spaces and tabs around a code are ignored), and prints one JSON
//! object for every input line, so output lines up with input: only the keys present among
//! `gtin`, `serial`, `lot`, `expiry` (YYYY-MM-DD) and `sscc`, `{"error": "…"}` for a line that
//! is not a valid GS1 code, `{}` for a blank line. The exit status is 0 even when lines are
//! invalid. Each line is answered as it arrives (a scanner is a keyboard).

use crate::command::Execute;
use crate::context::Context;
use crate::output::{emit, Output};
use anyhow::Result;
use clap::{Args, Subcommand};
use std::io::BufRead;

#[derive(Subcommand, Debug)]
pub enum BarcodeCommand {
    /// Parse barcodes from stdin, one JSON object per line.
    Parse(Parse),
}

impl Execute for BarcodeCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            BarcodeCommand::Parse(c) => c.execute(ctx),
        }
    }
}

#[derive(Args, Debug)]
pub struct Parse {}

impl Execute for Parse {
    fn execute(self, _ctx: &Context) -> Result<Output> {
        let stdin = std::io::stdin();
        for line in stdin.lock().split(b'\n') {
            let raw = line?;
            // Not UTF-8 is a bad line, not a fatal error.
            let text = String::from_utf8_lossy(&raw);
            let text = caretrail_sdk::scan::clean_line(&text);
            // One output line per input line: a blank one answers `{}`.
            if text.is_empty() {
                emit("{}");
                continue;
            }
            let value = match caretrail_sdk::gs1::parse(text) {
                Ok(code) => code.to_json(),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            };
            emit(&value.to_string());
        }
        Ok(Output::new(serde_json::Value::Null, ""))
    }
}
