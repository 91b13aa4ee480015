//! `caretrail address` and `caretrail airdrop`.

use crate::context::{parse_pubkey, Context};
use crate::output::Output;
use anyhow::Result;
use caretrail_sdk::solana_sdk::{native_token::LAMPORTS_PER_SOL, signature::Signer};
use clap::Args;
use serde_json::json;

#[derive(Args, Debug)]
pub struct AirdropArgs {
    /// Amount in SOL.
    pub sol: f64,
    /// Recipient (pubkey or keypair file) [default: the --keypair wallet].
    pub to: Option<String>,
}

pub fn airdrop(ctx: &Context, args: AirdropArgs) -> Result<Output> {
    let to = match &args.to {
        Some(s) => parse_pubkey(s)?,
        None => ctx.signer()?.pubkey(),
    };
    let lamports = (args.sol * LAMPORTS_PER_SOL as f64).round() as u64;
    let ledger = ctx.ledger()?;
    ledger.request_airdrop(&to, lamports)?;
    let balance = ledger.get_balance(&to)?;
    Ok(Output::new(
        json!({ "to": to.to_string(), "lamports": lamports, "balance": balance }),
        format!(
            "airdropped {} SOL to {to}; balance {} SOL",
            args.sol,
            balance as f64 / LAMPORTS_PER_SOL as f64
        ),
    ))
}

pub fn address(ctx: &Context) -> Result<Output> {
    let k = ctx.signer()?;
    let balance = ctx.ledger()?.get_balance(&k.pubkey())?;
    Ok(Output::new(
        json!({ "pubkey": k.pubkey().to_string(), "keypair": ctx.keypair_path().display().to_string(), "balance": balance }),
        format!(
            "{} ({} SOL)",
            k.pubkey(),
            balance as f64 / LAMPORTS_PER_SOL as f64
        ),
    ))
}
