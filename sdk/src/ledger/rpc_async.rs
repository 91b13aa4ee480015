//! The async face of a cluster, for services (an insurer's adjudication service, a gateway):
//! the same operations as [`super::RpcLedger`] over solana-rpc-client's nonblocking client, on
//! the caller's tokio runtime. The request shapes and the decoding are shared with the blocking
//! backend (`super::rpc`), so both read and report the same way.
//!
//! ```no_run
//! # async fn run() -> caretrail_sdk::Result<()> {
//! use caretrail_sdk::{claims, AsyncRpcLedger};
//! let ledger = AsyncRpcLedger::new("http://127.0.0.1:8899");
//! let payer = claims::payer_pda(&solana_sdk::pubkey::Pubkey::new_unique()).0;
//! let account: Option<claims::Payer> = ledger.fetch(&payer).await?;
//! println!("{account:?}");
//! # Ok(()) }
//! ```

use super::rpc::{
    apply_local, decode_clock, decode_ui_accounts, outcome_from, program_accounts_config,
    record_from, rpc_error, send_error, split_filters, transaction_config, RECORD_ATTEMPTS,
    RECORD_RETRY,
};
use super::{AccountFilter, TxOutcome, TxRecord};
use crate::{Error, Result};
use anchor_lang::AccountDeserialize;
use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_sdk::{
    account::Account,
    clock::Clock,
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    transaction::Transaction,
};

/// See the module docs.
pub struct AsyncRpcLedger {
    client: RpcClient,
    url: String,
}

impl AsyncRpcLedger {
    /// Connects to `url` (a URL or a Solana CLI moniker) with `confirmed` commitment.
    pub fn new(url: &str) -> AsyncRpcLedger {
        let url = crate::resolve_cluster_url(url);
        AsyncRpcLedger {
            client: RpcClient::new_with_commitment(url.clone(), CommitmentConfig::confirmed()),
            url,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The nonblocking client, for calls caretrail does not wrap.
    pub fn client(&self) -> &RpcClient {
        &self.client
    }

    pub async fn latest_blockhash(&self) -> Result<Hash> {
        self.client
            .get_latest_blockhash()
            .await
            .map_err(|e| rpc_error(&self.url, e))
    }

    pub async fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        self.client
            .get_account_with_commitment(address, CommitmentConfig::confirmed())
            .await
            .map(|r| r.value)
            .map_err(|e| rpc_error(&self.url, e))
    }

    pub async fn get_multiple_accounts(
        &self,
        addresses: &[Pubkey],
    ) -> Result<Vec<Option<Account>>> {
        let mut out = Vec::with_capacity(addresses.len());
        for chunk in addresses.chunks(100) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .map_err(|e| rpc_error(&self.url, e))?,
            );
        }
        Ok(out)
    }

    /// Accounts owned by `program` matching every filter.
    pub async fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let (sent, local) = split_filters(filters);
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, program_accounts_config(sent))
            .await
            .map_err(|e| rpc_error(&self.url, e))?;
        Ok(apply_local(decode_ui_accounts(&self.url, accounts)?, local))
    }

    /// A caretrail account decoded (Anchor discriminator checked); `None` when absent.
    pub async fn fetch<T: AccountDeserialize>(&self, address: &Pubkey) -> Result<Option<T>> {
        let Some(account) = self.get_account(address).await? else {
            return Ok(None);
        };
        T::try_deserialize(&mut account.data.as_slice())
            .map(Some)
            .map_err(|e| Error::Unsupported(format!("account {address}: {e}")))
    }

    pub async fn get_clock(&self) -> Result<Clock> {
        let account = self
            .client
            .get_account(&solana_sdk::sysvar::clock::id())
            .await
            .map_err(|e| rpc_error(&self.url, e))?;
        decode_clock(&self.url, &account)
    }

    /// A landed transaction's record (instructions, logs, error, compute units).
    pub async fn transaction(&self, signature: &Signature) -> Result<TxRecord> {
        let mut attempt = 0;
        loop {
            match self
                .client
                .get_transaction_with_config(signature, transaction_config())
                .await
            {
                Ok(c) => return Ok(record_from(signature, c)),
                Err(_) if attempt < RECORD_ATTEMPTS => {
                    attempt += 1;
                    tokio::time::sleep(RECORD_RETRY).await;
                }
                Err(e) => return Err(rpc_error(&self.url, e)),
            }
        }
    }

    /// Submits a signed transaction and waits until it is confirmed.
    pub async fn send_transaction(&self, tx: &Transaction) -> Result<TxOutcome> {
        let signature = tx.signatures.first().copied().unwrap_or_default();
        match self.client.send_and_confirm_transaction(tx).await {
            Ok(sig) => Ok(outcome_from(sig, self.transaction(&sig).await?)),
            Err(e) => Err(send_error(&self.url, signature, e)),
        }
    }

    /// Builds, signs and sends one transaction of `instructions`, its fees paid by `fee_payer`
    /// (added to `signers` when missing).
    pub async fn send_instructions(
        &self,
        fee_payer: &Keypair,
        signers: &[&Keypair],
        instructions: &[Instruction],
    ) -> Result<TxOutcome> {
        let all = super::signer_set(fee_payer, signers);
        let blockhash = self.latest_blockhash().await?;
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&fee_payer.pubkey()),
            &all,
            blockhash,
        );
        self.send_transaction(&tx).await
    }
}
