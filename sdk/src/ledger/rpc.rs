//! A real Solana cluster over JSON-RPC (solana-rpc-client, blocking).

use super::{AccountFilter, Ledger, RecordedInstruction, TxOutcome, TxRecord};
use crate::{Error, Result};
use solana_account_decoder_client_types::{UiAccount, UiAccountEncoding};
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::rpc_client::{GetConfirmedSignaturesForAddress2Config, RpcClient};
use solana_rpc_client_api::{
    client_error::Error as ClientError,
    config::{RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcTransactionConfig},
    filter::{Memcmp, RpcFilterType},
    request::{RpcError, RpcResponseErrorData},
};
use solana_sdk::{
    account::Account, clock::Clock, hash::Hash, pubkey::Pubkey, signature::Signature,
    transaction::Transaction,
};
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, EncodedConfirmedTransactionWithStatusMeta,
    UiTransactionEncoding,
};

/// See the module docs.
pub struct RpcLedger {
    client: RpcClient,
    url: String,
    compute_unit_price: Option<u64>,
    package_indexes: crate::custody::IndexMemo,
}

impl RpcLedger {
    /// Connects to `url` with `confirmed` commitment.
    pub fn new(url: &str) -> RpcLedger {
        RpcLedger {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            url: url.to_string(),
            compute_unit_price: None,
            package_indexes: Default::default(),
        }
    }

    /// Adds a priority fee of `micro_lamports` per compute unit to every transaction
    /// [`super::send_instructions`] builds for this cluster (the Solana CLI's
    /// `--with-compute-unit-price`).
    pub fn with_compute_unit_price(mut self, micro_lamports: u64) -> RpcLedger {
        self.compute_unit_price = Some(micro_lamports);
        self
    }

    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    fn err(&self, e: ClientError) -> Error {
        rpc_error(&self.url, e)
    }

    fn fetch_record(&self, signature: &Signature) -> Result<TxRecord> {
        // A node may answer `null` for a transaction it confirmed a moment ago (its history
        // index lags its bank): retry briefly before giving up.
        let mut attempt = 0;
        let confirmed = loop {
            match self
                .client
                .get_transaction_with_config(signature, transaction_config())
            {
                Ok(c) => break c,
                Err(_) if attempt < RECORD_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(RECORD_RETRY);
                }
                Err(e) => return Err(self.err(e)),
            }
        };
        Ok(record_from(signature, confirmed))
    }
}

/// How often and how long a freshly confirmed transaction is looked up again.
pub(super) const RECORD_ATTEMPTS: u32 = 40;
pub(super) const RECORD_RETRY: std::time::Duration = std::time::Duration::from_millis(250);

pub(super) fn transaction_config() -> RpcTransactionConfig {
    RpcTransactionConfig {
        encoding: Some(UiTransactionEncoding::Base64),
        commitment: Some(CommitmentConfig::confirmed()),
        max_supported_transaction_version: Some(0),
    }
}

/// A confirmed transaction as a [`TxRecord`].
pub(super) fn record_from(
    signature: &Signature,
    confirmed: EncodedConfirmedTransactionWithStatusMeta,
) -> TxRecord {
    let meta = confirmed.transaction.meta;
    let transaction = confirmed
        .transaction
        .transaction
        .decode()
        .and_then(|vt| vt.into_legacy_transaction());
    let instructions = transaction
        .as_ref()
        .map(RecordedInstruction::from_transaction)
        .unwrap_or_default();
    let (logs, error, compute_units) = match meta {
        Some(m) => (
            match m.log_messages {
                OptionSerializer::Some(l) => l,
                _ => vec![],
            },
            m.err.map(|e| format!("{e:?}")),
            match m.compute_units_consumed {
                OptionSerializer::Some(cu) => Some(cu),
                _ => None,
            },
        ),
        None => (vec![], None, None),
    };
    TxRecord {
        signature: *signature,
        slot: confirmed.slot,
        block_time: confirmed.block_time,
        instructions,
        logs,
        error,
        compute_units,
        embedded: false,
        transaction,
    }
}

/// The outcome of a landed transaction from its record.
pub(super) fn outcome_from(signature: Signature, record: TxRecord) -> TxOutcome {
    TxOutcome {
        signature,
        slot: record.slot,
        logs: record.logs,
        compute_units: record.compute_units.unwrap_or(0),
        embedded: false,
    }
}

