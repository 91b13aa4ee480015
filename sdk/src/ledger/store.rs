//! Persistence of the embedded ledger: one SQLite file (`ledger.sqlite`) holding every account
//! the caretrail transactions touched and the full transaction history.
//!
//! Every landed transaction is committed atomically with the accounts it changed, so a process
//! killed at any point leaves either the state before or after that transaction. On open the
//! file's length is checked against its header (a truncated copy), its schema and meta table
//! are checked (`PRAGMA quick_check(meta)`) and its format marker verified: a corrupted,
//! truncated or foreign file is reported, never silently replaced. These checks take the same
//! time at any ledger size; a damaged page further in is reported (`Error::Corrupt`) when it is
//! read, since SQLite checks every page it reads, and [`Store::check`] (`caretrail ledger
//! check`) reads them all. The file is held with an exclusive lock while a process uses it.

use super::{RecordedInstruction, TxRecord};
use crate::{Error, Result};
use rusqlite::{params, Connection, OptionalExtension};
use solana_sdk::{
    account::Account, pubkey::Pubkey, signature::Signature, transaction::Transaction,
};
use std::path::{Path, PathBuf};
use std::str::FromStr;

const FORMAT_KEY: &str = "format";
const FORMAT_VALUE: &str = "caretrail-ledger/1";
/// The meta key of the genesis hash of the ledger's first bank.
pub(crate) const GENESIS_KEY: &str = "genesis_hash";
pub(crate) const DB_FILE: &str = "ledger.sqlite";

/// `(signature, slot, block_time, tx, error, logs, compute_units)` of a recorded transaction.
type TxRow = (String, i64, i64, Vec<u8>, Option<String>, String, i64);

pub(crate) struct Store {
    conn: Connection,
    path: String,
}

/// A transaction to record, with the accounts it left behind.
pub(crate) struct Committed<'a> {
    pub tx: &'a Transaction,
    pub slot: u64,
    pub block_time: i64,
    pub logs: &'a [String],
    pub error: Option<String>,
    pub compute_units: u64,
    /// Post-transaction state of every account the transaction referenced (`None`: closed).
    pub accounts: Vec<(Pubkey, Option<Account>)>,
}

impl Store {
    /// Opens (or creates) `dir/ledger.sqlite`.
    pub fn open(dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(dir).map_err(|e| Error::Store {
            path: dir.display().to_string(),
            message: format!("cannot create the ledger directory: {e}"),
        })?;
        let file: PathBuf = dir.join(DB_FILE);
        let path = file.display().to_string();
        let existed = file.exists()
            && std::fs::metadata(&file)
                .map(|m| m.len() > 0)
                .unwrap_or(false);
        if existed {
            check_length(&file, &path)?;
        }
        let conn = Connection::open(&file).map_err(|e| corrupt_or_store(&path, e))?;
        let store = Store { conn, path };
        store.configure()?;
        if existed {
            store.verify()?;
        } else {
            store.create_schema()?;
        }
        Ok(store)
    }

