#![allow(deprecated)] // solana-program-test marks its API "agave unstable" from 3.1 on; we pin =3.1.12.
//! The six caretrail programs as native processors, for the in-process Agave bank (feature
//! `embedded`).
//!
//! Process-global effects, only when a bank is started or a host asks for them:
//! [`program_test_from`] sets `RUST_LOG=error` when it is unset (program-test would otherwise log
//! every instruction) and `SBF_OUT_DIR` when SBF builds are loaded, and installs the bank's
//! logger ([`quiet_bank_logs`]); [`reserve_stdout`] points file descriptor 1 elsewhere (natively,
//! the programs' `msg!` lines are `println!`s of this process).
//!
//! Anchor 1.x's generated `entry<'info>` ties the program id, the account slice and the data
//! to one lifetime, while the runtime shim of solana-program-test hands them with distinct,
//! shorter ones. They all stay alive for the whole call and Anchor keeps no reference past it,
//! so the wrappers below widen the lifetimes before delegating.

use anchor_lang::solana_program::{account_info::AccountInfo, entrypoint::ProgramResult};
use solana_program_test::{processor, ProgramTest};
use solana_sdk::pubkey::Pubkey;

pub use crate::programs::{program_name, PROGRAM_IDS};

macro_rules! native_entry {
    ($name:ident, $program:ident) => {
        fn $name(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
            // SAFETY: see the module docs; the references outlive this call.
            let (program_id, accounts, data): (
                &'static Pubkey,
                &'static [AccountInfo<'static>],
                &'static [u8],
            ) = unsafe { std::mem::transmute((program_id, accounts, data)) };
            $program::entry(program_id, accounts, data)
        }
    };
}

native_entry!(registry_entry, registry);
native_entry!(consent_entry, consent);
native_entry!(custody_entry, custody);
native_entry!(claims_entry, claims);
native_entry!(records_entry, records);
native_entry!(trials_entry, trials);

/// A `ProgramTest` with the six programs as native processors. SPL Token, Token-2022 and the
/// Associated Token Account program are part of every program-test bank (real SBF builds).
pub fn program_test() -> ProgramTest {
    program_test_from(None)
}

/// Like [`program_test`], or, given a directory of the six programs' `.so` files
/// (`registry.so`, `consent.so`, …, from `anchor build`'s `target/deploy`), with those SBF
/// builds loaded
/// instead of the native processors, so the bank meters their compute units.
pub fn program_test_from(sbf_dir: Option<&std::path::Path>) -> ProgramTest {
    if let Some(dir) = sbf_dir {
        // program-test looks for `<name>.so` in SBF_OUT_DIR.
        std::env::set_var("SBF_OUT_DIR", dir);
    }
    // ProgramTest::default() turns on debug logs of every instruction unless RUST_LOG says
    // otherwise; concurrent banks (tests) would race with quiet_bank_logs() below.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let mut pt = ProgramTest::default();
    quiet_bank_logs();
    pt.prefer_bpf(sbf_dir.is_some());
    if sbf_dir.is_some() {
        for (name, id) in [
            ("registry", registry::ID),
            ("consent", consent::ID),
            ("custody", custody::ID),
            ("claims", claims::ID),
            ("records", records::ID),
            ("trials", trials::ID),
        ] {
            pt.add_program(name, id, None);
        }
    } else {
        pt.add_program("registry", registry::ID, processor!(registry_entry));
        pt.add_program("consent", consent::ID, processor!(consent_entry));
        pt.add_program("custody", custody::ID, processor!(custody_entry));
        pt.add_program("claims", claims::ID, processor!(claims_entry));
        pt.add_program("records", records::ID, processor!(records_entry));
        pt.add_program("trials", trials::ID, processor!(trials_entry));
    }
    pt
}

/// Quietens the bank's own logging (program-test turns on debug logs of every instruction)
/// unless `RUST_LOG` asks for it.
pub fn quiet_bank_logs() {
    agave_logger::setup_with_default("error");
}

/// Sets the process's standard output aside for the caller's own results and returns it.
///
/// Natively, the programs' `msg!` lines (Anchor's `Instruction: …`, error logs) are plain
/// `println!`s of this process. Hosts whose stdout is an interface (the CLI's JSON, the
/// benchmark's table) call this once at start: file descriptor 1 then points at /dev/null, or
/// at stderr when `CARETRAIL_PROGRAM_LOGS` is set, and they write their results to the
/// returned file.
pub fn reserve_stdout() -> Option<std::fs::File> {
    #[cfg(unix)]
    {
        use std::io::Write;
        use std::os::fd::FromRawFd;
        // SAFETY: plain descriptor duplication on descriptors this process owns.
        unsafe {
            let real = libc::dup(1);
            if real < 0 {
                return None;
            }
            let target = if std::env::var_os("CARETRAIL_PROGRAM_LOGS").is_some() {
                libc::dup(2)
            } else {
                libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY)
            };
            if target < 0 {
                libc::close(real);
                return None;
            }
            let _ = std::io::stdout().flush();
            libc::dup2(target, 1);
            libc::close(target);
            Some(std::fs::File::from_raw_fd(real))
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// The programs' recent native log lines (their `msg!`s), kept by [`reserve_stdout_capturing`].
pub type ProgramLines = std::sync::Arc<std::sync::Mutex<std::collections::VecDeque<String>>>;

/// Like [`reserve_stdout`], but file descriptor 1 becomes a pipe whose lines (the programs'
/// native `msg!`s, e.g. Anchor's `AnchorError caused by account: …`) are kept, the last 200,
/// for a host to explain a failure with (and copied to stderr with `CARETRAIL_PROGRAM_LOGS`).
pub fn reserve_stdout_capturing() -> Option<(std::fs::File, ProgramLines)> {
    #[cfg(unix)]
    {
        use std::io::{BufRead, Write};
        use std::os::fd::FromRawFd;
        let lines: ProgramLines = Default::default();
        // SAFETY: plain descriptor duplication on descriptors this process owns.
        unsafe {
            let real = libc::dup(1);
            if real < 0 {
                return None;
            }
            let mut fds = [0i32; 2];
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                libc::close(real);
                return None;
            }
            let _ = std::io::stdout().flush();
            libc::dup2(fds[1], 1);
            libc::close(fds[1]);
            let read = std::fs::File::from_raw_fd(fds[0]);
            let keep = lines.clone();
            let echo = std::env::var_os("CARETRAIL_PROGRAM_LOGS").is_some();
            std::thread::spawn(move || {
                for line in std::io::BufReader::new(read).lines() {
                    let Ok(line) = line else { break };
                    if echo {
                        eprintln!("{line}");
                    }
                    let mut k = keep.lock().unwrap_or_else(|e| e.into_inner());
                    if k.len() == 200 {
                        k.pop_front();
                    }
                    k.push_back(line);
                }
            });
            Some((std::fs::File::from_raw_fd(real), lines))
        }
    }
    #[cfg(not(unix))]
    {
        None
    }
}