/// A failed send as a [`Error`]: a transaction the cluster ran (or simulated) and
/// rejected keeps its error and the simulation's logs; anything else is a transport error.
pub(super) fn send_error(url: &str, signature: Signature, e: ClientError) -> Error {
    if let Some(error) = e.get_transaction_error() {
        let logs = match e.kind() {
            solana_rpc_client_api::client_error::ErrorKind::RpcError(
                RpcError::RpcResponseError {
                    data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
                    ..
                },
            ) => sim.logs.clone().unwrap_or_default(),
            _ => vec![],
        };
        Error::Transaction {
            signature,
            error,
            logs,
            instruction: None,
        }
    } else {
        rpc_error(url, e)
    }
}

pub(super) fn rpc_error(url: &str, e: impl std::fmt::Display) -> Error {
    Error::Rpc {
        url: url.to_string(),
        message: e.to_string(),
    }
}

/// caretrail's account filters as the cluster's, base64 accounts at `confirmed`.
/// Most filters a validator takes in one `getProgramAccounts` (Agave answers -32602 "Too many
/// filters provided; max 4" beyond).
pub const MAX_RPC_FILTERS: usize = 4;

/// The filters sent to the node, and those applied to its answer here (beyond
/// [`MAX_RPC_FILTERS`]).
pub(super) fn split_filters(filters: &[AccountFilter]) -> (&[AccountFilter], &[AccountFilter]) {
    filters.split_at(filters.len().min(MAX_RPC_FILTERS))
}

/// Keeps the accounts `local` filters also match.
pub(super) fn apply_local(
    accounts: Vec<(Pubkey, Account)>,
    local: &[AccountFilter],
) -> Vec<(Pubkey, Account)> {
    accounts
        .into_iter()
        .filter(|(_, a)| local.iter().all(|f| f.matches(&a.data)))
        .collect()
}

pub(super) fn program_accounts_config(filters: &[AccountFilter]) -> RpcProgramAccountsConfig {
    let filters = filters
        .iter()
        .map(|f| match f {
            AccountFilter::Memcmp { offset, bytes } => {
                RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*offset, bytes.clone()))
            }
            AccountFilter::DataSize(n) => RpcFilterType::DataSize(*n),
        })
        .collect::<Vec<_>>();
    RpcProgramAccountsConfig {
        filters: if filters.is_empty() {
            None
        } else {
            Some(filters)
        },
        account_config: RpcAccountInfoConfig {
            encoding: Some(UiAccountEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            ..RpcAccountInfoConfig::default()
        },
        ..RpcProgramAccountsConfig::default()
    }
}

pub(super) fn decode_ui_accounts(
    url: &str,
    accounts: Vec<(Pubkey, UiAccount)>,
) -> Result<Vec<(Pubkey, Account)>> {
    accounts
        .into_iter()
        .map(|(key, ui)| {
            ui.decode::<Account>()
                .map(|a| (key, a))
                .ok_or_else(|| rpc_error(url, format!("account {key} came back undecodable")))
        })
        .collect()
}

pub(super) fn decode_clock(url: &str, account: &Account) -> Result<Clock> {
    bincode::deserialize(&account.data).map_err(|e| rpc_error(url, format!("clock sysvar: {e}")))
}

