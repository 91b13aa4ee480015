//! Seeds and limits of the custody program.

/// Seed of the [`crate::state::CustodyConfig`] PDA: `["custody_config"]`.
pub const SEED_CONFIG: &[u8] = b"custody_config";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;
