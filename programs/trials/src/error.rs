use anchor_lang::prelude::*;

/// Trials errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum TrialsError {
    #[msg("signer is not authorized for this action")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("a trial needs non-zero protocol, outcome and eligibility hashes and a planned size")]
    InvalidTrial,
    #[msg("a trial with this id already exists for this sponsor")]
    TrialExists,
    #[msg("the trial is not in a state that allows this")]
    WrongStatus, // 6005
    #[msg("an amendment needs a reason code and must change something")]
    InvalidAmendment,
    #[msg("this site is already part of the trial")]
    SiteExists,
    #[msg("the signer is not an investigator of this trial")]
    NotInvestigator,
    #[msg("the consent grant is not to this investigator")]
    GrantNotToInvestigator,
    #[msg("the consent grant is not active now")]
    GrantNotActive, // 6010
    #[msg("the consent grant does not cover research (HRESCH)")]
    GrantNotForResearch,
    #[msg("this grant has already enrolled a participant in the trial")]
    AlreadyEnrolled,
    #[msg("a data lock needs a non-zero root and at least one record")]
    InvalidLock,
    #[msg("results need a non-zero hash and the outcomes in force")]
    ResultsOutcomeMismatch,
    #[msg("participant account does not belong to the signer")]
    ParticipantMismatch, // 6015
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked,
    #[msg("participant registration has expired")]
    ParticipantExpired,
    #[msg("participant's roles do not allow this action")]
    RoleNotAllowed,
    #[msg("the guardian's delegation this grant was made under has ended")]
    DelegationEnded, // 6020
}

registry::participant_errors!(TrialsError);
