//! Seeds, limits and role bits of the registry. Every PDA seed prefix of caretrail is distinct
//! across the caretrail programs (`registry`, `participant` here).

/// Seed of the singleton [`crate::state::Registry`] config PDA: `["registry"]`.
pub const SEED_REGISTRY: &[u8] = b"registry";
/// Seed of a [`crate::state::Participant`] PDA: `["participant", wallet]`.
pub const SEED_PARTICIPANT: &[u8] = b"participant";

/// Seed of a [`crate::state::CompanyPrefix`] PDA: `["gs1_prefix", prefix (12 bytes: the
/// prefix's ASCII digits, zero-padded)]`.
pub const SEED_PREFIX: &[u8] = b"gs1_prefix";
/// Longest GS1 Company Prefix, in digits (the seed's fixed length).
pub const PREFIX_LEN: usize = 12;
/// Shortest GS1 Company Prefix caretrail accepts, in digits.
pub const MIN_PREFIX_DIGITS: usize = 4;

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Length of a GLN (GS1 Global Location Number), in ASCII digits.
pub const GLN_LEN: usize = caretrail_common::gs1::GLN_LEN;

/// Role bits of a participant (`roles` bitmask). A wallet may hold several.
pub mod roles {
    /// Manufacturer: registers lots and commissions serialized units.
    pub const MANUFACTURER: u16 = 1 << 0;
    /// Repackager: commissions units of repackaged product.
    pub const REPACKAGER: u16 = 1 << 1;
    /// Wholesale distributor.
    pub const DISTRIBUTOR: u16 = 1 << 2;
    /// Dispenser (pharmacy): the only role that dispenses to patients.
    pub const DISPENSER: u16 = 1 << 3;
    /// Third-party logistics provider (holds custody, never ownership).
    pub const LOGISTICS: u16 = 1 << 4;
    /// Healthcare provider (clinician or organization).
    pub const PROVIDER: u16 = 1 << 5;
    /// Researcher.
    pub const RESEARCHER: u16 = 1 << 6;
    /// Payer (insurer).
    pub const PAYER: u16 = 1 << 7;
    /// Regulator: may act as a delegated registry administrator for non-regulator participants,
    /// and declares products illegitimate.
    pub const REGULATOR: u16 = 1 << 8;
    /// Clinical-trial sponsor: registers trials, amends them, locks their data, reports results.
    pub const SPONSOR: u16 = 1 << 9;

    /// Every defined role bit.
    pub const ALL: u16 = MANUFACTURER
        | REPACKAGER
        | DISTRIBUTOR
        | DISPENSER
        | LOGISTICS
        | PROVIDER
        | RESEARCHER
        | PAYER
        | REGULATOR
        | SPONSOR;

    /// Trading partners under DSCSA (may hold custody of product).
    pub const TRADING_PARTNER: u16 =
        MANUFACTURER | REPACKAGER | DISTRIBUTOR | DISPENSER | LOGISTICS;

    /// Names of the role bits, in bit order (used by clients for display and parsing).
    pub const NAMES: [(&str, u16); 10] = [
        ("manufacturer", MANUFACTURER),
        ("repackager", REPACKAGER),
        ("distributor", DISTRIBUTOR),
        ("dispenser", DISPENSER),
        ("logistics", LOGISTICS),
        ("provider", PROVIDER),
        ("researcher", RESEARCHER),
        ("payer", PAYER),
        ("regulator", REGULATOR),
        ("sponsor", SPONSOR),
    ];
}
