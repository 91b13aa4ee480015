#![allow(deprecated)] // solana-program-test marks its API "agave unstable" from 3.1 on; we pin =3.1.12.
//! The embedded ledger: a real Agave bank (solana-program-test) running the six caretrail
//! programs natively in this process, persisted in `DIR/ledger.sqlite`.
//!
//! On open a fresh bank starts with the programs only; a persisted account is brought into it
//! the first time a transaction, a simulation or a read names it (a legacy transaction names
//! every account it can touch, cross-program calls included), so opening takes the same time
//! at a thousand accounts or a million. The slot continues after the last recorded one, and
//! the clock follows wall time (never going backwards). Every
//! transaction is recorded with its instructions and logs; its written accounts are saved in
//! the same SQLite transaction, so the file always holds a state some prefix of the history
//! produced.

use super::bank as programs;
use super::store::{Committed, Store};
use super::{AccountFilter, Ledger, TxOutcome, TxRecord};
use crate::{Error, Result};
use anchor_lang::solana_program::system_instruction;
use serde::Serialize;
use solana_program_test::ProgramTestContext;
use solana_sdk::{
    account::{Account, AccountSharedData},
    clock::Clock,
    hash::Hash,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
    transaction::Transaction,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the bank's clock moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockMode {
    /// Unix time follows the wall clock (never going backwards). The CLI's mode.
    Wall,
    /// Unix time starts at the given value and moves only with [`EmbeddedLedger::warp_clock`]
    /// / [`EmbeddedLedger::set_clock`]. Deterministic tests use it.
    Manual(i64),
}

struct Inner {
    // Field order matters: the context (and its bank task) drops before the runtime.
    ctx: ProgramTestContext,
    rt: tokio::runtime::Runtime,
    store: Store,
    clock_mode: ClockMode,
    /// The unix time last written into the bank's Clock sysvar.
    time: i64,
    /// Addresses whose persisted state the bank holds already, or that the store has not.
    loaded: HashSet<Pubkey>,
}

/// See the module docs.
pub struct EmbeddedLedger {
    inner: Mutex<Inner>,
    faucet: Keypair,
    dir: Option<PathBuf>,
    /// The genesis hash of the ledger's first bank, kept in the file: every start builds a
    /// new genesis (its creation time and faucet change), but the chain is the same one.
    genesis: Hash,
    package_indexes: crate::custody::IndexMemo,
}

/// Everything the embedded ledger holds, for `caretrail ledger dump`.
#[derive(Debug, Serialize)]
pub struct LedgerDump {
    pub ledger: String,
    pub accounts: Vec<DumpAccount>,
    pub transactions: Vec<TxRecord>,
}

#[derive(Debug, Serialize)]
pub struct DumpAccount {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub pubkey: Pubkey,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub owner: Pubkey,
    pub lamports: u64,
    #[serde(serialize_with = "crate::util::ser_base64")]
    pub data_base64: Vec<u8>,
}

impl EmbeddedLedger {
    /// Opens (or creates) the persisted ledger in `dir`, clock following wall time.
    pub fn open(dir: &Path) -> Result<EmbeddedLedger> {
        let store = Store::open(dir)?;
        Self::start(store, ClockMode::Wall, Some(dir.to_path_buf()), None)
    }

    /// A throw-away ledger in memory (tests, benchmarks).
    pub fn in_memory(clock_mode: ClockMode) -> Result<EmbeddedLedger> {
        Self::start(Store::in_memory()?, clock_mode, None, None)
    }

    /// A throw-away ledger running SBF builds of the programs from `sbf_dir` (see
    /// [`programs::program_test_from`]); the bank then meters their compute units.
    pub fn in_memory_sbf(clock_mode: ClockMode, sbf_dir: &Path) -> Result<EmbeddedLedger> {
        Self::start(Store::in_memory()?, clock_mode, None, Some(sbf_dir))
    }

