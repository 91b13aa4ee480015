//! The embedded ledger: persistence across processes, history, corruption and lock detection.

use caretrail_sdk::ledger::{EmbeddedLedger, Ledger};
use caretrail_sdk::registry::{self as reg, roles, RegistryClient};
use caretrail_tests::participant_args;
use solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};

#[test]
fn state_history_and_clock_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let authority = Keypair::new();
    let wallet = Keypair::new();
    let (slot_before, time_before, tx_count);
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
        slot_before = ledger.get_clock().unwrap().slot;
        time_before = now;
        tx_count = ledger.transaction_count().unwrap();
        assert_eq!(tx_count, 3);
    }
    let ledger = EmbeddedLedger::open(dir.path()).unwrap();
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

#[test]
fn a_ledger_in_use_is_not_opened_twice() {
    let dir = tempfile::tempdir().unwrap();
    let _first = EmbeddedLedger::open(dir.path()).unwrap();
    let err = EmbeddedLedger::open(dir.path())
        .err()
        .expect("second open refused");
    assert!(matches!(err, caretrail_sdk::Error::Locked { .. }), "{err}");
}
