//! Offline signing: `--sign-only` on a command, `caretrail tx sign` on the wallet's machine,
//! `caretrail tx submit --signer PUBKEY=SIGNATURE` back online; `caretrail tx create-nonce`
//! for a durable nonce (a transaction that stays valid until used).

use crate::context::{parse_pubkey, read_keypair, Context};
use crate::output::Output;
use anyhow::{anyhow, bail, Result};
use caretrail_sdk::offline::{self, Lifetime};
use caretrail_sdk::solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::str::FromStr;

/// Offline-signing options of a command.
#[derive(Args, Debug, Clone, Default)]
pub struct OfflineArgs {
    /// Build and sign with the keys at hand, print the transaction (base64) and the signers
    /// still missing; do not submit.
    #[arg(long)]
    pub sign_only: bool,
    /// With --sign-only: the wallet that will sign elsewhere as the acting party (e.g. the
    /// patient); the --keypair only pays the fee.
    #[arg(long, requires = "sign_only")]
    pub authority: Option<String>,
    /// Recent blockhash to sign with [default: the ledger's latest].
    #[arg(long)]
    pub blockhash: Option<String>,
    /// Durable nonce account to sign with (its authority is the --keypair).
    #[arg(long)]
    pub nonce: Option<String>,
}

impl OfflineArgs {
    /// `(fee payer keypair, acting authority)`: the authority is the --keypair unless
    /// `--authority` names a wallet that signs elsewhere.
    pub fn authority(&self, ctx: &Context) -> Result<(Keypair, Pubkey)> {
        let signer = ctx.signer()?;
        let authority = match &self.authority {
            Some(a) => parse_pubkey(a)?,
            None => signer.pubkey(),
        };
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
        let mut json = json!({ "signature": out.signature.to_string() });
        merge(&mut json, extra);
        return Ok(Output::new(
            json,
            format!("{human}\nsignature: {}", out.signature),
        ));
    }
    let lifetime = match (&offline.nonce, &offline.blockhash) {
        (Some(n), _) => {
            let account = parse_pubkey(n)?;
            Lifetime::Nonce {
                account,
                authority: signer.pubkey(),
                value: offline::nonce_value(ledger, &account)?,
            }
        }
        (None, Some(h)) => {
            Lifetime::Blockhash(Hash::from_str(h).map_err(|_| anyhow!("bad --blockhash {h}"))?)
        }
        (None, None) => Lifetime::Blockhash(ledger.latest_blockhash()?),
    };
    let mut tx = offline::build(instructions, &signer.pubkey(), &lifetime);
    let signatures = offline::sign(&mut tx, &[signer]).map_err(|e| anyhow!(e))?;
    let missing = offline::missing_signers(&tx);
    if !offline.sign_only {
        if !missing.is_empty() {
            bail!("missing signatures of {missing:?}: use --sign-only");
        }
        let out = offline::submit(ledger, &tx)?;
        let mut json = json!({ "signature": out.signature.to_string() });
        merge(&mut json, extra);
        return Ok(Output::new(
            json,
            format!("{human}\nsignature: {}", out.signature),
        ));
    }
    let encoded = offline::to_base64(&tx);
    let mut json = json!({
        "transaction": encoded,
        "blockhash": tx.message.recent_blockhash.to_string(),
        "signers": signatures,
        "missing": missing.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
    });
    merge(&mut json, extra);
    Ok(Output::new(
        json,
        format!(
            "signed offline ({} missing: {})\ntransaction: {encoded}\nsign it on the wallet with `caretrail tx sign <TRANSACTION>`, then `caretrail tx submit <TRANSACTION> --signer PUBKEY=SIGNATURE`",
            missing.len(),
            missing.iter().map(|k| k.to_string()).collect::<Vec<_>>().join(", ")
        ),
    ))
}

fn merge(json: &mut Value, extra: Value) {
    if let (Some(a), Some(b)) = (json.as_object_mut(), extra.as_object()) {
        a.extend(b.clone());
    }
}

#[derive(Subcommand, Debug)]
pub enum TxCommand {
    /// Sign a base64 transaction with the --keypair (an offline wallet); prints PUBKEY=SIGNATURE.
    Sign { transaction: String },
    /// Attach signatures (--signer PUBKEY=SIGNATURE, repeatable) and submit.
    Submit {
        transaction: String,
        #[arg(long = "signer")]
        signers: Vec<String>,
    },
    /// Create a durable nonce account whose authority is the --keypair.
    CreateNonce {
        /// Keypair file for the new nonce account (created when missing).
        #[arg(long)]
        nonce_keypair: std::path::PathBuf,
    },
}

pub fn execute(ctx: &Context, cmd: TxCommand) -> Result<Output> {
    match cmd {
        TxCommand::Sign { transaction } => {
            // Offline: no ledger needed.
            let keypair = read_keypair(&ctx.keypair_path())?;
            let mut tx = offline::from_base64(&transaction).map_err(|e| anyhow!(e))?;
            let pairs = offline::sign(&mut tx, &[&keypair]).map_err(|e| anyhow!(e))?;
            Ok(Output::new(
                json!({ "signers": pairs, "transaction": offline::to_base64(&tx) }),
                pairs.join("\n"),
            ))
        }
        TxCommand::Submit {
            transaction,
            signers,
        } => {
            let mut tx = offline::from_base64(&transaction).map_err(|e| anyhow!(e))?;
            for s in &signers {
                offline::attach(&mut tx, s).map_err(|e| anyhow!(e))?;
            }
            let out = offline::submit(ctx.ledger()?, &tx)?;
            Ok(Output::new(
                json!({ "signature": out.signature.to_string() }),
                format!("submitted: {}", out.signature),
            ))
        }
        TxCommand::CreateNonce { nonce_keypair } => {
            let signer = ctx.signer()?;
            let nonce = if nonce_keypair.exists() {
                read_keypair(&nonce_keypair)?
            } else {
                let k = Keypair::new();
                crate::context::write_keypair(&k, &nonce_keypair)?;
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
}