    /// The directory holding the ledger file, when persisted.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn start(
        store: Store,
        clock_mode: ClockMode,
        dir: Option<PathBuf>,
        sbf_dir: Option<&Path>,
    ) -> Result<EmbeddedLedger> {
        let pt = programs::program_test_from(sbf_dir);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| Error::Bank(format!("tokio runtime: {e}")))?;
        let mut ctx = rt.block_on(pt.start_with_context());
        let faucet = ctx.payer.insecure_clone();
        let genesis = match store.genesis_hash()? {
            Some(hash) => hash,
            None => {
                let hash = ctx.genesis_config().hash();
                store.put_meta(super::store::GENESIS_KEY, &hash.to_string())?;
                hash
            }
        };

        // Continue the slot sequence of the previous runs.
        let last_slot: u64 = store
            .meta("last_slot")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let slot = rt
            .block_on(ctx.banks_client.get_root_slot())
            .map_err(bank_err)?;
        if last_slot >= slot {
            let _guard = rt.enter();
            ctx.warp_to_slot(last_slot + 1)
                .map_err(|e| Error::Bank(format!("warp: {e:?}")))?;
        }
        let last_time: i64 = store
            .meta("last_time")?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let time = match clock_mode {
            ClockMode::Wall => crate::util::unix_now().max(last_time),
            ClockMode::Manual(t) => t,
        };
        let mut inner = Inner {
            ctx,
            rt,
            store,
            clock_mode,
            time,
            loaded: HashSet::new(),
        };
        inner.write_clock(time)?;
        let ledger = EmbeddedLedger {
            inner: Mutex::new(inner),
            faucet,
            dir,
            genesis,
            package_indexes: Default::default(),
        };
        ledger.unique_blockhashes()?;
        Ok(ledger)
    }

    /// The bank's blockhashes come from a per-process counter (`Hash::new_unique`), so every
    /// process would replay the same sequence and a durable nonce created in one run would
    /// equal a blockhash of the next, making it unusable. Skip the counter ahead by a random
    /// amount and wait for a blockhash from the new range before any transaction.
    fn unique_blockhashes(&self) -> Result<()> {
        let seed = crate::hash::random_salt();
        let skip = u32::from_le_bytes(seed[..4].try_into().expect("4 bytes")) % 1_000_000;
        for _ in 0..skip {
            let _ = Hash::new_unique();
        }
        let initial = self.latest_blockhash()?;
        self.new_blockhash(&initial).map(|_| ())
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the clock forward (or back) by `seconds` (tests; any clock mode).
    pub fn warp_clock(&self, seconds: i64) -> Result<()> {
        let mut g = self.lock();
        let t = g.time.saturating_add(seconds);
        g.write_clock(t)
    }

    /// Sets the clock's unix time (tests). In wall mode the clock resumes following wall time
    /// at the next transaction only once wall time has passed this value.
    pub fn set_clock(&self, unix_timestamp: i64) -> Result<()> {
        self.lock().write_clock(unix_timestamp)
    }

    /// Overwrites an account (tests and fixtures); it is persisted like any other.
    pub fn set_account(&self, address: &Pubkey, account: Account) -> Result<()> {
        self.set_accounts(&[(*address, account)])
    }

    /// Overwrites accounts (fixtures, benchmarks), persisted in one SQLite transaction; the
    /// bank takes them when something names them, like every persisted account.
    pub fn set_accounts(&self, accounts: &[(Pubkey, Account)]) -> Result<()> {
        let mut g = self.lock();
        let rows: Vec<_> = accounts.iter().map(|(k, a)| (*k, Some(a))).collect();
        g.store.put_accounts(&rows)?;
        for (key, _) in accounts {
            g.loaded.remove(key);
        }
        Ok(())
    }

    /// Reads every page of the ledger file and checks its structure (`PRAGMA
    /// integrity_check`); opening checks only what it can in constant time.
    pub fn check(&self) -> Result<()> {
        self.lock().store.check()
    }

    /// The faucet keypair of this bank (rich in SOL; new at every start).
    pub fn faucet(&self) -> &Keypair {
        &self.faucet
    }

    /// All persisted accounts and the whole transaction history.
    pub fn dump(&self) -> Result<LedgerDump> {
        let g = self.lock();
        let accounts = g
            .store
            .all_accounts()?
            .into_iter()
            .map(|(pubkey, a)| DumpAccount {
                pubkey,
                owner: a.owner,
                lamports: a.lamports,
                data_base64: a.data,
            })
            .collect();
        let transactions = g.store.transactions(None, usize::MAX)?;
        Ok(LedgerDump {
            ledger: self.describe(),
            accounts,
            transactions,
        })
    }

    /// Number of recorded transactions.
    pub fn transaction_count(&self) -> Result<u64> {
        self.lock().store.transaction_count()
    }
}

