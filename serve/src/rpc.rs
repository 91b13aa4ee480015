//! The ledger as a Solana JSON-RPC node (`POST /`): what caretrail's `RpcLedger`,
//! `@solana/kit` / web3.js and `@anchor-lang/core` ask of a node, answered from whatever ledger
//! the server holds — above all the embedded one, which has no RPC of its own. Then every
//! Solana tool works on it, and several CLI processes share one embedded ledger through
//! `--url http://127.0.0.1:PORT`.
//!
//! Methods: getLatestBlockhash, isBlockhashValid, sendTransaction, simulateTransaction,
//! getAccountInfo, getMultipleAccounts, getProgramAccounts (memcmp and dataSize filters),
//! getSignatureStatuses, getTransaction, getSignaturesForAddress, getBalance,
//! getMinimumBalanceForRentExemption, getSlot, getBlockHeight, getHealth, getVersion,
//! getGenesisHash, getEpochInfo, getFeeForMessage, requestAirdrop. Account data in `base64`,
//! `base58` or `base64+zstd`/`jsonParsed` requests (answered as `base64`, as a node does for
//! accounts it has no parser for); transactions in base58 or base64, legacy or v0 without
//! address lookups. Errors are JSON-RPC errors: -32700 parse, -32600 invalid request, -32601
//! unknown method, -32602 invalid params, -32002 a transaction that fails (with its error and
//! logs), -32003 a bad signature.

use crate::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use caretrail_sdk::ledger::{AccountFilter, TxRecord};
use caretrail_sdk::solana_sdk::{
    account::Account,
    hash::Hash,
    instruction::InstructionError,
    message::VersionedMessage,
    pubkey::Pubkey,
    signature::Signature,
    transaction::{Transaction, TransactionError, VersionedTransaction},
};
use caretrail_sdk::{Error, Ledger};
use serde_json::{json, Value};
use std::str::FromStr;
use std::sync::Arc;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A JSON-RPC error.
#[derive(Debug)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
    pub data: Option<Value>,
}

impl RpcError {
    fn new(code: i64, message: impl Into<String>) -> RpcError {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }
    fn params(message: impl Into<String>) -> RpcError {
        RpcError::new(-32602, message)
    }
}

impl From<Error> for RpcError {
    fn from(e: Error) -> RpcError {
        match e {
            Error::Invalid(m) => RpcError::params(m),
            Error::NotFound { .. } => RpcError::params(e.to_string()),
            other => RpcError::new(-32603, other.to_string()),
        }
    }
}

type R = Result<Value, RpcError>;

/// `POST /`: one request or a batch.
pub(crate) async fn handle(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    let parsed: Result<Value, _> = serde_json::from_slice(&body);
    let reply = match parsed {
        Err(e) => error_reply(
            Value::Null,
            RpcError::new(
                -32700,
                format!(
                    "parse error at line {} column {}: {e}",
                    e.line(),
                    e.column()
                ),
            ),
        ),
        Ok(Value::Array(batch)) if batch.is_empty() => {
            error_reply(Value::Null, RpcError::new(-32600, "empty batch"))
        }
        Ok(Value::Array(batch)) => {
            let mut out = Vec::with_capacity(batch.len());
            for request in batch {
                out.push(one(&state, request).await);
            }
            Value::Array(out)
        }
        Ok(request) => one(&state, request).await,
    };
    ([("content-type", "application/json")], reply.to_string()).into_response()
}

fn error_reply(id: Value, e: RpcError) -> Value {
    let mut error = json!({ "code": e.code, "message": e.message });
    if let Some(d) = e.data {
        error["data"] = d;
    }
    json!({ "jsonrpc": "2.0", "id": id, "error": error })
}

async fn one(state: &Arc<AppState>, request: Value) -> Value {
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    let Some(method) = request
        .get("method")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return error_reply(id, RpcError::new(-32600, "invalid request: no method"));
    };
    if request.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return error_reply(
            id,
            RpcError::new(-32600, "invalid request: jsonrpc must be \"2.0\""),
        );
    }
    let params = match request.get("params") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return error_reply(id, RpcError::params("params must be an array"));
        }
    };
    let st = state.clone();
    let result = tokio::task::spawn_blocking(move || call(st.ledger.as_ref(), &method, &params))
        .await
        .unwrap_or_else(|e| Err(RpcError::new(-32603, format!("internal: {e}"))));
    match result {
        Ok(v) => json!({ "jsonrpc": "2.0", "id": id, "result": v }),
        Err(e) => error_reply(id, e),
    }
}

