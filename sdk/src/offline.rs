//! Signing elsewhere: build a transaction for a given fee payer and blockhash, export it
//! (base64), have an external wallet sign it, accept the signature back and submit — the
//! Solana CLI's `--sign-only` / `--signer PUBKEY=SIGNATURE` pattern. A patient's key never has
//! to touch the machine that builds and submits.
//!
//! A recent blockhash expires within about a minute on a cluster (and does not survive a
//! restart of the embedded bank), so offline flows use a **durable nonce** account: the
//! transaction's first instruction advances the nonce, and its "blockhash" is the nonce's
//! stored value, valid until used.

use crate::ledger::{send_instructions, Ledger, TxOutcome};
use crate::{Error, Result};
use anchor_lang::solana_program::system_instruction;
use base64::{engine::general_purpose::STANDARD, Engine};
use solana_sdk::{
    hash::Hash,
    instruction::Instruction,
    message::Message,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    transaction::Transaction,
};
use std::str::FromStr;

/// Size of a nonce account (System program `nonce::State::size()`).
pub const NONCE_ACCOUNT_LEN: usize = 80;

/// Creates a durable nonce account (`nonce` keypair) whose authority is `authority`.
pub fn create_nonce_account(
    ledger: &dyn Ledger,
    payer: &Keypair,
    nonce: &Keypair,
    authority: &Pubkey,
) -> Result<TxOutcome> {
    let lamports = ledger.minimum_balance_for_rent_exemption(NONCE_ACCOUNT_LEN)?;
    let ixs = system_instruction::create_nonce_account(
        &payer.pubkey(),
        &nonce.pubkey(),
        authority,
        lamports,
    );
    send_instructions(ledger, payer, &[nonce], &ixs)
}

/// Seed of a fee payer's default nonce account (an address derived from the fee payer's key,
/// so no extra key is kept anywhere).
pub const DEFAULT_NONCE_SEED: &str = "caretrail-nonce";

/// The fee payer's default durable nonce account (`create_with_seed(fee payer,
/// "caretrail-nonce", System)`), whose authority is the fee payer; created on first use. What
/// `--sign-only` signs with unless told otherwise, so a transaction signed elsewhere stays
/// valid until it is submitted, across restarts of the embedded ledger too.
pub fn default_nonce(ledger: &dyn Ledger, fee_payer: &Keypair) -> Result<Pubkey> {
    let system = anchor_lang::system_program::ID;
    let address = Pubkey::create_with_seed(&fee_payer.pubkey(), DEFAULT_NONCE_SEED, &system)
        .map_err(|e| Error::invalid(format!("nonce address: {e}")))?;
    if ledger.get_account(&address)?.is_none() {
        let lamports = ledger.minimum_balance_for_rent_exemption(NONCE_ACCOUNT_LEN)?;
        let ixs = system_instruction::create_nonce_account_with_seed(
            &fee_payer.pubkey(),
            &address,
            &fee_payer.pubkey(),
            DEFAULT_NONCE_SEED,
            &fee_payer.pubkey(),
            lamports,
        );
        send_instructions(ledger, fee_payer, &[], &ixs)?;
    }
    Ok(address)
}

/// What a transaction asks its signers to approve, one line per instruction in words:
/// `consent approve_grant: grant …, patient …, authority …` for caretrail's programs (names
/// from the IDLs), the durable-nonce advance, or the program id of anything else.
pub fn describe(tx: &Transaction) -> Vec<String> {
    let keys = &tx.message.account_keys;
    tx.message
        .instructions
        .iter()
        .map(|ix| {
            let program = keys[ix.program_id_index as usize];
            let accounts: Vec<Pubkey> = ix.accounts.iter().map(|&i| keys[i as usize]).collect();
            if let Some(info) = crate::idl::instruction_info(&program, &ix.data) {
                let named: Vec<String> = info
                    .accounts
                    .iter()
                    .zip(&accounts)
                    .filter(|(name, key)| {
                        !matches!(name.as_str(), "system_program" | "token_program")
                            && **key != program
                    })
                    .map(|(name, key)| format!("{} {key}", name.replace('_', " ")))
                    .collect();
                return format!(
                    "{} {}: {}",
                    info.program,
                    info.name.replace('_', " "),
                    named.join(", ")
                );
            }
            if program == anchor_lang::system_program::ID && ix.data.first() == Some(&4) {
                return format!(
                    "advance the durable nonce {} (keeps this transaction valid until used)",
                    accounts.first().map(|k| k.to_string()).unwrap_or_default()
                );
            }
            format!("program {program}: {} accounts", accounts.len())
        })
        .collect()
}

/// The durable nonce value stored in a nonce account (the "blockhash" to sign with).
pub fn nonce_value(ledger: &dyn Ledger, nonce: &Pubkey) -> Result<Hash> {
    let account = ledger
        .get_account(nonce)?
        .ok_or_else(|| Error::not_found("nonce account", *nonce))?;
    // bincode of nonce::versions::Versions::Current(State::Initialized(Data { authority,
    // durable_nonce, fee_calculator })): u32 version tag, u32 state tag, 32-byte authority,
    // then the 32-byte durable nonce.
    let d = &account.data;
    if d.len() < 72 || d[4..8] != [1, 0, 0, 0] {
        return Err(Error::invalid(format!(
            "{nonce} is not an initialized nonce account"
        )));
    }
    Ok(Hash::new_from_array(
        d[40..72].try_into().expect("32 bytes"),
    ))
}

