//! `caretrail address`, `caretrail airdrop`, `caretrail keygen` and
//! `caretrail relationship-key`.

use crate::args;
use crate::command::Execute;
use crate::context::{write_keypair, Context};
use crate::output::Output;
use anyhow::{bail, Result};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use clap::Args;
use serde_json::json;
use std::path::PathBuf;

/// The most one airdrop may ask for.
const MAX_AIRDROP_SOL: u64 = 1_000_000;

/// An amount of SOL (up to 9 decimals) as lamports: more than 0, at most 1,000,000 SOL.
fn sol(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty() && frac.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 9
    {
        return Err(format!(
            "{s:?} is not an amount of SOL (digits, at most 9 decimals, e.g. 1.5)"
        ));
    }
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().map_err(|_| format!("{s:?} is too large"))?
    };
    if whole > MAX_AIRDROP_SOL {
        return Err(format!(
            "{s} SOL is more than the {MAX_AIRDROP_SOL} SOL one airdrop may ask for"
        ));
    }
    let frac: u64 = format!("{frac:0<9}").parse().unwrap_or(0);
    let lamports = whole * LAMPORTS_PER_SOL + frac;
    if lamports == 0 || lamports > MAX_AIRDROP_SOL * LAMPORTS_PER_SOL {
        return Err(format!("{s} SOL is outside (0, {MAX_AIRDROP_SOL}]"));
    }
    Ok(lamports)
}

#[derive(Args, Debug)]
pub struct AirdropArgs {
    /// Amount in SOL (more than 0, at most 1,000,000; up to 9 decimals).
    #[arg(value_parser = sol, allow_hyphen_values = true)]
    pub sol: u64,
    /// Recipient (pubkey or keypair file) [default: the --keypair wallet].
    #[arg(value_parser = args::pubkey)]
    pub to: Option<Pubkey>,
}

impl Execute for AirdropArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        airdrop(ctx, self)
    }
}

fn airdrop(ctx: &Context, args: AirdropArgs) -> Result<Output> {
    let to = match args.to {
        Some(k) => k,
        None => ctx.signer()?.pubkey(),
    };
    let lamports = args.sol;
    let ledger = ctx.ledger()?;
    ledger.request_airdrop(&to, lamports)?;
    let balance = ledger.get_balance(&to)?;
    Ok(Output::new(
        json!({ "to": to.to_string(), "lamports": lamports, "balance": balance }),
        format!(
            "airdropped {} SOL to {to}; balance {} SOL",
            caretrail_sdk::util::sol(lamports),
            caretrail_sdk::util::sol(balance)
        ),
    ))
}

/// `caretrail address`.
#[derive(Args, Debug)]
pub struct AddressArgs {}

impl Execute for AddressArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        address(ctx)
    }
}

fn address(ctx: &Context) -> Result<Output> {
    let k = ctx.signer()?;
    let balance = ctx.ledger()?.get_balance(&k.pubkey())?;
    Ok(Output::new(
        json!({ "pubkey": k.pubkey().to_string(), "keypair": ctx.keypair_path().display().to_string(), "balance": balance }),
        format!("{} ({} SOL)", k.pubkey(), caretrail_sdk::util::sol(balance)),
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

impl Execute for KeygenArgs {
    fn execute(self, _ctx: &Context) -> Result<Output> {
        keygen(self)
    }
}

/// Writes a fresh keypair; never overwrites a key unless asked to.
fn keygen(args: KeygenArgs) -> Result<Output> {
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
    #[arg(long, conflicts_with_all = ["payer", "trial"], required_unless_present_any = ["payer", "trial"], value_parser = args::pubkey)]
    pub grantee: Option<Pubkey>,
    /// The key for coverage by this payer authority, its claims' payment consents included.
    #[arg(long, conflicts_with = "trial", value_parser = args::pubkey)]
    pub payer: Option<Pubkey>,
    /// The key for research in this clinical trial (its HRESCH consent to the trial's
    /// investigator enrols the patient): a key per trial.
    #[arg(long, value_parser = args::pubkey)]
    pub trial: Option<Pubkey>,
    /// Also write the derived keypair here (owner-only), to pass as --keypair to other
    /// commands; it can always be derived again from the wallet.
    #[arg(long)]
    pub outfile: Option<PathBuf>,
    /// Overwrite an existing --outfile.
    #[arg(long)]
    pub force: bool,
}

impl Execute for RelationshipKeyArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        relationship_key(ctx, self)
    }
}

/// The --keypair wallet's key for one relationship (a grantee, a payer): a patient acts with
/// a different pubkey in every relationship, so public data does not join them.
fn relationship_key(ctx: &Context, args: RelationshipKeyArgs) -> Result<Output> {
    use caretrail_sdk::relationship::{self, Relationship};
    let relationship = match (args.grantee, args.payer, args.trial) {
        (Some(grantee), None, None) => Relationship::Consent { grantee },
        (None, Some(payer), None) => Relationship::Coverage { payer },
        (None, None, Some(trial)) => Relationship::Trial { trial },
        _ => bail!("give exactly one of --grantee, --payer or --trial"),
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

#[cfg(test)]
mod tests {
    use super::sol;

    #[test]
    fn airdrop_amounts_are_exact_and_bounded() {
        assert_eq!(sol("1.5"), Ok(1_500_000_000));
        assert_eq!(sol("0.000000001"), Ok(1));
        for bad in [
            "-1",
            "NaN",
            "inf",
            "0",
            "1e3",
            "1.0000000001",
            "",
            "1000001",
        ] {
            assert!(sol(bad).is_err(), "{bad}");
        }
    }
}