    /// An in-memory store (tests, throw-away ledgers).
    pub fn in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory().map_err(|e| Error::Store {
            path: ":memory:".into(),
            message: e.to_string(),
        })?;
        let store = Store {
            conn,
            path: ":memory:".into(),
        };
        store.create_schema()?;
        Ok(store)
    }

    fn configure(&self) -> Result<()> {
        // Exclusive locking: a second process gets SQLITE_BUSY instead of forking the ledger.
        self.conn
            .busy_timeout(std::time::Duration::from_millis(200))
            .map_err(|e| self.err(e))?;
        self.conn
            .execute_batch("PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")
            .map_err(|e| self.classify(e))?;
        // Take the lock now, not at the first write.
        self.conn
            .execute_batch("BEGIN IMMEDIATE; COMMIT;")
            .map_err(|e| self.classify(e))?;
        Ok(())
    }

    fn create_schema(&self) -> Result<()> {
        self.conn
            .execute_batch(
                "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                 CREATE TABLE IF NOT EXISTS accounts (
                     pubkey BLOB PRIMARY KEY,
                     owner BLOB NOT NULL,
                     lamports INTEGER NOT NULL,
                     executable INTEGER NOT NULL,
                     rent_epoch INTEGER NOT NULL,
                     data BLOB NOT NULL);
                 CREATE INDEX IF NOT EXISTS accounts_owner ON accounts(owner);
                 -- The 32 bytes at offset 17: a consent grant's patient (ConsentGrant::PATIENT_OFFSET),
                 -- so a patient's grants (access decisions, the portal, FHIR searches) are found
                 -- without reading every grant of the program.
                 CREATE INDEX IF NOT EXISTS accounts_owner_key17 ON accounts(owner, substr(data, 18, 32));
                 CREATE TABLE IF NOT EXISTS transactions (
                     seq INTEGER PRIMARY KEY AUTOINCREMENT,
                     signature TEXT NOT NULL UNIQUE,
                     slot INTEGER NOT NULL,
                     block_time INTEGER NOT NULL,
                     tx BLOB NOT NULL,
                     error TEXT,
                     logs TEXT NOT NULL,
                     compute_units INTEGER NOT NULL);
                 CREATE TABLE IF NOT EXISTS tx_accounts (
                     pubkey BLOB NOT NULL,
                     seq INTEGER NOT NULL,
                     PRIMARY KEY (pubkey, seq)) WITHOUT ROWID;",
            )
            .map_err(|e| self.err(e))?;
        self.conn
            .execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES (?1, ?2)",
                params![FORMAT_KEY, FORMAT_VALUE],
            )
            .map_err(|e| self.err(e))?;
        Ok(())
    }

    /// The checks of every open, in constant time (the schema and the meta table; the file's
    /// length was checked before SQLite opened it).
    fn verify(&self) -> Result<()> {
        self.integrity("PRAGMA quick_check(meta)")?;
        let format: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [FORMAT_KEY], |r| {
                r.get(0)
            })
            .optional()
            .map_err(|e| self.classify(e))?;
        match format.as_deref() {
            Some(FORMAT_VALUE) => Ok(()),
            Some(other) => Err(self.corrupt(format!("unsupported ledger format {other:?}"))),
            None => Err(self.corrupt("no caretrail format marker".into())),
        }
    }

    /// Reads every page of the file and checks its structure and indexes (`PRAGMA
    /// integrity_check`): time in proportion to the ledger's size.
    pub fn check(&self) -> Result<()> {
        self.integrity("PRAGMA integrity_check")
    }

    fn integrity(&self, pragma: &str) -> Result<()> {
        let check: String = self
            .conn
            .query_row(pragma, [], |r| r.get(0))
            .map_err(|e| self.classify(e))?;
        if check != "ok" {
            return Err(self.corrupt(format!("integrity check: {check}")));
        }
        Ok(())
    }

    /// The genesis hash recorded by the ledger's first start, if any.
    pub fn genesis_hash(&self) -> Result<Option<solana_sdk::hash::Hash>> {
        match self.meta(GENESIS_KEY)? {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| {
                self.corrupt(format!("the recorded genesis hash {text:?} is not a hash"))
            }),
        }
    }

    /// Sets a meta value (outside a transaction's commit).
    pub fn put_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
                params![key, value],
            )
            .map(|_| ())
            .map_err(|e| self.classify(e))
    }

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.classify(e))
    }

    /// Every persisted account.
    pub fn all_accounts(&self) -> Result<Vec<(Pubkey, Account)>> {
        self.query_accounts("SELECT pubkey, owner, lamports, executable, rent_epoch, data FROM accounts ORDER BY pubkey", &[])
    }

    /// One persisted account.
    pub fn account(&self, key: &Pubkey) -> Result<Option<Account>> {
        let key = key.to_bytes().to_vec();
        Ok(self
            .query_accounts(
                "SELECT pubkey, owner, lamports, executable, rent_epoch, data FROM accounts WHERE pubkey = ?1",
                &[&key],
            )?
            .pop()
            .map(|(_, a)| a))
    }

    /// Accounts of `owner` matching every filter, the filters evaluated by SQLite (with the
    /// expression index on offset 17 when a filter compares 32 bytes there).
    pub fn accounts_matching(
        &self,
        owner: &Pubkey,
        filters: &[super::AccountFilter],
    ) -> Result<Vec<(Pubkey, Account)>> {
        use super::AccountFilter;
        let mut sql = String::from(
            "SELECT pubkey, owner, lamports, executable, rent_epoch, data FROM accounts WHERE owner = ?1",
        );
        let mut args: Vec<Box<dyn rusqlite::ToSql>> = vec![Box::new(owner.to_bytes().to_vec())];
        for f in filters {
            match f {
                AccountFilter::DataSize(n) => {
                    // Literal numbers (not parameters) so SQLite can match its indexes.
                    sql.push_str(&format!(" AND length(data) = {n}"));
                }
                AccountFilter::Memcmp { offset, bytes } => {
                    args.push(Box::new(bytes.clone()));
                    sql.push_str(&format!(
                        " AND substr(data, {}, {}) = ?{}",
                        offset + 1,
                        bytes.len(),
                        args.len()
                    ));
                }
            }
        }
        sql.push_str(" ORDER BY pubkey");
        let refs: Vec<&dyn rusqlite::ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let found = self.query_accounts(&sql, &refs)?;
        // substr() of a blob shorter than offset + length is shorter: the same test as
        // AccountFilter::matches, checked again for certainty.
        Ok(found
            .into_iter()
            .filter(|(_, a)| filters.iter().all(|f| f.matches(&a.data)))
            .collect())
    }

    fn query_accounts(
        &self,
        sql: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<(Pubkey, Account)>> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.classify(e))?;
        let rows = stmt
            .query_map(args, |r| {
                let key: Vec<u8> = r.get(0)?;
                let owner: Vec<u8> = r.get(1)?;
                let lamports: i64 = r.get(2)?;
                let executable: bool = r.get(3)?;
                let rent_epoch: i64 = r.get(4)?;
                let data: Vec<u8> = r.get(5)?;
                Ok((key, owner, lamports, executable, rent_epoch, data))
            })
            .map_err(|e| self.classify(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (key, owner, lamports, executable, rent_epoch, data) =
                row.map_err(|e| self.classify(e))?;
            let key = Pubkey::try_from(key.as_slice())
                .map_err(|_| self.corrupt("bad account key".into()))?;
            let owner = Pubkey::try_from(owner.as_slice())
                .map_err(|_| self.corrupt("bad account owner".into()))?;
            out.push((
                key,
                Account {
                    lamports: lamports as u64,
                    data,
                    owner,
                    executable,
                    rent_epoch: rent_epoch as u64,
                },
            ));
        }
        Ok(out)
    }

    /// Records a processed transaction and the accounts it changed, atomically.
    pub fn commit(&mut self, c: Committed<'_>) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        {
            let sig =
                c.tx.signatures
                    .first()
                    .copied()
                    .unwrap_or_default()
                    .to_string();
            let blob = bincode::serialize(c.tx).map_err(|e| Error::Store {
                path: path.clone(),
                message: e.to_string(),
            })?;
            let logs = serde_json::to_string(c.logs).unwrap_or_else(|_| "[]".into());
            tx.execute(
                "INSERT INTO transactions(signature, slot, block_time, tx, error, logs, compute_units) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![sig, c.slot as i64, c.block_time, blob, c.error, logs, c.compute_units as i64],
            )
            .map_err(|e| classify(&path, e))?;
            let seq = tx.last_insert_rowid();
            let mut link = tx
                .prepare_cached("INSERT OR IGNORE INTO tx_accounts(pubkey, seq) VALUES (?1, ?2)")
                .map_err(|e| classify(&path, e))?;
            for key in &c.tx.message.account_keys {
                link.execute(params![key.to_bytes().to_vec(), seq])
                    .map_err(|e| classify(&path, e))?;
            }
            for (key, account) in &c.accounts {
                put(&tx, key, account.as_ref()).map_err(|e| classify(&path, e))?;
            }
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('last_slot', ?1)",
                params![c.slot.to_string()],
            )
            .map_err(|e| classify(&path, e))?;
            tx.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('last_time', ?1)",
                params![c.block_time.to_string()],
            )
            .map_err(|e| classify(&path, e))?;
        }
        tx.commit().map_err(|e| classify(&path, e))
    }

    /// Transactions referencing `address` (or all when `None`), oldest first, the newest `limit`.
    pub fn transactions(&self, address: Option<&Pubkey>, limit: usize) -> Result<Vec<TxRecord>> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let (sql, key): (&str, Option<Vec<u8>>) = match address {
            Some(a) => (
                "SELECT * FROM (SELECT t.seq, t.signature, t.slot, t.block_time, t.tx, t.error, t.logs, t.compute_units
                   FROM tx_accounts x JOIN transactions t ON t.seq = x.seq
                  WHERE x.pubkey = ?1 ORDER BY t.seq DESC LIMIT ?2) ORDER BY seq ASC",
                Some(a.to_bytes().to_vec()),
            ),
            None => (
                "SELECT * FROM (SELECT seq, signature, slot, block_time, tx, error, logs, compute_units
                   FROM transactions WHERE ?1 IS NULL ORDER BY seq DESC LIMIT ?2) ORDER BY seq ASC",
                None,
            ),
        };
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| self.classify(e))?;
        let rows = stmt
            .query_map(params![key, limit], Self::row)
            .map_err(|e| self.classify(e))?;
        rows.map(|row| self.record(row.map_err(|e| self.classify(e))?))
            .collect()
    }

    /// The recorded transaction with this signature, if it is in the history.
    pub fn transaction(&self, signature: &Signature) -> Result<Option<TxRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT seq, signature, slot, block_time, tx, error, logs, compute_units
                   FROM transactions WHERE signature = ?1",
            )
            .map_err(|e| self.classify(e))?;
        let mut rows = stmt
            .query_map(params![signature.to_string()], Self::row)
            .map_err(|e| self.classify(e))?;
        rows.next()
            .map(|row| self.record(row.map_err(|e| self.classify(e))?))
            .transpose()
    }

    /// The columns of a `transactions` row after `seq`.
    fn row(r: &rusqlite::Row) -> rusqlite::Result<TxRow> {
        Ok((
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get::<_, Option<String>>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, i64>(7)?,
        ))
    }

    fn record(&self, (sig, slot, block_time, blob, error, logs, cu): TxRow) -> Result<TxRecord> {
        let tx: Transaction = bincode::deserialize(&blob)
            .map_err(|e| self.corrupt(format!("transaction {sig}: {e}")))?;
        Ok(TxRecord {
            signature: Signature::from_str(&sig)
                .map_err(|e| self.corrupt(format!("signature {sig}: {e}")))?,
            slot: slot as u64,
            block_time: Some(block_time),
            instructions: RecordedInstruction::from_transaction(&tx),
            logs: serde_json::from_str(&logs)
                .map_err(|e| self.corrupt(format!("logs of {sig}: {e}")))?,
            error,
            compute_units: Some(cu as u64),
            embedded: true,
            transaction: Some(tx),
        })
    }

    pub fn transaction_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM transactions", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(|e| self.classify(e))
    }

    fn err(&self, e: rusqlite::Error) -> Error {
        Error::Store {
            path: self.path.clone(),
            message: e.to_string(),
        }
    }

    fn classify(&self, e: rusqlite::Error) -> Error {
        classify(&self.path, e)
    }

    fn corrupt(&self, message: String) -> Error {
        Error::Corrupt {
            path: self.path.clone(),
            message,
        }
    }
}

