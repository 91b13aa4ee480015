//! One `Ledger` abstraction, two backends:
//!
//! - `EmbeddedLedger` (cargo feature `embedded`): the six programs running natively inside a
//!   real Agave bank (solana-program-test), with state and transaction history persisted in one
//!   SQLite file under a directory, so successive CLI runs continue the same ledger. The CLI's
//!   default.
//! - [`RpcLedger`]: a real Solana cluster (local validator, devnet, mainnet) over JSON-RPC;
//!   [`AsyncRpcLedger`] is its async face for services (the nonblocking RPC client).
//!
//! Both run the same instruction builders, so a flow tested on the embedded ledger is the flow
//! sent to a cluster.

#[cfg(feature = "embedded")]
pub mod bank;
#[cfg(feature = "embedded")]
mod embedded;
mod rpc;
mod rpc_async;
#[cfg(feature = "embedded")]
mod store;

#[cfg(feature = "embedded")]
pub use embedded::{ClockMode, EmbeddedLedger, LedgerDump};
pub use rpc::{RpcLedger, MAX_RPC_FILTERS};
pub use rpc_async::AsyncRpcLedger;

use crate::{Error, Result};
use serde::Serialize;
use solana_sdk::{
    account::Account,
    clock::Clock,
    hash::Hash,
    instruction::Instruction,
    pubkey::Pubkey,
    signature::{Keypair, Signature, Signer},
    transaction::{Transaction, TransactionError},
};

/// What a simulated transaction would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// `None` when it would succeed.
    pub error: Option<TransactionError>,
    pub logs: Vec<String>,
    pub compute_units: u64,
}

/// A filter of program accounts, applied by the cluster (RPC) or the embedded index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    /// Account data at `offset` equals `bytes`.
    Memcmp { offset: usize, bytes: Vec<u8> },
    /// Account data is exactly this long.
    DataSize(u64),
}

impl AccountFilter {
    pub fn memcmp(offset: usize, bytes: impl Into<Vec<u8>>) -> Self {
        AccountFilter::Memcmp {
            offset,
            bytes: bytes.into(),
        }
    }

    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::Memcmp { offset, bytes } => {
                data.len() >= offset + bytes.len()
                    && &data[*offset..offset + bytes.len()] == bytes.as_slice()
            }
            AccountFilter::DataSize(n) => data.len() as u64 == *n,
        }
    }
}

/// What a landed transaction produced.
#[derive(Debug, Clone, Serialize)]
pub struct TxOutcome {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub signature: Signature,
    pub slot: u64,
    pub logs: Vec<String>,
    pub compute_units: u64,
    /// True when the logs come from the embedded bank (see [`crate::events`]).
    pub embedded: bool,
}

impl TxOutcome {
    /// Decodes the caretrail events this transaction emitted.
    pub fn events(&self) -> Vec<crate::events::CaretrailEvent> {
        crate::events::parse_logs(&self.logs, self.embedded)
    }
}

/// One transaction of the ledger's history.
#[derive(Debug, Clone, Serialize)]
pub struct TxRecord {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub signature: Signature,
    pub slot: u64,
    pub block_time: Option<i64>,
    pub instructions: Vec<RecordedInstruction>,
    pub logs: Vec<String>,
    /// `None` when the transaction succeeded.
    pub error: Option<String>,
    pub compute_units: Option<u64>,
    #[serde(skip)]
    pub embedded: bool,
    /// The signed transaction itself, where the ledger keeps it (the embedded one does).
    #[serde(skip)]
    pub transaction: Option<Transaction>,
}

impl TxRecord {
    /// The caretrail events of this transaction; none when it failed (its logs may show
    /// events of instructions that ran before the failure, but nothing of it took effect).
    pub fn events(&self) -> Vec<crate::events::CaretrailEvent> {
        if !self.succeeded() {
            return Vec::new();
        }
        crate::events::parse_logs(&self.logs, self.embedded)
    }

    pub fn succeeded(&self) -> bool {
        self.error.is_none()
    }
}

/// A top-level instruction of a recorded transaction.
#[derive(Debug, Clone, Serialize)]
pub struct RecordedInstruction {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub program: Pubkey,
    #[serde(serialize_with = "crate::util::ser_display_vec")]
    pub accounts: Vec<Pubkey>,
    #[serde(serialize_with = "crate::util::ser_base64")]
    pub data_base64: Vec<u8>,
}

