use anchor_lang::prelude::*;

/// Claims errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum ClaimsError {
    #[msg("signer is not authorized for this action")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("this claim id was already submitted to this payer")]
    DuplicateClaim,
    #[msg("amounts must be positive and approved may not exceed billed")]
    InvalidAmount,
    #[msg("the claim is not in a state that allows this")]
    InvalidTransition, // 6005
    #[msg("the claim was already paid")]
    AlreadyPaid,
    #[msg("an adjudicator must sign approvals above the auto-approve limit")]
    AdjudicatorRequired,
    #[msg("the daily payout limit would be exceeded")]
    DailyLimitExceeded,
    #[msg("the appeal window has closed")]
    AppealWindowClosed,
    #[msg("a denial or partial approval needs a CARC reason code")]
    ReasonRequired, // 6010
    #[msg("coverage is not active for this date")]
    CoverageInactive,
    #[msg("the coverage belongs to another payer")]
    CoverageMismatch,
    #[msg("the consent grant does not permit payment (HPAYMT) for this provider and patient")]
    ConsentNotValid,
    #[msg("the unit was not dispensed by this provider")]
    UnitNotDispensed,
    #[msg("wrong mint, vault or token account")]
    TokenMismatch, // 6015
    #[msg("too many adjudicators")]
    TooManyAdjudicators,
    #[msg("invalid coverage terms")]
    InvalidCoverage,
    #[msg("a replacement names the claim it replaces; an original names none")]
    InvalidFrequency,
    #[msg("the replaced claim belongs to another payer or provider, or was already settled")]
    InvalidReplacement,
    #[msg("participant account belongs to another wallet")]
    ParticipantMismatch, // 6020
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked,
    #[msg("participant credential has expired")]
    ParticipantExpired,
    #[msg("participant does not hold a role allowed for this action")]
    RoleNotAllowed,
    #[msg("the payer is already initialized")]
    AlreadyInitialized, // 6025
    #[msg("this member is already enrolled with this payer")]
    AlreadyEnrolled,
    #[msg("vault balance does not cover the payment")]
    InsufficientVault,
    #[msg("Token-2022 mints with transfer fees, transfer hooks, a permanent delegate, default-frozen accounts or other unsupported extensions cannot back a vault")]
    UnsupportedMint,
    #[msg("payments of this payer are paused")]
    PaymentsPaused,
    #[msg("the signer is not the pending payer authority")]
    NotPendingAuthority,
    #[msg("the withdrawal would leave the vault short of what approved, unpaid claims need")]
    WithdrawalTooLarge,
    #[msg("this payer requires claims to name an active HPAYMT consent grant")]
    ConsentRequired,
    #[msg("this payer requires claims to name a unit the provider dispensed")]
    DispensedUnitRequired,
    #[msg("this dispensed unit already backs a live claim")]
    UnitAlreadyClaimed,
    #[msg("the evidence account is not the one of this claim's unit")]
    EvidenceMismatch,
    #[msg("unknown requirement bits")]
    InvalidRequirements,
}

registry::participant_errors!(ClaimsError);
