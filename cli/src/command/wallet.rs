//! `caretrail address`, `caretrail airdrop`, `caretrail keygen` and
//! `caretrail relationship-key`.

use crate::context::{parse_pubkey, write_keypair, Context};
use crate::output::Output;
use anyhow::{bail, Result};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

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

#[derive(Args, Debug)]
pub struct KeygenArgs {
    /// Where to write the keypair (a JSON array of 64 bytes, readable by its owner only).
    /// (`-o` is the global --output, so the file is always named with --outfile.)
    #[arg(long)]
    pub outfile: PathBuf,
    /// Overwrite an existing file (its key is lost).
    #[arg(long)]
    pub force: bool,
}

/// Writes a fresh keypair; never overwrites a key unless asked to.
pub fn keygen(args: KeygenArgs) -> Result<Output> {
    if args.outfile.exists() && !args.force {
        bail!(
            "{} already exists; refusing to overwrite a key (use --force)",
            args.outfile.display()
        );
    }
    let k = Keypair::new();
    write_keypair(&k, &args.outfile)?;
    Ok(Output::new(
        json!({ "pubkey": k.pubkey().to_string(), "keypair": args.outfile.display().to_string() }),
        format!("wrote {} ({})", args.outfile.display(), k.pubkey()),
    ))
}

#[derive(Args, Debug)]
pub struct RelationshipKeyArgs {
    /// The key for consents to this grantee (pubkey or keypair file).
    #[arg(long, conflicts_with = "payer", required_unless_present = "payer")]
    pub grantee: Option<String>,
    /// The key for coverage by this payer authority, its claims' payment consents included.
    #[arg(long)]
    pub payer: Option<String>,
    /// Also write the derived keypair here (owner-only), to pass as --keypair to other
    /// commands; it can always be derived again from the wallet.
    #[arg(long)]
    pub outfile: Option<PathBuf>,
    /// Overwrite an existing --outfile.
    #[arg(long)]
    pub force: bool,
}

/// The --keypair wallet's key for one relationship (a grantee, a payer): a patient acts with
/// a different pubkey in every relationship, so public data does not join them.
pub fn relationship_key(ctx: &Context, args: RelationshipKeyArgs) -> Result<Output> {
    use caretrail_sdk::relationship::{self, Relationship};
    let relationship = match (&args.grantee, &args.payer) {
        (Some(g), None) => Relationship::Consent {
            grantee: parse_pubkey(g)?,
        },
        (None, Some(p)) => Relationship::Coverage {
            payer: parse_pubkey(p)?,
        },
        _ => bail!("give exactly one of --grantee or --payer"),
    };
    let wallet = ctx.signer()?;
    let key = relationship::derive(&wallet, &relationship);
    if let Some(path) = &args.outfile {
        if path.exists() && !args.force {
            bail!(
                "{} already exists; refusing to overwrite a key (use --force)",
                path.display()
            );
        }
        write_keypair(&key, path)?;
    }
    let message = String::from_utf8_lossy(&relationship::message(&relationship)).into_owned();
    Ok(Output::new(
        json!({
            "pubkey": key.pubkey().to_string(),
            "wallet": wallet.pubkey().to_string(),
            "message": message,
            "keypair": args.outfile.as_ref().map(|p| p.display().to_string()),
        }),
        format!(
            "{}\n(derived from {} by signing:\n{message})",
            key.pubkey(),
            wallet.pubkey()
        ),
    ))
}
