use anchor_lang::prelude::*;

/// Consent errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum ConsentError {
    #[msg("signer is not the patient nor an authorized delegate")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("classes, actions and purposes must be non-empty sets of defined codes")]
    InvalidScope,
    #[msg("the period must end after it starts and in the future")]
    InvalidPeriod,
    #[msg("a patient cannot be their own grantee")]
    SelfGrant, // 6005
    #[msg("the grant is not active")]
    GrantNotActive,
    #[msg("the grant is not a pending request")]
    NotProposed,
    #[msg("the grant was revoked")]
    GrantRevoked,
    #[msg("the grant has expired")]
    GrantExpired,
    #[msg("the grant's period has not started")]
    GrantNotYetValid, // 6010
    #[msg("the grant does not cover this data class")]
    ClassNotCovered,
    #[msg("the grant does not cover this action")]
    ActionNotCovered,
    #[msg("the grant does not cover this purpose")]
    PurposeNotCovered,
    #[msg("only the grantee records access under a grant")]
    NotGrantee,
    #[msg("widening a grant needs the patient's signature")]
    WideningNeedsPatient, // 6015
    #[msg("the delegate is outside its scope")]
    DelegateOutOfScope,
    #[msg("the delegation has expired")]
    DelegateExpired,
    #[msg("the delegate account does not belong to this patient and signer")]
    DelegateMismatch,
    #[msg("an active, unexpired grant cannot be closed")]
    GrantStillActive,
    #[msg("break-glass access lasts at most 24 hours")]
    EmergencyTooLong, // 6020
    #[msg("break-glass access is for emergency treatment (ETREAT) only")]
    EmergencyPurpose,
    #[msg("this grant is not an unreviewed emergency grant")]
    NotUnreviewedEmergency,
    #[msg("nothing to amend")]
    EmptyAmendment,
    #[msg("not a single code")]
    InvalidCode,
    #[msg("participant account belongs to another wallet")]
    ParticipantMismatch, // 6025
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked,
    #[msg("participant credential has expired")]
    ParticipantExpired,
    #[msg("participant does not hold a role allowed for this action")]
    RoleNotAllowed,
    #[msg("the patient account does not match the grant")]
    PatientMismatch, // 6030
    #[msg("a grant with this id already exists for this patient and grantee")]
    GrantIdInUse,
    #[msg("the delegation under which this grant was made was removed or has expired")]
    DelegationEnded,
    #[msg("this provider's last break-glass grant for this patient has not expired yet")]
    EmergencyStillOpen, // 6034
    #[msg("the patient has too many unreviewed break-glass grants; break-glass is refused until the patient reviews them")]
    TooManyUnreviewedEmergencies,
    #[msg("an unreviewed break-glass grant cannot be closed; the patient reviews it first")]
    EmergencyUnreviewed,
    #[msg("the record version read is not under the anchored batch's root")]
    VersionNotAnchored, // 6037
}

registry::participant_errors!(ConsentError);
