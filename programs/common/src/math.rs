//! Checked arithmetic, trait style (drift's `SafeMath`): `a.safe_add(b)?`. Every caretrail
//! program instantiates the trait once with its own `MathOverflow` error code, so an overflow
//! is reported by the program where it happened:
//!
//! ```ignore
//! caretrail_common::safe_math!(crate::error::ConsentError::MathOverflow);
//! // then: use crate::math::SafeMath; count.safe_add(1)?
//! ```
//!
//! Each method is `#[track_caller]`: the failing call site is logged.

/// Defines a `math` module with a `SafeMath` trait for `u16`, `u32`, `u64` and `i64` whose methods fail
/// with the given error on overflow (or on a subtraction below zero for unsigned types).
#[macro_export]
macro_rules! safe_math {
    ($overflow:expr) => {
        /// Checked arithmetic: every method fails with this program's `MathOverflow`.
        pub mod math {
            use anchor_lang::prelude::*;

            #[track_caller]
            #[cold]
            fn overflow() -> anchor_lang::error::Error {
                let location = ::core::panic::Location::caller();
                msg!("math overflow at {}:{}", location.file(), location.line());
                $overflow.into()
            }

            /// `safe_add`, `safe_sub`, `safe_mul`: the checked operation or `MathOverflow`.
            pub trait SafeMath: Sized {
                fn safe_add(self, rhs: Self) -> Result<Self>;
                fn safe_sub(self, rhs: Self) -> Result<Self>;
                fn safe_mul(self, rhs: Self) -> Result<Self>;
            }

            $crate::__impl_safe_math!(u16, u32, u64, i64);
        }
    };
}

/// The `SafeMath` impls of [`safe_math!`] (an implementation detail; `overflow()` is the
/// function that macro defines beside them).
#[doc(hidden)]
#[macro_export]
macro_rules! __impl_safe_math {
    ($($t:ty),*) => {$(
        impl SafeMath for $t {
            #[track_caller]
            #[inline(always)]
            fn safe_add(self, rhs: Self) -> Result<Self> {
                self.checked_add(rhs).ok_or_else(overflow)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_sub(self, rhs: Self) -> Result<Self> {
                self.checked_sub(rhs).ok_or_else(overflow)
            }
            #[track_caller]
            #[inline(always)]
            fn safe_mul(self, rhs: Self) -> Result<Self> {
                self.checked_mul(rhs).ok_or_else(overflow)
            }
        }
    )*};
}