impl Inner {
    fn write_clock(&mut self, unix_timestamp: i64) -> Result<()> {
        let mut clock: Clock = self
            .rt
            .block_on(self.ctx.banks_client.get_sysvar())
            .map_err(bank_err)?;
        clock.unix_timestamp = unix_timestamp;
        self.ctx.set_sysvar(&clock);
        self.time = unix_timestamp;
        Ok(())
    }

    /// In wall mode, brings the clock up to the current time before a transaction.
    fn sync_clock(&mut self) -> Result<()> {
        if self.clock_mode == ClockMode::Wall {
            let now = crate::util::unix_now();
            if now > self.time {
                self.write_clock(now)?;
            }
        }
        Ok(())
    }

    /// Brings the persisted state of `keys` into the bank, once per address and process.
    fn load<'a>(&mut self, keys: impl IntoIterator<Item = &'a Pubkey>) -> Result<()> {
        for key in keys {
            if self.loaded.contains(key) {
                continue;
            }
            if let Some(account) = self.store.account(key)? {
                self.ctx.set_account(key, &AccountSharedData::from(account));
            }
            self.loaded.insert(*key);
        }
        Ok(())
    }

    fn get_account(&mut self, address: &Pubkey) -> Result<Option<Account>> {
        self.load([address])?;
        self.rt
            .block_on(self.ctx.banks_client.get_account(*address))
            .map_err(bank_err)
    }
}

fn bank_err(e: impl std::fmt::Display) -> Error {
    Error::Bank(e.to_string())
}

/// Accounts worth persisting: the bank recreates programs, sysvars and its own accounts.
fn persistable(account: &Option<Account>) -> bool {
    match account {
        None => true,
        Some(a) => {
            !a.executable
                && a.owner != solana_sdk::sysvar::id()
                && a.owner != solana_sdk::native_loader::id()
                && a.owner != anchor_lang::solana_program::bpf_loader_upgradeable::ID
        }
    }
}