impl RecordedInstruction {
    pub fn from_transaction(tx: &Transaction) -> Vec<RecordedInstruction> {
        let keys = &tx.message.account_keys;
        tx.message
            .instructions
            .iter()
            .map(|ix| RecordedInstruction {
                program: keys[ix.program_id_index as usize],
                accounts: ix.accounts.iter().map(|&i| keys[i as usize]).collect(),
                data_base64: ix.data.clone(),
            })
            .collect()
    }
}

/// The operations caretrail needs from a ledger.
pub trait Ledger: Send + Sync {
    /// `embedded:<dir>` or the RPC URL.
    fn describe(&self) -> String;
    fn is_embedded(&self) -> bool;
    fn latest_blockhash(&self) -> Result<Hash>;
    /// The genesis hash: which chain this is (CAIP-2 `solana:<first 32 characters>`).
    fn genesis_hash(&self) -> Result<Hash> {
        Err(Error::Unsupported(format!(
            "{} does not tell its genesis hash",
            self.describe()
        )))
    }
    /// The latest blockhash and the last block height at which it is valid.
    fn latest_blockhash_with_height(&self) -> Result<(Hash, u64)> {
        Err(Error::Unsupported(format!(
            "{} does not tell block heights",
            self.describe()
        )))
    }
    /// Whether a transaction with this blockhash would still be accepted.
    fn is_blockhash_valid(&self, _blockhash: &Hash) -> Result<bool> {
        Err(Error::Unsupported(format!(
            "{} cannot check blockhashes",
            self.describe()
        )))
    }
    /// The current block height.
    fn block_height(&self) -> Result<u64> {
        Ok(self.get_clock()?.slot)
    }
    /// Runs `tx` without committing it (signatures are not checked).
    fn simulate_transaction(&self, _tx: &Transaction) -> Result<Simulation> {
        Err(Error::Unsupported(format!(
            "{} cannot simulate transactions",
            self.describe()
        )))
    }
    /// Waits until the latest blockhash differs from `previous`.
    fn new_blockhash(&self, previous: &Hash) -> Result<Hash>;
    /// Submits a signed transaction and waits until it is processed. A transaction that ran and
    /// failed is an `Err(Error::Transaction)` (and is part of the history).
    fn send_transaction(&self, tx: &Transaction) -> Result<TxOutcome>;
    fn get_account(&self, address: &Pubkey) -> Result<Option<Account>>;
    fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        addresses.iter().map(|a| self.get_account(a)).collect()
    }
    /// Accounts owned by `program` matching every filter.
    fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>>;
    /// Funds `to` (the embedded faucet, or the cluster's airdrop where it has one).
    fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()>;
    fn get_clock(&self) -> Result<Clock>;
    fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64>;
    /// Transactions that reference `address`, oldest first (at most `limit`, the newest ones).
    fn transactions_for_address(&self, address: &Pubkey, limit: usize) -> Result<Vec<TxRecord>>;

    /// The landed transaction with this signature (`None` when the ledger has not seen it).
    fn transaction(&self, signature: &Signature) -> Result<Option<TxRecord>>;

    fn get_balance(&self, address: &Pubkey) -> Result<u64> {
        Ok(self.get_account(address)?.map(|a| a.lamports).unwrap_or(0))
    }

    /// The priority fee, in micro-lamports per compute unit, that [`send_instructions`] adds to
    /// every transaction it builds (a `ComputeBudget::SetComputeUnitPrice` instruction first);
    /// `None`: no priority fee.
    fn compute_unit_price(&self) -> Option<u64> {
        None
    }

    /// Where indexes rebuilt from this ledger's history are kept between calls (package trees:
    /// `custody::PackageTreeIndex::open`): next to a persisted embedded ledger; `None` for an
    /// in-memory one and for a cluster (a caller passes a directory of its own).
    fn index_dir(&self) -> Option<std::path::PathBuf> {
        None
    }

    /// Package tree indexes this ledger handle keeps in memory for its life, so a process that
    /// reads one tree many times (a scan of 2,000 lines) rebuilds or reads it once; each use
    /// still checks the kept index against the chain first. `None` keeps nothing.
    fn package_indexes(&self) -> Option<&crate::custody::IndexMemo> {
        None
    }
}

