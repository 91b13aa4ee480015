//! Seeds and limits of the claims program.

/// Seed of the [`crate::state::ClaimsConfig`] PDA: `["claims_config"]`.
pub const SEED_CONFIG: &[u8] = b"claims_config";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;
