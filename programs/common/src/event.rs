//! Event emission that works both on SBF and inside the native test bank.
//!
//! On SBF, `emit_event!` is Anchor's `emit!`: a `Program data: <base64>` log line carrying the
//! event discriminator and Borsh data. Natively (the in-process Agave bank of the embedded
//! ledger and the tests), Anchor's `emit!` is a no-op, so the same bytes are written through
//! the runtime's log collector (the syscall stubs of solana-program-test), where they appear as
//! `Program log: Program data: <base64>`. The SDK accepts that second form only from the
//! embedded ledger, never from a cluster.

/// Emits an Anchor event (see the module docs).
#[macro_export]
macro_rules! emit_event {
    ($event:expr) => {{
        #[cfg(target_os = "solana")]
        {
            ::anchor_lang::prelude::emit!($event);
        }
        #[cfg(not(target_os = "solana"))]
        {
            $crate::event::native_log_event(&$event);
        }
    }};
}

/// Native form of `emit!` (see the module docs).
#[cfg(not(target_os = "solana"))]
pub fn native_log_event<E: anchor_lang::Event>(event: &E) {
    use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine};
    let data = event.data();
    solana_sysvar::program_stubs::sol_log(&format!("Program data: {}", STANDARD.encode(data)));
}
