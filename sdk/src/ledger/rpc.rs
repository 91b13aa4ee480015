//! A real Solana cluster over JSON-RPC (solana-rpc-client, blocking).

use super::{
    AccountFilter, Ledger, LedgerError, LedgerResult, RecordedInstruction, TxOutcome, TxRecord,
};
use solana_account_decoder_client_types::UiAccountEncoding;
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
    option_serializer::OptionSerializer, UiTransactionEncoding,
};

/// See the module docs.
pub struct RpcLedger {
    client: RpcClient,
    url: String,
}

impl RpcLedger {
    /// Connects to `url` with `confirmed` commitment.
    pub fn new(url: &str) -> RpcLedger {
        RpcLedger {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            url: url.to_string(),
        }
    }

    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    fn err(&self, e: ClientError) -> LedgerError {
        LedgerError::Rpc {
            url: self.url.clone(),
            message: e.to_string(),
        }
    }

    fn fetch_record(&self, signature: &Signature) -> LedgerResult<TxRecord> {
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(CommitmentConfig::confirmed()),
            max_supported_transaction_version: Some(0),
        };
        // A node may answer `null` for a transaction it confirmed a moment ago (its history
        // index lags its bank): retry briefly before giving up.
        let mut attempt = 0;
        let confirmed = loop {
            match self.client.get_transaction_with_config(signature, config) {
                Ok(c) => break c,
                Err(_) if attempt < 40 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(250));
                }
                Err(e) => return Err(self.err(e)),
            }
        };
        let meta = confirmed.transaction.meta;
        let instructions = confirmed
            .transaction
            .transaction
            .decode()
            .and_then(|vt| vt.into_legacy_transaction())
            .map(|tx| RecordedInstruction::from_transaction(&tx))
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
        Ok(TxRecord {
            signature: *signature,
            slot: confirmed.slot,
            block_time: confirmed.block_time,
            instructions,
            logs,
            error,
            compute_units,
            embedded: false,
        })
    }
}

impl Ledger for RpcLedger {
    fn describe(&self) -> String {
        self.url.clone()
    }

    fn is_embedded(&self) -> bool {
        false
    }

    fn latest_blockhash(&self) -> LedgerResult<Hash> {
        self.client.get_latest_blockhash().map_err(|e| self.err(e))
    }

    fn new_blockhash(&self, previous: &Hash) -> LedgerResult<Hash> {
        self.client
            .get_new_latest_blockhash(previous)
            .map_err(|e| self.err(e))
    }

    fn send_transaction(&self, tx: &Transaction) -> LedgerResult<TxOutcome> {
        let signature = tx.signatures.first().copied().unwrap_or_default();
        match self.client.send_and_confirm_transaction(tx) {
            Ok(sig) => {
                let record = self.fetch_record(&sig)?;
                Ok(TxOutcome {
                    signature: sig,
                    slot: record.slot,
                    logs: record.logs,
                    compute_units: record.compute_units.unwrap_or(0),
                    embedded: false,
                })
            }
            Err(e) => {
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
                    Err(LedgerError::Transaction {
                        signature,
                        error,
                        logs,
                    })
                } else {
                    Err(self.err(e))
                }
            }
        }
    }

    fn get_account(&self, address: &Pubkey) -> LedgerResult<Option<Account>> {
        self.client
            .get_account_with_commitment(address, CommitmentConfig::confirmed())
            .map(|r| r.value)
            .map_err(|e| self.err(e))
    }

    fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> LedgerResult<Vec<Option<Account>>> {
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
    ) -> LedgerResult<Vec<(Pubkey, Account)>> {
        let filters = filters
            .iter()
            .map(|f| match f {
                AccountFilter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_raw_bytes(*offset, bytes.clone()))
                }
                AccountFilter::DataSize(n) => RpcFilterType::DataSize(*n),
            })
            .collect::<Vec<_>>();
        let config = RpcProgramAccountsConfig {
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
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, config)
            .map_err(|e| self.err(e))?;
        accounts
            .into_iter()
            .map(|(key, ui)| {
                ui.decode::<Account>()
                    .map(|a| (key, a))
                    .ok_or_else(|| LedgerError::Rpc {
                        url: self.url.clone(),
                        message: format!("account {key} came back undecodable"),
                    })
            })
            .collect()
    }

    fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> LedgerResult<()> {
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
        Err(LedgerError::Rpc {
            url: self.url.clone(),
            message: format!("airdrop {sig} not confirmed in 60 s"),
        })
    }

    fn get_clock(&self) -> LedgerResult<Clock> {
        let account = self
            .client
            .get_account(&solana_sdk::sysvar::clock::id())
            .map_err(|e| self.err(e))?;
        bincode::deserialize(&account.data).map_err(|e| LedgerError::Rpc {
            url: self.url.clone(),
            message: format!("clock sysvar: {e}"),
        })
    }

    fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> LedgerResult<u64> {
        self.client
            .get_minimum_balance_for_rent_exemption(data_len)
            .map_err(|e| self.err(e))
    }

    fn transactions_for_address(
        &self,
        address: &Pubkey,
        limit: usize,
    ) -> LedgerResult<Vec<TxRecord>> {
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
            before = Some(last.signature.parse().map_err(|_| LedgerError::Rpc {
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
            let sig: Signature = s.signature.parse().map_err(|_| LedgerError::Rpc {
                url: self.url.clone(),
                message: format!("bad signature {}", s.signature),
            })?;
            records.push(self.fetch_record(&sig)?);
        }
        Ok(records)
    }
}