impl Ledger for EmbeddedLedger {
    fn index_dir(&self) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join("indexes"))
    }

    fn package_indexes(&self) -> Option<&crate::custody::IndexMemo> {
        Some(&self.package_indexes)
    }

    fn describe(&self) -> String {
        match &self.dir {
            Some(d) => format!("embedded:{}", d.display()),
            None => "embedded:memory".into(),
        }
    }

    fn is_embedded(&self) -> bool {
        true
    }

    fn genesis_hash(&self) -> Result<Hash> {
        Ok(self.genesis)
    }

    fn latest_blockhash_with_height(&self) -> Result<(Hash, u64)> {
        let g = self.lock();
        g.rt.block_on(
            g.ctx
                .banks_client
                .get_latest_blockhash_with_commitment(Default::default()),
        )
        .map_err(bank_err)?
        .ok_or_else(|| Error::Bank("no valid blockhash".into()))
    }

    fn is_blockhash_valid(&self, blockhash: &Hash) -> Result<bool> {
        // The bank prices a message only under a blockhash it still accepts.
        let mut message = solana_sdk::message::Message::new(
            &[system_instruction::transfer(
                &self.faucet.pubkey(),
                &self.faucet.pubkey(),
                1,
            )],
            Some(&self.faucet.pubkey()),
        );
        message.recent_blockhash = *blockhash;
        let g = self.lock();
        Ok(g.rt
            .block_on(g.ctx.banks_client.get_fee_for_message(message))
            .map_err(bank_err)?
            .is_some())
    }

    fn block_height(&self) -> Result<u64> {
        let g = self.lock();
        g.rt.block_on(g.ctx.banks_client.get_root_block_height())
            .map_err(bank_err)
    }

    fn simulate_transaction(&self, tx: &Transaction) -> Result<super::Simulation> {
        let mut g = self.lock();
        g.sync_clock()?;
        g.load(&tx.message.account_keys)?;
        let r =
            g.rt.block_on(g.ctx.banks_client.simulate_transaction(tx.clone()))
                .map_err(bank_err)?;
        let (logs, compute_units) = r
            .simulation_details
            .map(|d| (d.logs, d.units_consumed))
            .unwrap_or_default();
        Ok(super::Simulation {
            error: r.result.and_then(|r| r.err()),
            logs,
            compute_units,
        })
    }

    fn latest_blockhash(&self) -> Result<Hash> {
        let g = self.lock();
        g.rt.block_on(g.ctx.banks_client.get_latest_blockhash())
            .map_err(bank_err)
    }

    fn new_blockhash(&self, previous: &Hash) -> Result<Hash> {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            let h = self.latest_blockhash()?;
            if h != *previous {
                return Ok(h);
            }
            // The bank registers a new blockhash every few milliseconds on its runtime thread.
            std::thread::sleep(Duration::from_millis(1));
        }
        Err(Error::Bank(
            "the bank produced no new blockhash in 10 s".into(),
        ))
    }

    fn send_transaction(&self, tx: &Transaction) -> Result<TxOutcome> {
        let mut g = self.lock();
        g.sync_clock()?;
        g.load(&tx.message.account_keys)?;
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let result =
            g.rt.block_on(
                g.ctx
                    .banks_client
                    .process_transaction_with_metadata(tx.clone()),
            )
            .map_err(bank_err)?;
        let Some(meta) = result.metadata else {
            // Rejected before execution (bad signature, unknown blockhash, already processed,
            // fee payer cannot pay, …): nothing landed, nothing to record.
            let error = result
                .result
                .err()
                .unwrap_or(solana_sdk::transaction::TransactionError::UnsupportedVersion);
            return Err(Error::Transaction {
                signature,
                error,
                logs: vec![],
                instruction: None,
            });
        };
        let slot =
            g.rt.block_on(g.ctx.banks_client.get_root_slot())
                .map_err(bank_err)?;
        let message = &tx.message;
        let mut accounts = Vec::new();
        for (i, key) in message.account_keys.iter().enumerate() {
            if !message.is_maybe_writable(i, None) || *key == self.faucet.pubkey() {
                continue;
            }
            let account = g.get_account(key)?;
            if persistable(&account) {
                accounts.push((*key, account));
            }
        }
        let error = result.result.as_ref().err().map(|e| e.to_string());
        let time = g.time;
        g.store.commit(Committed {
            tx,
            slot,
            block_time: time,
            logs: &meta.log_messages,
            error,
            compute_units: meta.compute_units_consumed,
            accounts,
        })?;
        match result.result {
            Ok(()) => Ok(TxOutcome {
                signature,
                slot,
                logs: meta.log_messages,
                compute_units: meta.compute_units_consumed,
                embedded: true,
            }),
            Err(error) => Err(Error::Transaction {
                signature,
                error,
                logs: meta.log_messages,
                instruction: None,
            }),
        }
    }

    fn get_account(&self, address: &Pubkey) -> Result<Option<Account>> {
        self.lock().get_account(address)
    }

    fn get_program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        self.lock().store.accounts_matching(program, filters)
    }

    fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> Result<()> {
        let ix = system_instruction::transfer(&self.faucet.pubkey(), to, lamports);
        super::send_instructions(self, &self.faucet, &[], &[ix]).map(|_| ())
    }

    fn get_clock(&self) -> Result<Clock> {
        let g = self.lock();
        g.rt.block_on(g.ctx.banks_client.get_sysvar())
            .map_err(bank_err)
    }

    fn minimum_balance_for_rent_exemption(&self, data_len: usize) -> Result<u64> {
        let g = self.lock();
        let rent =
            g.rt.block_on(g.ctx.banks_client.get_rent())
                .map_err(bank_err)?;
        Ok(rent.minimum_balance(data_len))
    }

    fn transactions_for_address(&self, address: &Pubkey, limit: usize) -> Result<Vec<TxRecord>> {
        self.lock().store.transactions(Some(address), limit)
    }

    fn transaction(
        &self,
        signature: &solana_sdk::signature::Signature,
    ) -> Result<Option<TxRecord>> {
        self.lock().store.transaction(signature)
    }
}