/// Where the transaction's recent blockhash comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lifetime {
    Blockhash(Hash),
    /// A durable nonce: the account, its authority (a signer), and its current value.
    Nonce {
        account: Pubkey,
        authority: Pubkey,
        value: Hash,
    },
}

/// An unsigned transaction of `instructions` paid by `fee_payer`.
pub fn build(instructions: &[Instruction], fee_payer: &Pubkey, lifetime: &Lifetime) -> Transaction {
    let (ixs, blockhash) = match lifetime {
        Lifetime::Blockhash(h) => (instructions.to_vec(), *h),
        Lifetime::Nonce {
            account,
            authority,
            value,
        } => {
            let mut v = vec![system_instruction::advance_nonce_account(
                account, authority,
            )];
            v.extend_from_slice(instructions);
            (v, *value)
        }
    };
    let mut message = Message::new(&ixs, Some(fee_payer));
    message.recent_blockhash = blockhash;
    Transaction::new_unsigned(message)
}

/// Base64 of the serialized (possibly partially signed) transaction.
pub fn to_base64(tx: &Transaction) -> String {
    STANDARD.encode(bincode::serialize(tx).expect("a transaction serializes"))
}

pub fn from_base64(s: &str) -> Result<Transaction> {
    let bytes = STANDARD
        .decode(s.trim())
        .map_err(|e| Error::invalid(format!("not base64: {e}")))?;
    bincode::deserialize(&bytes).map_err(|e| Error::invalid(format!("not a transaction: {e}")))
}

/// The signers a transaction still needs.
pub fn missing_signers(tx: &Transaction) -> Vec<Pubkey> {
    let n = tx.message.header.num_required_signatures as usize;
    tx.message.account_keys[..n]
        .iter()
        .zip(&tx.signatures)
        .filter(|(_, s)| **s == Signature::default())
        .map(|(k, _)| *k)
        .collect()
}

/// Signs with every given keypair that the transaction requires; returns `PUBKEY=SIGNATURE`
/// pairs (what an offline wallet hands back).
pub fn sign(tx: &mut Transaction, keypairs: &[&Keypair]) -> Result<Vec<String>> {
    let n = tx.message.header.num_required_signatures as usize;
    let message = tx.message_data();
    let mut out = Vec::new();
    for k in keypairs {
        let i = tx.message.account_keys[..n]
            .iter()
            .position(|key| *key == k.pubkey())
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{} is not a signer of this transaction",
                    k.pubkey()
                ))
            })?;
        let sig = k.sign_message(&message);
        tx.signatures[i] = sig;
        out.push(format!("{}={}", k.pubkey(), sig));
    }
    Ok(out)
}

/// Attaches a `PUBKEY=SIGNATURE` pair, verifying the signature over the message.
pub fn attach(tx: &mut Transaction, pair: &str) -> Result<()> {
    let (k, s) = pair
        .split_once('=')
        .ok_or_else(|| Error::invalid(format!("{pair:?} is not PUBKEY=SIGNATURE")))?;
    let key =
        Pubkey::from_str(k.trim()).map_err(|_| Error::invalid(format!("bad pubkey {k:?}")))?;
    let sig = Signature::from_str(s.trim())
        .map_err(|_| Error::invalid(format!("bad signature {s:?}")))?;
    let n = tx.message.header.num_required_signatures as usize;
    let i = tx.message.account_keys[..n]
        .iter()
        .position(|x| *x == key)
        .ok_or_else(|| Error::invalid(format!("{key} is not a signer of this transaction")))?;
    if !sig.verify(key.as_ref(), &tx.message_data()) {
        return Err(Error::invalid(format!(
            "the signature of {key} does not match this transaction"
        )));
    }
    tx.signatures[i] = sig;
    Ok(())
}

/// Submits a fully signed transaction. One that already landed is refused with "already
/// submitted" (and its slot), not sent again.
pub fn submit(ledger: &dyn Ledger, tx: &Transaction) -> Result<TxOutcome> {
    let signature = tx.signatures.first().copied().unwrap_or_default();
    if let Some(landed) = ledger.transaction(&signature)? {
        return Err(Error::invalid(format!(
            "already submitted: transaction {signature} landed in slot {}{}",
            landed.slot,
            if landed.succeeded() {
                ""
            } else {
                " (and failed)"
            }
        )));
    }
    let missing = missing_signers(tx);
    if !missing.is_empty() {
        return Err(Error::invalid(format!(
            "missing signatures of {}",
            missing
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    ledger.send_transaction(tx).map_err(|e| {
        let keys = &tx.message.account_keys;
        let instructions: Vec<Instruction> = tx
            .message
            .instructions
            .iter()
            .map(|c| Instruction {
                program_id: keys[c.program_id_index as usize],
                accounts: vec![],
                data: c.data.clone(),
            })
            .collect();
        e.in_instructions(&instructions)
    })
}
