//! Offline signing: `--sign-only` on a command, `caretrail tx sign` on the wallet's machine,
//! `caretrail tx submit --signer PUBKEY=SIGNATURE` back online; `caretrail tx create-nonce`
//! for a durable nonce (a transaction that stays valid until used).

use crate::args;
use crate::command::Execute;
use crate::context::{read_keypair, Context};
use crate::output::Output;
use anyhow::{bail, Result};
use caretrail_sdk::offline::{self, Lifetime};
use caretrail_sdk::solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::Transaction,
};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::str::FromStr;

fn blockhash(s: &str) -> Result<Hash, String> {
    Hash::from_str(s).map_err(|_| format!("{s:?} is not a base58 blockhash"))
}

fn transaction(s: &str) -> Result<Transaction, String> {
    offline::from_base64(s).map_err(|e| e.to_string())
}

/// Offline-signing options of a command.
#[derive(Args, Debug, Clone, Default)]
pub struct OfflineArgs {
    /// Build and sign with the keys at hand, print the transaction (base64) and the signers
    /// still missing; do not submit.
    #[arg(long)]
    pub sign_only: bool,
    /// With --sign-only: the wallet that will sign elsewhere as the acting party (e.g. the
    /// patient); the --keypair only pays the fee.
    #[arg(long, requires = "sign_only", value_parser = args::pubkey)]
    pub authority: Option<Pubkey>,
    /// Recent blockhash to sign with (it expires; the transaction must be submitted soon)
    /// [default: a durable nonce].
    #[arg(long, value_parser = blockhash, conflicts_with = "nonce")]
    pub blockhash: Option<Hash>,
    /// Durable nonce account to sign with (its authority is the --keypair) [default: the
    /// --keypair's own nonce account, `create_with_seed(KEYPAIR, "caretrail-nonce")`,
    /// created on first use].
    #[arg(long, value_parser = args::pubkey)]
    pub nonce: Option<Pubkey>,
}

impl OfflineArgs {
    /// `(fee payer keypair, acting authority)`: the authority is the --keypair unless
    /// `--authority` names a wallet that signs elsewhere.
    pub fn authority(&self, ctx: &Context) -> Result<(Keypair, Pubkey)> {
        let signer = ctx.signer()?;
        let authority = self.authority.unwrap_or(signer.pubkey());
        Ok((signer, authority))
    }
}

/// Sends `instructions` (signed by `signer`), or with `--sign-only` prints the partially signed
/// transaction for the other signers.
pub fn finish(
    ctx: &Context,
    instructions: &[Instruction],
    signer: &Keypair,
    offline: &OfflineArgs,
    extra: Value,
    human: &str,
) -> Result<Output> {
    let ledger = ctx.ledger()?;
    if !offline.sign_only && offline.nonce.is_none() && offline.blockhash.is_none() {
        let out = caretrail_sdk::ledger::send_instructions(ledger, signer, &[], instructions)?;
        return Ok(Output::tx(human, &out, extra));
    }
    let lifetime = match (offline.nonce, offline.blockhash) {
        (Some(account), _) => Lifetime::Nonce {
            account,
            authority: signer.pubkey(),
            value: offline::nonce_value(ledger, &account)?,
        },
        (None, Some(h)) => Lifetime::Blockhash(h),
        // Signed elsewhere, submitted later: a blockhash would expire (on a cluster within a
        // minute or two, on the embedded ledger with the process), so the fee payer's default
        // durable nonce keeps the transaction valid until it is used.
        (None, None) => {
            let account = offline::default_nonce(ledger, signer)?;
            Lifetime::Nonce {
                account,
                authority: signer.pubkey(),
                value: offline::nonce_value(ledger, &account)?,
            }
        }
    };
    let mut tx = offline::build(instructions, &signer.pubkey(), &lifetime);
    let signatures = offline::sign(&mut tx, &[signer])?;
    let missing = offline::missing_signers(&tx);
    if !offline.sign_only {
        if !missing.is_empty() {
            bail!("missing signatures of {missing:?}: use --sign-only");
        }
        let out = offline::submit(ledger, &tx)?;
        return Ok(Output::tx(human, &out, extra));
    }
    let encoded = offline::to_base64(&tx);
    let mut json = json!({
        "transaction": encoded,
        "blockhash": tx.message.recent_blockhash.to_string(),
        "signers": signatures,
        "missing": missing.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
    });
    if let (Some(a), Some(b)) = (json.as_object_mut(), extra.as_object()) {
        a.extend(b.clone());
    }
    Ok(Output::new(
        json,
        format!(
            "signed offline ({} missing: {})\ntransaction: {encoded}\nsign it on the wallet with `caretrail tx sign <TRANSACTION>`, then `caretrail tx submit <TRANSACTION> --signer PUBKEY=SIGNATURE`",
            missing.len(),
            missing.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ")
        ),
    ))
}