/// A copy cut short is shorter than its header says. SQLite's header counts the file's pages
/// (offset 28) and the count is valid when the change counter (offset 24) equals the
/// version-valid-for number (offset 92); page size at offset 16 (1 meaning 65,536). A file
/// that is not SQLite at all is left to SQLite to report.
fn check_length(file: &Path, path: &str) -> Result<()> {
    use std::io::Read;
    let corrupt = |message: String| Error::Corrupt {
        path: path.into(),
        message,
    };
    let mut header = [0u8; 100];
    let len = std::fs::File::open(file)
        .and_then(|mut f| {
            let len = f.metadata()?.len();
            f.read_exact(&mut header).map(|_| len)
        })
        .map_err(|e| corrupt(format!("cannot read the file's header: {e}")))?;
    if &header[..16] != b"SQLite format 3\0" {
        return Ok(());
    }
    let be32 = |at: usize| u32::from_be_bytes(header[at..at + 4].try_into().expect("4 bytes"));
    let page_size = match u16::from_be_bytes([header[16], header[17]]) {
        1 => 65_536u64,
        n => u64::from(n),
    };
    let pages = u64::from(be32(28));
    if be32(24) == be32(92) && pages > 0 && len < pages * page_size {
        return Err(corrupt(format!(
            "the file holds {len} bytes but its header counts {pages} pages of {page_size} bytes: it was cut short"
        )));
    }
    Ok(())
}

