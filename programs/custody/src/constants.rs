//! Seeds and limits of the custody program. Seed prefixes are distinct across caretrail.

/// `["lot", gtin (14 ASCII digits), lot_hash (32)]`.
pub const SEED_LOT: &[u8] = b"lot";
/// `["unit", sha256(gtin ‖ serial)]` for a saleable unit, `["unit", sscc (18 ASCII digits)]`
/// for a case or pallet.
pub const SEED_UNIT: &[u8] = b"unit";
/// `["hop", unit, hop_index u32 LE]`.
pub const SEED_HOP: &[u8] = b"hop";
/// `["package_hop", package tree, leaf index u32 LE, hop index u32 LE]`: a compressed
/// package's pending hop.
pub const SEED_PACKAGE_HOP: &[u8] = b"package_hop";
/// `["package_quarantine", package tree, leaf index u32 LE]`: who quarantined a compressed
/// package (exists while it is quarantined).
pub const SEED_PACKAGE_QUARANTINE: &[u8] = b"package_quarantine";
/// `["quarantine", unit]`: who quarantined a suspect unit (exists while it is quarantined).
pub const SEED_QUARANTINE: &[u8] = b"quarantine";
/// `["storage", lot]`: the lot's storage condition (a temperature range).
pub const SEED_STORAGE: &[u8] = b"storage";
/// The suspect reason code of a quarantine at receipt for a temperature excursion.
pub const REASON_TEMPERATURE_EXCURSION: u16 = 900;

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// GTIN-14 length in ASCII digits.
pub const GTIN_LEN: usize = 14;
/// SSCC length in ASCII digits.
pub const SSCC_LEN: usize = 18;
/// A sender may take back a shipment its receiver has neither received nor refused after this
/// many seconds (30 days).
pub const SHIPMENT_TIMEOUT: i64 = 30 * 24 * 60 * 60;

/// Length of a shipment reference (the first 16 bytes of sha256 of the ASN / despatch advice).
pub const SHIPMENT_REF_LEN: usize = 16;

/// Most units commissioned, aggregated or disaggregated by one instruction (a 1,232-byte
/// transaction fits fewer anyway).
pub const MAX_BATCH: usize = 24;

/// Most packages commissioned into a tree by one instruction (32 bytes each, about 7,800
/// compute units each on SBF: a transaction that raises its compute limit fits up to this).
pub const MAX_PACKAGE_BATCH: usize = 32;

/// Roles that may hold custody of product (DSCSA trading partners).
pub const CUSTODIAN_ROLES: u16 = registry::constants::roles::TRADING_PARTNER;
/// Roles that commission units.
pub const COMMISSIONER_ROLES: u16 =
    registry::constants::roles::MANUFACTURER | registry::constants::roles::REPACKAGER;