#[derive(Subcommand, Debug)]
pub enum TxCommand {
    /// Sign a base64 transaction with the --keypair (an offline wallet); prints PUBKEY=SIGNATURE.
    Sign(Sign),
    /// Attach signatures (--signer PUBKEY=SIGNATURE, repeatable) and submit.
    Submit(Submit),
    /// Create a durable nonce account whose authority is the --keypair.
    CreateNonce(CreateNonce),
}

impl Execute for TxCommand {
    fn execute(self, ctx: &Context) -> Result<Output> {
        match self {
            TxCommand::Sign(c) => c.execute(ctx),
            TxCommand::Submit(c) => c.execute(ctx),
            TxCommand::CreateNonce(c) => c.execute(ctx),
        }
    }
}

#[derive(Args, Debug)]
pub struct Sign {
    /// The transaction, base64 (as `--sign-only` printed it).
    #[arg(value_parser = transaction)]
    pub transaction: Transaction,
}

impl Execute for Sign {
    fn execute(self, ctx: &Context) -> Result<Output> {
        // Offline: no ledger needed.
        let keypair = read_keypair(&ctx.keypair_path())?;
        let mut tx = self.transaction;
        let what = offline::describe(&tx);
        // What is being signed, before the signature (on stderr: stdout is the signature).
        eprintln!("signing as {}:", keypair.pubkey());
        for line in &what {
            eprintln!("  {line}");
        }
        let pairs = offline::sign(&mut tx, &[&keypair])?;
        Ok(Output::new(
            json!({ "signers": pairs, "transaction": offline::to_base64(&tx), "instructions": what }),
            pairs.join("\n"),
        ))
    }
}

#[derive(Args, Debug)]
pub struct Submit {
    /// The transaction, base64.
    #[arg(value_parser = transaction)]
    pub transaction: Transaction,
    /// A signature made elsewhere, PUBKEY=SIGNATURE (repeatable).
    #[arg(long = "signer")]
    pub signers: Vec<String>,
}

impl Execute for Submit {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let mut tx = self.transaction;
        for s in &self.signers {
            offline::attach(&mut tx, s)?;
        }
        let out = offline::submit(ctx.ledger()?, &tx)?;
        Ok(Output::tx(
            format!("submitted: {}", out.signature),
            &out,
            json!({}),
        ))
    }
}

#[derive(Args, Debug)]
pub struct CreateNonce {
    /// Keypair file for the new nonce account (created when missing).
    #[arg(long)]
    pub nonce_keypair: std::path::PathBuf,
}

impl Execute for CreateNonce {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let signer = ctx.signer()?;
        let nonce = if self.nonce_keypair.exists() {
            read_keypair(&self.nonce_keypair)?
        } else {
            let k = Keypair::new();
            crate::context::write_keypair(&k, &self.nonce_keypair)?;
            k
        };
        let ledger = ctx.ledger()?;
        offline::create_nonce_account(ledger, &signer, &nonce, &signer.pubkey())?;
        let value = offline::nonce_value(ledger, &nonce.pubkey())?;
        Ok(Output::new(
            json!({ "nonce": nonce.pubkey().to_string(), "value": value.to_string() }),
            format!(
                "nonce account {} (authority {})",
                nonce.pubkey(),
                signer.pubkey()
            ),
        ))
    }
}
