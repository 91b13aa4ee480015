//! Seeds, codes and limits of the claims program.

/// `["payer", authority]`.
pub const SEED_PAYER: &[u8] = b"payer";
/// `["vault", payer]`: the payer's token account, owned by the payer PDA.
pub const SEED_VAULT: &[u8] = b"vault";
/// `["coverage", payer, member_commitment]`.
pub const SEED_COVERAGE: &[u8] = b"coverage";
/// `["claim", payer, provider, claim_id_hash]`: claim ids are the provider's own, so another
/// provider can never take them; `claim_id_hash = sha256(provider salt ‖ claim id)`.
pub const SEED_CLAIM: &[u8] = b"claim";
/// `["evidence", unit]`: the live claim a dispensed unit backs (at most one).
pub const SEED_EVIDENCE: &[u8] = b"evidence";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Most adjudicators a payer names.
pub const MAX_ADJUDICATORS: usize = 3;

/// Seconds per day.
pub const DAY: i64 = 86_400;
/// Seconds per hour (the payout window's granularity).
pub const HOUR: i64 = 3_600;
/// Hourly buckets of the rolling payout window: the current hour and the 24 before it, so any
/// two payments less than 24 hours apart are counted together.
pub const WINDOW_HOURS: usize = 25;

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