fn corrupt_or_store(path: &str, e: rusqlite::Error) -> Error {
    classify(path, e)
}

/// Maps SQLite failures to the ledger's errors: a damaged file is `Corrupt`, a file held by
/// another process is `Locked`, anything else a plain store error.
fn classify(path: &str, e: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode::*;
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        match f.code {
            DatabaseCorrupt | NotADatabase => {
                return Error::Corrupt {
                    path: path.into(),
                    message: e.to_string(),
                }
            }
            DatabaseBusy | DatabaseLocked => return Error::Locked { path: path.into() },
            _ => {}
        }
    }
    Error::Store {
        path: path.into(),
        message: e.to_string(),
    }
}

impl Store {
    /// Writes (or deletes) accounts outside a transaction (fixtures), in one SQLite
    /// transaction.
    pub fn put_accounts(&mut self, accounts: &[(Pubkey, Option<&Account>)]) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| classify(&path, e))?;
        for (key, account) in accounts {
            put(&tx, key, *account).map_err(|e| classify(&path, e))?;
        }
        tx.commit().map_err(|e| classify(&path, e))
    }
}

/// Writes (or, for `None`, deletes) one account row.
fn put(
    conn: &rusqlite::Connection,
    key: &Pubkey,
    account: Option<&Account>,
) -> rusqlite::Result<()> {
    let key = key.to_bytes().to_vec();
    match account {
        Some(a) => conn
            .prepare_cached("INSERT OR REPLACE INTO accounts(pubkey, owner, lamports, executable, rent_epoch, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6)")?
            .execute(params![key, a.owner.to_bytes().to_vec(), a.lamports as i64, a.executable, a.rent_epoch as i64, a.data]),
        None => conn
            .prepare_cached("DELETE FROM accounts WHERE pubkey = ?1")?
            .execute(params![key]),
    }
    .map(|_| ())
}
