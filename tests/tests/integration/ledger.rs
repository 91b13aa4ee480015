//! The embedded ledger: persistence across processes, history, corruption and lock detection.

use caretrail_sdk::ledger::{EmbeddedLedger, Ledger};
use caretrail_sdk::registry::{self as reg, roles, RegistryClient};
use caretrail_tests::participant_args;
use solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

#[test]
fn state_history_and_clock_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let authority = Keypair::new();
    let wallet = Keypair::new();
    let (slot_before, time_before, tx_count, genesis);
    {
        let ledger = EmbeddedLedger::open(dir.path()).unwrap();
        ledger
            .request_airdrop(&authority.pubkey(), 5 * LAMPORTS_PER_SOL)
            .unwrap();
        let client = RegistryClient::new(&ledger, &authority);
        client.initialize(&authority).unwrap();
        let now = ledger.get_clock().unwrap().unix_timestamp;
        client
            .register(
                &authority,
                participant_args(&wallet.pubkey(), roles::DISPENSER, now + 1000),
            )
            .unwrap();
        genesis = ledger.genesis_hash().unwrap();
        slot_before = ledger.get_clock().unwrap().slot;
        time_before = now;
        tx_count = ledger.transaction_count().unwrap();
        assert_eq!(tx_count, 3);
    }
    let ledger = EmbeddedLedger::open(dir.path()).unwrap();
    // The same chain: its genesis hash (the CAIP-2 chain id wallets see) is the first run's.
    assert_eq!(ledger.genesis_hash().unwrap(), genesis);
    let p = reg::fetch_participant(&ledger, &wallet.pubkey())
        .unwrap()
        .expect("participant persisted");
    assert_eq!(p.roles, roles::DISPENSER);
    assert_eq!(
        reg::fetch_config(&ledger).unwrap().unwrap().authority,
        authority.pubkey()
    );
    assert!(ledger.get_balance(&authority.pubkey()).unwrap() > 4 * LAMPORTS_PER_SOL);
    let clock = ledger.get_clock().unwrap();
    assert!(
        clock.slot > slot_before,
        "slot continues: {} > {}",
        clock.slot,
        slot_before
    );
    assert!(clock.unix_timestamp >= time_before, "clock never goes back");
    // History by address, oldest first, with decodable events.
    let history = ledger
        .transactions_for_address(&reg::participant_pda(&wallet.pubkey()).0, 100)
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0].events()[0].name(), "ParticipantRegistered");
    assert_eq!(history[0].instructions[0].program, registry::ID);
    // The second process continues the same ledger.
    let client = RegistryClient::new(&ledger, &authority);
    client.suspend(&authority, &wallet.pubkey(), 1).unwrap();
    assert_eq!(ledger.transaction_count().unwrap(), tx_count + 1);
    let dump = ledger.dump().unwrap();
    assert!(dump
        .accounts
        .iter()
        .any(|a| a.pubkey == reg::participant_pda(&wallet.pubkey()).0 && a.owner == registry::ID));
    assert_eq!(dump.transactions.len() as u64, tx_count + 1);
}

#[test]
fn failed_transactions_are_recorded_with_their_logs() {
    let dir = tempfile::tempdir().unwrap();
    let ledger = EmbeddedLedger::open(dir.path()).unwrap();
    let stranger = Keypair::new();
    ledger
        .request_airdrop(&stranger.pubkey(), LAMPORTS_PER_SOL)
        .unwrap();
    let client = RegistryClient::new(&ledger, &stranger);
    client.initialize(&stranger).unwrap();
    let other = Keypair::new();
    ledger
        .request_airdrop(&other.pubkey(), LAMPORTS_PER_SOL)
        .unwrap();
    let err = RegistryClient::new(&ledger, &other)
        .propose_authority(&other, &other.pubkey())
        .unwrap_err();
    let caretrail_sdk::Error::Transaction { signature, .. } = err else {
        panic!("{err}")
    };
    let history = ledger
        .transactions_for_address(&other.pubkey(), 10)
        .unwrap();
    let failed = history
        .iter()
        .find(|t| t.signature == signature)
        .expect("failed tx recorded");
    assert!(failed.error.is_some());
    assert!(failed.events().is_empty());
    assert!(
        failed.logs.iter().any(|l| l.contains("failed")),
        "{:?}",
        failed.logs
    );
}

#[test]
fn corrupted_ledger_file_is_detected_not_reset() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ledger = EmbeddedLedger::open(dir.path()).unwrap();
        ledger
            .request_airdrop(&Keypair::new().pubkey(), LAMPORTS_PER_SOL)
            .unwrap();
    }
    let file = dir.path().join("ledger.sqlite");
    let mut bytes = std::fs::read(&file).unwrap();
    assert!(bytes.len() > 8192, "a ledger of several pages");
    for b in bytes.iter_mut().skip(100).take(8000) {
        *b ^= 0x5a;
    }
    std::fs::write(&file, &bytes).unwrap();
    let err = EmbeddedLedger::open(dir.path())
        .err()
        .expect("corruption detected");
    assert!(matches!(err, caretrail_sdk::Error::Corrupt { .. }), "{err}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        bytes,
        "the damaged file is left untouched"
    );
}

