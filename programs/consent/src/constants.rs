//! Seeds, codes and limits of the consent program. Classes, actions and purposes are bit
//! codes over fixed lists (never free text), so nothing on chain is PHI.

/// `["grant", patient, grantee, grant_id u64 LE]`.
pub const SEED_GRANT: &[u8] = b"grant";
/// `["delegate", patient, guardian]`.
pub const SEED_DELEGATE: &[u8] = b"delegate";
/// `["patient", patient]`: per-patient counters (break-glass review).
pub const SEED_PATIENT: &[u8] = b"patient";
/// `["breakglass", patient, provider]`: the last break-glass grant of a provider for a patient.
pub const SEED_BREAKGLASS: &[u8] = b"breakglass";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Longest break-glass access: 24 hours.
pub const MAX_EMERGENCY_SECONDS: i64 = 24 * 60 * 60;

/// Unreviewed break-glass grants a patient may have before break-glass is refused until the
/// patient reviews them.
pub const MAX_UNREVIEWED_EMERGENCIES: u32 = 3;

/// Data classes (bit i = `CLASS_NAMES[i]`).
pub mod class {
    pub const DEMOGRAPHICS: u16 = 1 << 0;
    pub const CONDITIONS: u16 = 1 << 1;
    pub const MEDICATIONS: u16 = 1 << 2;
    pub const ALLERGIES: u16 = 1 << 3;
    pub const LABS: u16 = 1 << 4;
    pub const IMAGING: u16 = 1 << 5;
    pub const CLINICAL_NOTES: u16 = 1 << 6;
    pub const GENOMICS: u16 = 1 << 7;
    pub const MENTAL_HEALTH: u16 = 1 << 8;
    pub const SUBSTANCE_USE: u16 = 1 << 9;
    pub const SEXUAL_REPRODUCTIVE: u16 = 1 << 10;
    pub const IMMUNIZATIONS: u16 = 1 << 11;
    pub const ALL: u16 = (1 << 12) - 1;
    pub const NAMES: [&str; 12] = [
        "demographics",
        "conditions",
        "medications",
        "allergies",
        "labs",
        "imaging",
        "clinical-notes",
        "genomics",
        "mental-health",
        "substance-use",
        "sexual-reproductive-health",
        "immunizations",
    ];
}

/// FHIR consentaction codes (bit i = `NAMES[i]`).
pub mod action {
    pub const ACCESS: u8 = 1 << 0;
    pub const USE: u8 = 1 << 1;
    pub const DISCLOSE: u8 = 1 << 2;
    pub const CORRECT: u8 = 1 << 3;
    pub const ALL: u8 = (1 << 4) - 1;
    pub const NAMES: [&str; 4] = ["access", "use", "disclose", "correct"];
}

/// HL7 v3 PurposeOfUse codes (bit i = `NAMES[i]`).
pub mod purpose {
    pub const TREAT: u8 = 1 << 0;
    pub const ETREAT: u8 = 1 << 1;
    pub const HPAYMT: u8 = 1 << 2;
    pub const HOPERAT: u8 = 1 << 3;
    pub const HRESCH: u8 = 1 << 4;
    pub const PUBHLTH: u8 = 1 << 5;
    pub const PATRQT: u8 = 1 << 6;
    pub const ALL: u8 = (1 << 7) - 1;
    pub const NAMES: [&str; 7] = [
        "TREAT", "ETREAT", "HPAYMT", "HOPERAT", "HRESCH", "PUBHLTH", "PATRQT",
    ];
}

/// Roles that may hold a consent grant (providers, researchers, payers, dispensers).
pub const GRANTEE_ROLES: u16 = registry::constants::roles::PROVIDER
    | registry::constants::roles::RESEARCHER
    | registry::constants::roles::PAYER
    | registry::constants::roles::DISPENSER;
