//! Seeds and limits of the trials program. Seed prefixes are distinct across caretrail.

/// `["trial", sponsor, trial_id u64 LE]`.
pub const SEED_TRIAL: &[u8] = b"trial";
/// `["trial_amendment", trial, number u16 LE]` (numbers from 1; version 0 is the
/// registration, kept in the trial).
pub const SEED_AMENDMENT: &[u8] = b"trial_amendment";
/// `["trial_site", trial, investigator wallet]`.
pub const SEED_SITE: &[u8] = b"trial_site";
/// `["trial_enrolment", trial, consent grant]`: a grant enrols once. No patient key in it.
pub const SEED_ENROLMENT: &[u8] = b"trial_enrolment";
/// `["trial_lock", trial, index u16 LE]` (from 0).
pub const SEED_LOCK: &[u8] = b"trial_lock";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Roles that register and run trials.
pub const SPONSOR_ROLES: u16 = registry::constants::roles::SPONSOR;
/// Roles of investigators (lead and site).
pub const INVESTIGATOR_ROLES: u16 =
    registry::constants::roles::RESEARCHER | registry::constants::roles::PROVIDER;
/// The consent purpose a grant must cover to enrol (HL7 PurposeOfUse HRESCH).
pub const ENROLMENT_PURPOSE: u8 = consent::constants::purpose::HRESCH;