#[test]
fn truncated_or_foreign_ledger_file_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    {
        let ledger = EmbeddedLedger::open(dir.path()).unwrap();
        for _ in 0..20 {
            ledger
                .request_airdrop(&Keypair::new().pubkey(), LAMPORTS_PER_SOL)
                .unwrap();
        }
    }
    let file = dir.path().join("ledger.sqlite");
    let len = std::fs::metadata(&file).unwrap().len();
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(len / 2).unwrap();
    drop(f);
    let err = EmbeddedLedger::open(dir.path())
        .err()
        .expect("truncation detected");
    assert!(matches!(err, caretrail_sdk::Error::Corrupt { .. }), "{err}");

    let foreign = tempfile::tempdir().unwrap();
    std::fs::write(
        foreign.path().join("ledger.sqlite"),
        b"this is not a database, it is a shopping list",
    )
    .unwrap();
    let err = EmbeddedLedger::open(foreign.path())
        .err()
        .expect("foreign file detected");
    assert!(matches!(err, caretrail_sdk::Error::Corrupt { .. }), "{err}");
}

/// The bank starts with the programs only and takes a persisted account when something names
/// it: a read, a transaction (its fee payer and every account it writes), a program-accounts
/// query (from the store); accounts written by fixtures while the ledger is open are seen too.
#[test]
fn persisted_accounts_come_into_the_bank_when_named() {
    use anchor_lang::solana_program::system_instruction;
    use caretrail_sdk::ledger::AccountFilter;
    use caretrail_sdk::solana_sdk::account::Account;
    let dir = tempfile::tempdir().unwrap();
    let payer = Keypair::new();
    let owner = Pubkey::new_unique();
    let filler: Vec<(Pubkey, Account)> = (0..5_000u32)
        .map(|i| {
            let account = Account {
                // Rent-exempt for 160 bytes (2,004,480 lamports), and distinct.
                lamports: 2_004_480 + u64::from(i),
                data: i.to_le_bytes().repeat(40),
                owner,
                executable: false,
                // What the runtime writes for a rent-exempt account.
                rent_epoch: u64::MAX,
            };
            (Pubkey::new_unique(), account)
        })
        .collect();
    {
        let ledger = EmbeddedLedger::open(dir.path()).unwrap();
        ledger
            .request_airdrop(&payer.pubkey(), LAMPORTS_PER_SOL)
            .unwrap();
        assert_eq!(
            ledger.minimum_balance_for_rent_exemption(160).unwrap(),
            2_004_480
        );
        ledger.set_accounts(&filler).unwrap();
        // Seen at once by the process that wrote them, before anything loaded them.
        assert_eq!(
            ledger.get_account(&filler[7].0).unwrap(),
            Some(filler[7].1.clone())
        );
    }
    let ledger = EmbeddedLedger::open(dir.path()).unwrap();
    assert_eq!(
        ledger.get_account(&filler[4_321].0).unwrap(),
        Some(filler[4_321].1.clone())
    );
    let found = ledger
        .get_program_accounts(&owner, &[AccountFilter::DataSize(160)])
        .unwrap();
    assert_eq!(found.len(), filler.len());
    // A transaction whose fee payer was persisted by the first process, paying into an
    // account of the store: both come from the file, and the result is persisted.
    let to = filler[99].0;
    caretrail_sdk::ledger::send_instructions(
        &ledger,
        &payer,
        &[],
        &[system_instruction::transfer(&payer.pubkey(), &to, 5)],
    )
    .unwrap();
    assert!(ledger.get_balance(&payer.pubkey()).unwrap() < LAMPORTS_PER_SOL - 5);
    drop(ledger);
    let ledger = EmbeddedLedger::open(dir.path()).unwrap();
    let mut expected = filler[99].1.clone();
    expected.lamports += 5;
    assert_eq!(ledger.get_account(&to).unwrap(), Some(expected));
}

/// Opening checks what takes constant time; `check` reads every page and names damage that
/// opening could not see.
#[test]
fn check_reads_every_page_and_finds_damage_deep_in_the_file() {
    use caretrail_sdk::solana_sdk::account::Account;
    let dir = tempfile::tempdir().unwrap();
    let owner = Pubkey::new_unique();
    {
        let ledger = EmbeddedLedger::open(dir.path()).unwrap();
        let accounts: Vec<(Pubkey, Account)> = (0..4_000u32)
            .map(|i| {
                let account = Account {
                    lamports: 1,
                    data: i.to_le_bytes().repeat(50),
                    owner,
                    executable: false,
                    rent_epoch: 0,
                };
                (Pubkey::new_unique(), account)
            })
            .collect();
        ledger.set_accounts(&accounts).unwrap();
        ledger.check().expect("a sound ledger checks out");
    }
    let file = dir.path().join("ledger.sqlite");
    let mut bytes = std::fs::read(&file).unwrap();
    let (page, pages) = (4096, bytes.len() / 4096);
    assert!(pages > 100, "a ledger of many pages: {pages}");
    // Damage the b-tree headers of pages in the last half (account rows and their indexes).
    for p in (pages / 2..pages).step_by(7) {
        for b in bytes.iter_mut().skip(p * page).take(16) {
            *b ^= 0x5a;
        }
    }
    std::fs::write(&file, &bytes).unwrap();
    let ledger =
        EmbeddedLedger::open(dir.path()).expect("opening checks constant-time things only");
    let err = ledger.check().expect_err("damage found");
    assert!(matches!(err, caretrail_sdk::Error::Corrupt { .. }), "{err}");
}