fn param<'a>(params: &'a [Value], i: usize, what: &str) -> Result<&'a Value, RpcError> {
    params
        .get(i)
        .ok_or_else(|| RpcError::params(format!("missing parameter {i}: {what}")))
}

fn pubkey_param(params: &[Value], i: usize) -> Result<Pubkey, RpcError> {
    let v = param(params, i, "a base58 public key")?;
    v.as_str()
        .and_then(|s| Pubkey::from_str(s).ok())
        .ok_or_else(|| RpcError::params(format!("Invalid param: {v} is not a base58 public key")))
}

fn config(params: &[Value], i: usize) -> Value {
    params.get(i).cloned().unwrap_or(Value::Null)
}

fn context(slot: u64, value: Value) -> Value {
    json!({ "context": { "apiVersion": "3.1.12", "slot": slot }, "value": value })
}

/// Account data in the encoding asked for (`base64` unless `base58`).
fn ui_account(a: &Account, cfg: &Value) -> R {
    let mut data: &[u8] = &a.data;
    if let Some(slice) = cfg.get("dataSlice").filter(|s| s.is_object()) {
        let offset = slice["offset"].as_u64().unwrap_or(0) as usize;
        let length = slice["length"].as_u64().unwrap_or(0) as usize;
        let start = offset.min(data.len());
        data = &data[start..(start + length).min(data.len())];
    }
    let encoding = cfg["encoding"].as_str().unwrap_or("base58");
    let encoded = match encoding {
        "base58" => {
            if data.len() > 128 {
                return Err(RpcError::new(
                    -32600,
                    "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
                ));
            }
            json!([bs58::encode(data).into_string(), "base58"])
        }
        "base64" | "base64+zstd" | "jsonParsed" => json!([B64.encode(data), "base64"]),
        other => {
            return Err(RpcError::params(format!(
                "Invalid param: unknown encoding {other:?}"
            )))
        }
    };
    Ok(json!({
        "data": encoded,
        "executable": a.executable,
        "lamports": a.lamports,
        "owner": a.owner.to_string(),
        "rentEpoch": a.rent_epoch,
        "space": a.data.len(),
    }))
}

fn slot(l: &dyn Ledger) -> Result<u64, RpcError> {
    Ok(l.get_clock()?.slot)
}

/// A wire-format transaction (legacy, or v0 without address lookups) as a legacy one.
fn decode_transaction(params: &[Value]) -> Result<Transaction, RpcError> {
    let encoded = param(params, 0, "the transaction")?
        .as_str()
        .ok_or_else(|| RpcError::params("Invalid param: the transaction must be a string"))?;
    let cfg = config(params, 1);
    let bytes = match cfg["encoding"].as_str().unwrap_or("base58") {
        "base58" => bs58::decode(encoded)
            .into_vec()
            .map_err(|e| RpcError::params(format!("invalid base58 encoding: {e}")))?,
        "base64" => B64
            .decode(encoded)
            .map_err(|e| RpcError::params(format!("invalid base64 encoding: {e}")))?,
        other => return Err(RpcError::params(format!("unsupported encoding {other:?}"))),
    };
    let vt: VersionedTransaction = bincode::deserialize(&bytes)
        .map_err(|e| RpcError::params(format!("failed to deserialize transaction: {e}")))?;
    let message = match vt.message {
        VersionedMessage::Legacy(m) => m,
        VersionedMessage::V0(m) if m.address_table_lookups.is_empty() => {
            caretrail_sdk::solana_sdk::message::Message {
                header: m.header,
                account_keys: m.account_keys,
                recent_blockhash: m.recent_blockhash,
                instructions: m.instructions,
            }
        }
        VersionedMessage::V0(_) => {
            return Err(RpcError::params(
                "transactions with address lookup tables are not supported by this node",
            ))
        }
    };
    Ok(Transaction {
        signatures: vt.signatures,
        message,
    })
}

/// The JSON form of a transaction error (`{"InstructionError":[0,{"Custom":6007}]}`).
fn error_json(e: &TransactionError) -> Value {
    serde_json::to_value(e).unwrap_or_else(|_| json!(e.to_string()))
}

