//! Seeds and limits of the consent program.

/// Seed of the [`crate::state::ConsentConfig`] PDA: `["consent_config"]`.
pub const SEED_CONFIG: &[u8] = b"consent_config";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;
