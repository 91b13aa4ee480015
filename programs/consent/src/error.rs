use anchor_lang::prelude::*;

/// Consent errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum ConsentError {
    #[msg("signer is not the program authority")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
}