/// A stored error (the embedded ledger keeps its text) back as a transaction error.
pub fn parse_stored_error(text: &str) -> TransactionError {
    let custom = |s: &str| -> Option<u32> {
        let s = s.trim();
        if let Some(h) = s.strip_prefix("custom program error: 0x") {
            return u32::from_str_radix(h, 16).ok();
        }
        s.strip_prefix("Custom(")?.strip_suffix(')')?.parse().ok()
    };
    if let Some(rest) = text.strip_prefix("Error processing Instruction ") {
        if let Some((i, e)) = rest.split_once(": ") {
            if let Ok(i) = i.parse::<u8>() {
                return TransactionError::InstructionError(
                    i,
                    custom(e).map_or(InstructionError::GenericError, InstructionError::Custom),
                );
            }
        }
    }
    if let Some(rest) = text.strip_prefix("InstructionError(") {
        if let Some((i, e)) = rest.trim_end_matches(')').split_once(", ") {
            if let Ok(i) = i.parse::<u8>() {
                let e = format!("{e})");
                return TransactionError::InstructionError(
                    i,
                    custom(&e).map_or(InstructionError::GenericError, InstructionError::Custom),
                );
            }
        }
    }
    TransactionError::InstructionError(0, InstructionError::GenericError)
}

fn status_of(r: &TxRecord) -> Value {
    let err = r.error.as_deref().map(parse_stored_error);
    json!({
        "slot": r.slot,
        "confirmations": null,
        "status": match &err { None => json!({ "Ok": null }), Some(e) => json!({ "Err": error_json(e) }) },
        "err": err.as_ref().map(error_json),
        "confirmationStatus": "finalized",
    })
}

fn ui_transaction(tx: &Transaction, encoding: &str) -> R {
    Ok(match encoding {
        "base64" => json!([
            B64.encode(bincode::serialize(tx).map_err(|e| RpcError::new(-32603, e.to_string()))?),
            "base64"
        ]),
        "base58" => json!([
            bs58::encode(bincode::serialize(tx).map_err(|e| RpcError::new(-32603, e.to_string()))?)
                .into_string(),
            "base58"
        ]),
        "json" | "jsonParsed" => {
            let m = &tx.message;
            json!({
                "signatures": tx.signatures.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "message": {
                    "header": {
                        "numRequiredSignatures": m.header.num_required_signatures,
                        "numReadonlySignedAccounts": m.header.num_readonly_signed_accounts,
                        "numReadonlyUnsignedAccounts": m.header.num_readonly_unsigned_accounts,
                    },
                    "accountKeys": m.account_keys.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "recentBlockhash": m.recent_blockhash.to_string(),
                    "instructions": m.instructions.iter().map(|ix| json!({
                        "programIdIndex": ix.program_id_index,
                        "accounts": ix.accounts,
                        "data": bs58::encode(&ix.data).into_string(),
                        "stackHeight": null,
                    })).collect::<Vec<_>>(),
                },
            })
        }
        other => return Err(RpcError::params(format!("unsupported encoding {other:?}"))),
    })
}

fn confirmed_transaction(r: &TxRecord, encoding: &str) -> R {
    let Some(tx) = &r.transaction else {
        return Err(RpcError::new(
            -32603,
            "this ledger did not keep the transaction",
        ));
    };
    let err = r.error.as_deref().map(parse_stored_error);
    let keys = tx.message.account_keys.len();
    Ok(json!({
        "slot": r.slot,
        "blockTime": r.block_time,
        "version": "legacy",
        "transaction": ui_transaction(tx, encoding)?,
        "meta": {
            "err": err.as_ref().map(error_json),
            "status": match &err { None => json!({ "Ok": null }), Some(e) => json!({ "Err": error_json(e) }) },
            "fee": 5_000u64 * tx.signatures.len() as u64,
            // The embedded ledger keeps no balances per transaction.
            "preBalances": vec![0u64; keys],
            "postBalances": vec![0u64; keys],
            "innerInstructions": [],
            "logMessages": validator_logs(r),
            "preTokenBalances": [],
            "postTokenBalances": [],
            "rewards": [],
            "loadedAddresses": { "writable": [], "readonly": [] },
            "computeUnitsConsumed": r.compute_units.unwrap_or(0),
        },
    }))
}

