//! Integration-test harness: a real Agave bank (the SDK's embedded ledger, in memory, with a
//! manual clock) running the four caretrail programs natively plus SPL Token, Token-2022 and
//! the Associated Token Account program as SBF; funded keypairs; send-and-assert helpers that
//! check exact error codes and the program that raised them; clock warp; small fixtures.

use anchor_lang::prelude::Pubkey;
use caretrail_sdk::ledger::{
    send_instructions, ClockMode, EmbeddedLedger, Ledger, LedgerError, LedgerResult, TxOutcome,
};
use caretrail_sdk::registry::{self as reg, RegisterParticipantArgs, RegistryClient};
use solana_sdk::{
    instruction::{Instruction, InstructionError},
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
    transaction::TransactionError,
};

pub use caretrail_sdk;

/// Unix time the harness clock starts at (2026-06-01T00:00:00Z).
pub const T0: i64 = 1_780_272_000;
/// One day in seconds.
pub const DAY: i64 = 86_400;
/// A valid GLN (GS1 example 0614141000005) and more derived from it.
pub const GLN_A: &str = "0614141000005";

/// A fresh bank per test.
pub struct Harness {
    pub ledger: EmbeddedLedger,
    /// Pays fees and rent unless a test says otherwise.
    pub payer: Keypair,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Harness {
        let ledger = EmbeddedLedger::in_memory(ClockMode::Manual(T0)).expect("start bank");
        let payer = Keypair::new();
        ledger
            .request_airdrop(&payer.pubkey(), 1_000 * LAMPORTS_PER_SOL)
            .expect("fund payer");
        Harness { ledger, payer }
    }

    /// A new keypair holding 10 SOL.
    pub fn funded(&self) -> Keypair {
        let k = Keypair::new();
        self.ledger
            .request_airdrop(&k.pubkey(), 10 * LAMPORTS_PER_SOL)
            .expect("airdrop");
        k
    }

    /// Sends `ixs` paid by the harness payer, signed also by `signers`.
    pub fn send(&self, signers: &[&Keypair], ixs: &[Instruction]) -> LedgerResult<TxOutcome> {
        send_instructions(&self.ledger, &self.payer, signers, ixs)
    }

    pub fn now(&self) -> i64 {
        self.ledger.get_clock().expect("clock").unix_timestamp
    }

    /// Moves the bank clock by `seconds`.
    pub fn warp(&self, seconds: i64) {
        self.ledger.warp_clock(seconds).expect("warp");
    }

    pub fn registry(&self) -> RegistryClient<'_> {
        RegistryClient::new(&self.ledger, &self.payer)
    }

    /// Initializes the registry; returns its authority.
    pub fn init_registry(&self) -> Keypair {
        let authority = self.funded();
        self.registry()
            .initialize(&authority)
            .expect("initialize registry");
        authority
    }

    /// Registers a new funded wallet with `roles`, valid for a year.
    pub fn participant(&self, authority: &Keypair, roles: u16) -> Keypair {
        let wallet = self.funded();
        self.registry()
            .register(
                authority,
                participant_args(&wallet.pubkey(), roles, self.now() + 365 * DAY),
            )
            .expect("register participant");
        wallet
    }
}

/// Registration arguments with a valid GLN and a non-zero commitment.
pub fn participant_args(wallet: &Pubkey, roles: u16, valid_until: i64) -> RegisterParticipantArgs {
    RegisterParticipantArgs {
        wallet: *wallet,
        roles,
        gln: reg::parse_gln(GLN_A).unwrap(),
        credential_commitment: caretrail_sdk::hash::commit(&[9; 32], wallet.as_ref()),
        valid_until,
    }
}

/// Asserts the transaction failed in `program` with custom error `code` (a program error enum
/// value, an Anchor `ErrorCode`, or a raw number for system/token programs).
#[track_caller]
pub fn expect_error(
    result: LedgerResult<TxOutcome>,
    program: &Pubkey,
    code: impl Into<u32>,
) -> LedgerError {
    let code = code.into();
    match result {
        Ok(o) => panic!(
            "expected error {code} from {program}, but the transaction succeeded: {:?}",
            o.logs
        ),
        Err(e) => {
            let got = e.custom_error().map(|(_, c)| c);
            let failing = match &e {
                LedgerError::Transaction { logs, .. } => {
                    caretrail_sdk::error::failing_program(logs)
                }
                _ => None,
            };
            assert_eq!(got, Some(code), "wrong error: {e}");
            assert_eq!(
                failing.as_ref(),
                Some(program),
                "error raised by another program: {e}"
            );
            e
        }
    }
}

/// Asserts the transaction failed with a runtime instruction error (not a custom code).
#[track_caller]
pub fn expect_instruction_error(result: LedgerResult<TxOutcome>, expected: InstructionError) {
    match result {
        Ok(_) => panic!("expected {expected:?}, but the transaction succeeded"),
        Err(e) => match e.transaction_error() {
            Some(TransactionError::InstructionError(_, got)) => assert_eq!(*got, expected, "{e}"),
            _ => panic!("expected {expected:?}, got {e}"),
        },
    }
}