#[test]
fn a_ledger_in_use_is_not_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let _first = EmbeddedLedger::open(dir.path()).unwrap();
    let err = EmbeddedLedger::open(dir.path())
        .err()
        .expect("second open refused");
    assert!(matches!(err, caretrail_sdk::Error::Locked { .. }), "{err}");
}

/// A ledger that asks for a priority fee (as `RpcLedger::with_compute_unit_price` does) over
/// the embedded bank: `send_instructions` puts `SetComputeUnitPrice` first in every
/// transaction, the bank charges it, and the caretrail instruction after it still runs.
#[test]
fn a_priority_fee_is_added_to_every_transaction_sent() {
    use caretrail_sdk::ledger::{AccountFilter, TxOutcome, TxRecord};
    use caretrail_sdk::solana_sdk::{
        account::Account, clock::Clock, hash::Hash, transaction::Transaction,
    };
    struct Priced(EmbeddedLedger);
    impl Ledger for Priced {
        fn describe(&self) -> String {
            self.0.describe()
        }
        fn is_embedded(&self) -> bool {
            true
        }
        fn latest_blockhash(&self) -> caretrail_sdk::Result<Hash> {
            self.0.latest_blockhash()
        }
        fn new_blockhash(&self, previous: &Hash) -> caretrail_sdk::Result<Hash> {
            self.0.new_blockhash(previous)
        }
        fn send_transaction(&self, tx: &Transaction) -> caretrail_sdk::Result<TxOutcome> {
            self.0.send_transaction(tx)
        }
        fn get_account(&self, address: &Pubkey) -> caretrail_sdk::Result<Option<Account>> {
            self.0.get_account(address)
        }
        fn get_program_accounts(
            &self,
            program: &Pubkey,
            filters: &[AccountFilter],
        ) -> caretrail_sdk::Result<Vec<(Pubkey, Account)>> {
            self.0.get_program_accounts(program, filters)
        }
        fn request_airdrop(&self, to: &Pubkey, lamports: u64) -> caretrail_sdk::Result<()> {
            self.0.request_airdrop(to, lamports)
        }
        fn get_clock(&self) -> caretrail_sdk::Result<Clock> {
            self.0.get_clock()
        }
        fn minimum_balance_for_rent_exemption(&self, len: usize) -> caretrail_sdk::Result<u64> {
            self.0.minimum_balance_for_rent_exemption(len)
        }
        fn transactions_for_address(
            &self,
            address: &Pubkey,
            limit: usize,
        ) -> caretrail_sdk::Result<Vec<TxRecord>> {
            self.0.transactions_for_address(address, limit)
        }
        fn transaction(
            &self,
            signature: &caretrail_sdk::solana_sdk::signature::Signature,
        ) -> caretrail_sdk::Result<Option<TxRecord>> {
            self.0.transaction(signature)
        }
        fn compute_unit_price(&self) -> Option<u64> {
            Some(1_000_000)
        }
    }
    let ledger =
        Priced(EmbeddedLedger::in_memory(caretrail_sdk::ClockMode::Manual(1_780_272_000)).unwrap());
    let authority = Keypair::new();
    ledger
        .request_airdrop(&authority.pubkey(), LAMPORTS_PER_SOL)
        .unwrap();
    let before = ledger.get_balance(&authority.pubkey()).unwrap();
    RegistryClient::new(&ledger, &authority)
        .initialize(&authority)
        .unwrap();
    let history = ledger
        .transactions_for_address(&reg::config_pda().0, 10)
        .unwrap();
    let programs: Vec<String> = history[0]
        .instructions
        .iter()
        .map(|i| i.program.to_string())
        .collect();
    assert_eq!(
        programs,
        [
            "ComputeBudget111111111111111111111111111111".to_string(),
            reg::PROGRAM_ID.to_string()
        ]
    );
    assert!(reg::fetch_config(&ledger).unwrap().is_some());
    // The fee is more than the base 5,000 lamports: the priority fee was charged.
    let rent = ledger
        .minimum_balance_for_rent_exemption(
            8 + <registry::state::RegistryConfig as anchor_lang::Space>::INIT_SPACE,
        )
        .unwrap();
    let spent = before - ledger.get_balance(&authority.pubkey()).unwrap() - rent;
    assert!(spent > 5_000, "fee {spent}");
}