/// A shared ledger is a ledger (a server's threads hold it in an `Arc`).
impl<L: Ledger + ?Sized> Ledger for std::sync::Arc<L> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn is_embedded(&self) -> bool {
        (**self).is_embedded()
    }
    fn latest_blockhash(&self) -> Result<Hash> {
        (**self).latest_blockhash()
    }
    fn genesis_hash(&self) -> Result<Hash> {
        (**self).genesis_hash()
    }
    fn latest_blockhash_with_height(&self) -> Result<(Hash, u64)> {
        (**self).latest_blockhash_with_height()
    }
    fn is_blockhash_valid(&self, blockhash: &Hash) -> Result<bool> {
        (**self).is_blockhash_valid(blockhash)
    }
    fn block_height(&self) -> Result<u64> {
        (**self).block_height()
    }
    fn simulate_transaction(&self, tx: &Transaction) -> Result<Simulation> {
        (**self).simulate_transaction(tx)
    }
    fn new_blockhash(&self, previous: &Hash) -> Result<Hash> {
        (**self).new_blockhash(previous)
    }
    fn send_transaction(&self, tx: &Transaction) -> Result<TxOutcome> {
        (**self).send_transaction(tx)
    }
    fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        (**self).get_account(address)
    }
    fn get_multiple_accounts(&self, addresses: &[Pubkey]) -> Result<Vec<Option<Account>>> {
        (**self).get_multiple_accounts(addresses)
    }
    fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        (**self).get_program_accounts(program, filters)
    }
    fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()> {
        (**self).request_airdrop(to, lamports)
    }
    fn get_clock(&self) -> Result<Clock> {
        (**self).get_clock()
    }
    fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64> {
        (**self).minimum_balance_for_rent_exemption(data_len)
    }
    fn transactions_for_address(&self, address: &Pubkey, limit: usize) -> Result<Vec<TxRecord>> {
        (**self).transactions_for_address(address, limit)
    }
    fn transaction(&self, signature: &Signature) -> Result<Option<TxRecord>> {
        (**self).transaction(signature)
    }
    fn get_balance(&self, address: &Pubkey) -> Result<u64> {
        (**self).get_balance(address)
    }
    fn compute_unit_price(&self) -> Option<u64> {
        (**self).compute_unit_price()
    }
    fn index_dir(&self) -> Option<std::path::PathBuf> {
        (**self).index_dir()
    }
    fn package_indexes(&self) -> Option<&crate::custody::IndexMemo> {
        (**self).package_indexes()
    }
}

/// Builds, signs and sends one transaction of `instructions`, paid by `payer`.
///
/// `signers` must include every required signer (the payer is added when missing). If an
/// identical transaction was already processed under the same blockhash (a deliberate repeat
/// within the same slot), it is re-signed under a new blockhash and sent again.
pub fn send_instructions(
    ledger: &dyn Ledger,
    payer: &Keypair,
    signers: &[&Keypair],
    instructions: &[Instruction],
) -> Result<TxOutcome> {
    let all = signer_set(payer, signers);
    let priced: Vec<Instruction>;
    let instructions = match ledger.compute_unit_price() {
        Some(price) => {
            priced = std::iter::once(
                solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_price(
                    price,
                ),
            )
            .chain(instructions.iter().cloned())
            .collect();
            &priced[..]
        }
        None => instructions,
    };
    let mut blockhash = ledger.latest_blockhash()?;
    for _ in 0..20 {
        let tx = Transaction::new_signed_with_payer(
            instructions,
            Some(&payer.pubkey()),
            &all,
            blockhash,
        );
        match ledger.send_transaction(&tx) {
            Err(Error::Transaction {
                error: TransactionError::AlreadyProcessed,
                ..
            }) => {
                blockhash = ledger.new_blockhash(&blockhash)?;
            }
            other => return other.map_err(|e| e.in_instructions(instructions)),
        }
    }
    Err(Error::Bank(
        "no fresh blockhash for a repeated transaction".into(),
    ))
}

/// The fee payer first, then every other signer once.
pub(crate) fn signer_set<'a>(fee_payer: &'a Keypair, signers: &[&'a Keypair]) -> Vec<&'a Keypair> {
    let mut all: Vec<&Keypair> = Vec::with_capacity(signers.len() + 1);
    all.push(fee_payer);
    for s in signers {
        if !all.iter().any(|k| k.pubkey() == s.pubkey()) {
            all.push(s);
        }
    }
    all
}