fn filters(cfg: &Value) -> Result<Vec<AccountFilter>, RpcError> {
    let mut out = Vec::new();
    let given = cfg["filters"].as_array().map(Vec::len).unwrap_or(0);
    // As a validator: at most four filters (Agave's limit), so clients that pass here pass
    // there.
    if given > caretrail_sdk::ledger::MAX_RPC_FILTERS {
        return Err(RpcError::params(format!(
            "Too many filters provided; max {}",
            caretrail_sdk::ledger::MAX_RPC_FILTERS
        )));
    }
    for f in cfg["filters"].as_array().into_iter().flatten() {
        if let Some(n) = f.get("dataSize") {
            out.push(AccountFilter::DataSize(n.as_u64().ok_or_else(|| {
                RpcError::params("Invalid param: dataSize must be a number")
            })?));
        } else if let Some(m) = f.get("memcmp") {
            let offset = m["offset"]
                .as_u64()
                .ok_or_else(|| RpcError::params("Invalid param: memcmp.offset must be a number"))?;
            // `"bytes": "…"` with `"encoding"` (base58 by default), raw bytes, or the older forms
            // `{"base58": "…"}`, `{"base64": "…"}`, `{"bytes": [..]}`.
            let (text, encoding) = match &m["bytes"] {
                Value::String(t) => (
                    t.clone(),
                    m["encoding"].as_str().unwrap_or("base58").to_string(),
                ),
                // `{"encoding": "bytes", "bytes": [1, 2, 3]}` (solana-rpc-client's raw bytes).
                Value::Array(a) => (
                    B64.encode(
                        a.iter()
                            .filter_map(|b| b.as_u64().map(|b| b as u8))
                            .collect::<Vec<u8>>(),
                    ),
                    "base64".to_string(),
                ),
                Value::Object(o) if o.len() == 1 => {
                    let (k, v) = o.iter().next().expect("one entry");
                    match v {
                        Value::String(t) => (t.clone(), k.clone()),
                        Value::Array(a) if k == "bytes" => (
                            B64.encode(
                                a.iter()
                                    .filter_map(|b| b.as_u64().map(|b| b as u8))
                                    .collect::<Vec<u8>>(),
                            ),
                            "base64".to_string(),
                        ),
                        _ => return Err(RpcError::params("Invalid param: memcmp.bytes")),
                    }
                }
                _ => {
                    return Err(RpcError::params(
                        "Invalid param: memcmp.bytes must be a string",
                    ))
                }
            };
            let bytes = match encoding.as_str() {
                "base58" => bs58::decode(&text)
                    .into_vec()
                    .map_err(|e| RpcError::params(format!("Invalid param: memcmp.bytes: {e}")))?,
                "base64" => B64
                    .decode(&text)
                    .map_err(|e| RpcError::params(format!("Invalid param: memcmp.bytes: {e}")))?,
                other => {
                    return Err(RpcError::params(format!(
                        "Invalid param: memcmp.encoding {other:?}"
                    )))
                }
            };
            out.push(AccountFilter::memcmp(offset as usize, bytes));
        } else {
            return Err(RpcError::params(format!(
                "Invalid param: unknown filter {f}"
            )));
        }
    }
    Ok(out)
}