impl Ledger for RpcLedger {
    fn package_indexes(&self) -> Option<&crate::custody::IndexMemo> {
        Some(&self.package_indexes)
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn is_embedded(&self) -> bool {
        false
    }

    fn compute_unit_price(&self) -> Option<u64> {
        self.compute_unit_price
    }

    fn genesis_hash(&self) -> Result<Hash> {
        self.client.get_genesis_hash().map_err(|e| self.err(e))
    }

    fn latest_blockhash_with_height(&self) -> Result<(Hash, u64)> {
        self.client
            .get_latest_blockhash_with_commitment(CommitmentConfig::confirmed())
            .map_err(|e| self.err(e))
    }

    fn is_blockhash_valid(&self, blockhash: &Hash) -> Result<bool> {
        self.client
            .is_blockhash_valid(blockhash, CommitmentConfig::confirmed())
            .map_err(|e| self.err(e))
    }

    fn block_height(&self) -> Result<u64> {
        self.client.get_block_height().map_err(|e| self.err(e))
    }

    fn simulate_transaction(&self, tx: &Transaction) -> Result<super::Simulation> {
        let r = self
            .client
            .simulate_transaction(tx)
            .map_err(|e| self.err(e))?
            .value;
        Ok(super::Simulation {
            error: r.err.map(Into::into),
            logs: r.logs.unwrap_or_default(),
            compute_units: r.units_consumed.unwrap_or(0),
        })
    }

    fn latest_blockhash(&self) -> Result<Hash> {
        self.client.get_latest_blockhash().map_err(|e| self.err(e))
    }

    fn new_blockhash(&self, previous: &Hash) -> Result<Hash> {
        self.client
            .get_new_latest_blockhash(previous)
            .map_err(|e| self.err(e))
    }

    fn send_transaction(&self, tx: &Transaction) -> Result<TxOutcome> {
        let signature = tx.signatures.first().copied().unwrap_or_default();
        match self.client.send_and_confirm_transaction(tx) {
            Ok(sig) => Ok(outcome_from(sig, self.fetch_record(&sig)?)),
            Err(e) => Err(send_error(&self.url, signature, e)),
        }
    }

    fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        self.client
            .get_account_with_commitment(address, CommitmentConfig::confirmed())
            .map(|r| r.value)
            .map_err(|e| self.err(e))
    }

    fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(100) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .map_err(|e| self.err(e))?,
            );
        }
        Ok(out)
    }

    fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let (sent, local) = split_filters(filters);
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, program_accounts_config(sent))
            .map_err(|e| self.err(e))?;
        Ok(apply_local(decode_ui_accounts(&self.url, accounts)?, local))
    }

    fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()> {
        let sig = self
            .client
            .request_airdrop(to, lamports)
            .map_err(|e| self.err(e))?;
        let start = std::time::Instant::now();
        while start.elapsed() < std::time::Duration::from_secs(60) {
            if self
                .client
                .confirm_transaction(&sig)
                .map_err(|e| self.err(e))?
            {
                return Ok(());
            }
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        Err(Error::Rpc {
            url: self.url.clone(),
            message: format!("airdrop {sig} not confirmed in 60 s"),
        })
    }

    fn get_clock(&self) -> Result<Clock> {
        let account = self
            .client
            .get_account(&solana_sdk::sysvar::clock::id())
            .map_err(|e| self.err(e))?;
        decode_clock(&self.url, &account)
    }

    fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64> {
        self.client
            .get_minimum_balance_for_rent_exemption(data_len)
            .map_err(|e| self.err(e))
    }

    fn transaction(&self, signature: &Signature) -> Result<Option<TxRecord>> {
        let status = self
            .client
            .get_signature_status_with_commitment(signature, CommitmentConfig::confirmed())
            .map_err(|e| self.err(e))?;
        match status {
            None => Ok(None),
            Some(_) => self.fetch_record(signature).map(Some),
        }
    }

    fn transactions_for_address(&self, address: &Pubkey, limit: usize) -> Result<Vec<TxRecord>> {
        // Newest first from the node, paged by `before`; returned oldest first.
        let mut signatures = Vec::new();
        let mut before = None;
        while signatures.len() < limit {
            let page = self
                .client
                .get_signatures_for_address_with_config(
                    address,
                    GetConfirmedSignaturesForAddress2Config {
                        before,
                        until: None,
                        limit: Some((limit - signatures.len()).min(1000)),
                        commitment: Some(CommitmentConfig::confirmed()),
                    },
                )
                .map_err(|e| self.err(e))?;
            let Some(last) = page.last() else { break };
            before = Some(last.signature.parse().map_err(|_| Error::Rpc {
                url: self.url.clone(),
                message: format!("bad signature {}", last.signature),
            })?);
            let n = page.len();
            signatures.extend(page);
            if n < 1000 {
                break;
            }
        }
        let mut records = Vec::with_capacity(signatures.len());
        for s in signatures.iter().rev() {
            let sig: Signature = s.signature.parse().map_err(|_| Error::Rpc {
                url: self.url.clone(),
                message: format!("bad signature {}", s.signature),
            })?;
            records.push(self.fetch_record(&sig)?);
        }
        Ok(records)
    }
}
