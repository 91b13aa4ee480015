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

fn parse_code(code: &str) -> Result<caretrail_sdk::gs1::Gs1Code> {
    caretrail_sdk::gs1::parse(code).map_err(|e| anyhow!("not a valid GS1 code: {e}"))
}

pub fn execute(ctx: &Context, cmd: CustodyCommand) -> Result<Output> {
    let ledger = ctx.ledger()?;
    match cmd {
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
            let v = cus::verify(ledger, &parsed, expected.as_ref())?.map_err(|e| anyhow!(e))?;
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
                let doc = caretrail_sdk::epcis::export_unit_history(ledger, &parsed)?
                    .map_err(|e| anyhow!(e))?;
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