/// One method call against the ledger (blocking).
pub fn call(l: &dyn Ledger, method: &str, params: &[Value]) -> R {
    match method {
        "getHealth" => Ok(json!("ok")),
        "getVersion" => Ok(json!({ "solana-core": "3.1.12", "feature-set": 0 })),
        "getGenesisHash" => Ok(json!(l.genesis_hash()?.to_string())),
        "getSlot" => Ok(json!(slot(l)?)),
        "getBlockHeight" => Ok(json!(l.block_height()?)),
        "getEpochInfo" => {
            let clock = l.get_clock()?;
            let height = l.block_height()?;
            Ok(json!({
                "absoluteSlot": clock.slot, "blockHeight": height, "epoch": clock.epoch,
                "slotIndex": clock.slot % 432_000, "slotsInEpoch": 432_000,
                // Not counted by the ledger trait; web3.js requires a number.
                "transactionCount": 0,
            }))
        }
        "getLatestBlockhash" => {
            let (hash, last_valid) = l.latest_blockhash_with_height()?;
            Ok(context(
                slot(l)?,
                json!({ "blockhash": hash.to_string(), "lastValidBlockHeight": last_valid }),
            ))
        }
        "isBlockhashValid" => {
            let h = param(params, 0, "a blockhash")?
                .as_str()
                .and_then(|s| Hash::from_str(s).ok())
                .ok_or_else(|| RpcError::params("Invalid param: not a base58 blockhash"))?;
            Ok(context(slot(l)?, json!(l.is_blockhash_valid(&h)?)))
        }
        "getFeeForMessage" => {
            let text = param(params, 0, "a base64 message")?.as_str().unwrap_or("");
            let bytes = B64
                .decode(text)
                .map_err(|e| RpcError::params(format!("invalid base64 message: {e}")))?;
            let m: VersionedMessage = bincode::deserialize(&bytes)
                .map_err(|e| RpcError::params(format!("invalid message: {e}")))?;
            let valid = l.is_blockhash_valid(m.recent_blockhash())?;
            let sigs = m.header().num_required_signatures as u64;
            Ok(context(
                slot(l)?,
                if valid {
                    json!(5_000 * sigs)
                } else {
                    Value::Null
                },
            ))
        }
        "getBalance" => {
            let k = pubkey_param(params, 0)?;
            Ok(context(slot(l)?, json!(l.get_balance(&k)?)))
        }
        "getMinimumBalanceForRentExemption" => {
            let n = param(params, 0, "a data length")?.as_u64().ok_or_else(|| {
                RpcError::params("Invalid param: the data length must be a number")
            })?;
            Ok(json!(l.minimum_balance_for_rent_exemption(n as usize)?))
        }
        "getAccountInfo" => {
            let k = pubkey_param(params, 0)?;
            let cfg = config(params, 1);
            let v = match l.get_account(&k)? {
                Some(a) => ui_account(&a, &cfg)?,
                None => Value::Null,
            };
            Ok(context(slot(l)?, v))
        }
        "getMultipleAccounts" => {
            let keys = param(params, 0, "a list of public keys")?
                .as_array()
                .ok_or_else(|| RpcError::params("Invalid param: expected a list of public keys"))?
                .iter()
                .map(|v| {
                    v.as_str()
                        .and_then(|s| Pubkey::from_str(s).ok())
                        .ok_or_else(|| {
                            RpcError::params(format!(
                                "Invalid param: {v} is not a base58 public key"
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if keys.len() > 100 {
                return Err(RpcError::params("Too many inputs provided; max 100"));
            }
            let cfg = config(params, 1);
            let accounts = l.get_multiple_accounts(&keys)?;
            let values = accounts
                .iter()
                .map(|a| a.as_ref().map_or(Ok(Value::Null), |a| ui_account(a, &cfg)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(context(slot(l)?, Value::Array(values)))
        }
        "getProgramAccounts" => {
            let program = pubkey_param(params, 0)?;
            let cfg = config(params, 1);
            let found = l.get_program_accounts(&program, &filters(&cfg)?)?;
            let list = found
                .iter()
                .map(|(k, a)| {
                    Ok(json!({ "pubkey": k.to_string(), "account": ui_account(a, &cfg)? }))
                })
                .collect::<Result<Vec<_>, RpcError>>()?;
            if cfg["withContext"].as_bool().unwrap_or(false) {
                Ok(context(slot(l)?, Value::Array(list)))
            } else {
                Ok(Value::Array(list))
            }
        }
        "getSignatureStatuses" => {
            let sigs = param(params, 0, "a list of signatures")?
                .as_array()
                .ok_or_else(|| RpcError::params("Invalid param: expected a list of signatures"))?;
            if sigs.len() > 256 {
                return Err(RpcError::params("Too many inputs provided; max 256"));
            }
            let mut out = Vec::new();
            for s in sigs {
                let sig = s
                    .as_str()
                    .and_then(|s| Signature::from_str(s).ok())
                    .ok_or_else(|| {
                        RpcError::params(format!("Invalid param: {s} is not a signature"))
                    })?;
                out.push(l.transaction(&sig)?.as_ref().map_or(Value::Null, status_of));
            }
            Ok(context(slot(l)?, Value::Array(out)))
        }
        "getTransaction" => {
            let sig = param(params, 0, "a signature")?
                .as_str()
                .and_then(|s| Signature::from_str(s).ok())
                .ok_or_else(|| RpcError::params("Invalid param: not a base58 signature"))?;
            let cfg = config(params, 1);
            let encoding = cfg
                .as_str()
                .or_else(|| cfg["encoding"].as_str())
                .unwrap_or("json")
                .to_string();
            match l.transaction(&sig)? {
                Some(r) => confirmed_transaction(&r, &encoding),
                None => Ok(Value::Null),
            }
        }
        "getSignaturesForAddress" => {
            let k = pubkey_param(params, 0)?;
            let cfg = config(params, 1);
            let limit = cfg["limit"].as_u64().unwrap_or(1000).clamp(1, 1000) as usize;
            let before = cfg["before"]
                .as_str()
                .and_then(|s| Signature::from_str(s).ok());
            let until = cfg["until"]
                .as_str()
                .and_then(|s| Signature::from_str(s).ok());
            // Oldest first from the ledger; newest first on the wire.
            let mut records = l.transactions_for_address(&k, usize::MAX)?;
            records.reverse();
            let mut out = Vec::new();
            let mut started = before.is_none();
            for r in &records {
                if !started {
                    started = Some(r.signature) == before;
                    continue;
                }
                if Some(r.signature) == until || out.len() >= limit {
                    break;
                }
                let err = r.error.as_deref().map(parse_stored_error);
                out.push(json!({
                    "signature": r.signature.to_string(),
                    "slot": r.slot,
                    "err": err.as_ref().map(error_json),
                    "memo": null,
                    "blockTime": r.block_time,
                    "confirmationStatus": "finalized",
                }));
            }
            Ok(Value::Array(out))
        }
        "sendTransaction" => {
            let tx = decode_transaction(params)?;
            if tx.verify().is_err() {
                return Err(RpcError::new(
                    -32003,
                    "Transaction signature verification failure",
                ));
            }
            let skip_preflight = config(params, 1)["skipPreflight"]
                .as_bool()
                .unwrap_or(false);
            let signature = tx.signatures.first().copied().unwrap_or_default();
            match l.send_transaction(&tx) {
                Ok(_) => Ok(json!(signature.to_string())),
                // Landed and failed: a node with preflight would have refused it.
                Err(Error::Transaction { error, logs, .. })
                    if !skip_preflight || logs.is_empty() =>
                {
                    let mut e =
                        RpcError::new(-32002, format!("Transaction simulation failed: {error}"));
                    e.data = Some(
                        json!({ "err": error_json(&error), "logs": logs, "accounts": null, "unitsConsumed": 0 }),
                    );
                    Err(e)
                }
                Err(Error::Transaction { .. }) => Ok(json!(signature.to_string())),
                Err(other) => Err(other.into()),
            }
        }
        "simulateTransaction" => {
            let tx = decode_transaction(params)?;
            let cfg = config(params, 1);
            if cfg["sigVerify"].as_bool().unwrap_or(false) && tx.verify().is_err() {
                return Err(RpcError::new(
                    -32003,
                    "Transaction signature verification failure",
                ));
            }
            let s = l.simulate_transaction(&tx)?;
            Ok(context(
                slot(l)?,
                json!({
                    "err": s.error.as_ref().map(error_json),
                    "logs": s.logs,
                    "accounts": null,
                    "unitsConsumed": s.compute_units,
                    "returnData": null,
                }),
            ))
        }
        "requestAirdrop" => {
            let k = pubkey_param(params, 0)?;
            let lamports = param(params, 1, "lamports")?
                .as_u64()
                .filter(|n| *n > 0 && *n <= 1_000_000 * 1_000_000_000)
                .ok_or_else(|| {
                    RpcError::params("Invalid param: lamports must be from 1 to 10^15")
                })?;
            l.request_airdrop(&k, lamports)?;
            // The airdrop is the newest transaction of the account.
            let last = l.transactions_for_address(&k, 1)?;
            Ok(json!(last
                .last()
                .map(|r| r.signature.to_string())
                .unwrap_or_default()))
        }
        other => Err(RpcError::new(-32601, format!("Method not found: {other}"))),
    }
}

/// A transaction's logs as a validator prints them. Programs run natively in the embedded bank
/// log their Anchor events (`sol_log_data`) as `Program log: Program data: …`; a validator
/// prints `Program data: …`, which is the only form RPC clients decode as events.
fn validator_logs(r: &TxRecord) -> Vec<String> {
    if !r.embedded {
        return r.logs.clone();
    }
    r.logs
        .iter()
        .map(|l| match l.strip_prefix("Program log: Program data: ") {
            Some(data) => format!("Program data: {data}"),
            None => l.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_errors_come_back_as_transaction_errors() {
        assert_eq!(
            parse_stored_error("Error processing Instruction 1: custom program error: 0x1777"),
            TransactionError::InstructionError(1, InstructionError::Custom(0x1777))
        );
        assert_eq!(
            parse_stored_error("InstructionError(0, Custom(6000))"),
            TransactionError::InstructionError(0, InstructionError::Custom(6000))
        );
        assert_eq!(
            error_json(&TransactionError::InstructionError(
                0,
                InstructionError::Custom(6007)
            )),
            json!({ "InstructionError": [0, { "Custom": 6007 }] })
        );
    }
}
