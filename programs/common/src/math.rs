//! Checked arithmetic helpers (drift style). Every caretrail program instantiates them once with
//! its own `MathOverflow` error code, so an overflow is reported by the program where it
//! happened:
//!
//! ```ignore
//! registry::define_checked_math!(crate::error::ConsentError::MathOverflow);
//! // then: crate::math::add_u64(a, b)?
//! ```
//!
//! Each helper is `#[track_caller]`: the failing call site is logged.

/// Defines a `math` module of checked helpers returning the given error on overflow.
#[macro_export]
macro_rules! define_checked_math {
    ($overflow:expr) => {
        /// Checked arithmetic: every helper fails with this program's `MathOverflow`.
        pub mod math {
            use anchor_lang::prelude::*;

            #[track_caller]
            #[cold]
            fn overflow() -> anchor_lang::error::Error {
                let location = ::core::panic::Location::caller();
                msg!("math overflow at {}:{}", location.file(), location.line());
                $overflow.into()
            }

            /// `a + b` or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn add_u64(a: u64, b: u64) -> Result<u64> {
                a.checked_add(b).ok_or_else(overflow)
            }

            /// `a - b` or `MathOverflow` (never wraps below zero).
            #[track_caller]
            #[inline(always)]
            pub fn sub_u64(a: u64, b: u64) -> Result<u64> {
                a.checked_sub(b).ok_or_else(overflow)
            }

            /// `a * b` or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn mul_u64(a: u64, b: u64) -> Result<u64> {
                a.checked_mul(b).ok_or_else(overflow)
            }

            /// `a + b` for u32 counters or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn add_u32(a: u32, b: u32) -> Result<u32> {
                a.checked_add(b).ok_or_else(overflow)
            }

            /// `a - b` for u32 counters or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn sub_u32(a: u32, b: u32) -> Result<u32> {
                a.checked_sub(b).ok_or_else(overflow)
            }

            /// `a + b` for timestamps and durations or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn add_i64(a: i64, b: i64) -> Result<i64> {
                a.checked_add(b).ok_or_else(overflow)
            }

            /// `a - b` for timestamps and durations or `MathOverflow`.
            #[track_caller]
            #[inline(always)]
            pub fn sub_i64(a: i64, b: i64) -> Result<i64> {
                a.checked_sub(b).ok_or_else(overflow)
            }
        }
    };
}
