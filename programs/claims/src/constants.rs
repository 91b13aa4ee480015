//! Seeds, codes and limits of the claims program.

/// Seed of the [`crate::state::ClaimsConfig`] PDA: `["claims_config"]`.
pub const SEED_CONFIG: &[u8] = b"claims_config";
/// `["payer", authority]`.
pub const SEED_PAYER: &[u8] = b"payer";
/// `["vault", payer]`: the payer's token account, owned by the payer PDA.
pub const SEED_VAULT: &[u8] = b"vault";
/// `["coverage", payer, member_commitment]`.
pub const SEED_COVERAGE: &[u8] = b"coverage";
/// `["claim", payer, sha256(claim id)]`.
pub const SEED_CLAIM: &[u8] = b"claim";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Most adjudicators a payer names.
pub const MAX_ADJUDICATORS: usize = 3;

/// Seconds per day (the daily payout window is the UTC day).
pub const DAY: i64 = 86_400;

/// X12 837 CLM05-3 claim frequency codes.
pub mod frequency {
    pub const ORIGINAL: u8 = 1;
    pub const REPLACEMENT: u8 = 7;
    pub const VOID: u8 = 8;
}

/// CARC codes caretrail itself applies.
pub mod carc {
    /// Deductible amount.
    pub const DEDUCTIBLE: u16 = 1;
    /// Benefit maximum for this time period has been reached.
    pub const BENEFIT_MAXIMUM: u16 = 119;
}

/// Roles that bill a payer.
pub const BILLING_ROLES: u16 =
    registry::constants::roles::PROVIDER | registry::constants::roles::DISPENSER;
