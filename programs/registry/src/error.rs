use anchor_lang::prelude::*;

/// Registry errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum RegistryError {
    #[msg("signer is not the registry authority")]
    Unauthorized, // 6000
    #[msg("no authority handover is pending")]
    NoPendingAuthority,
    #[msg("signer is not the pending authority")]
    NotPendingAuthority,
    #[msg("the proposed authority is the current authority")]
    AuthorityUnchanged,
    #[msg("roles must be a non-empty subset of the defined role bits")]
    InvalidRoles,
    #[msg("GLN must be 13 ASCII digits")]
    InvalidGln, // 6005
    #[msg("GLN check digit is wrong")]
    GlnCheckDigit,
    #[msg("credential commitment must not be all zeros")]
    InvalidCommitment,
    #[msg("valid_until must be in the future")]
    InvalidValidity,
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked, // 6010
    #[msg("participant credential has expired")]
    ParticipantExpired,
    #[msg("participant does not hold the required role")]
    MissingRole,
    #[msg("participant account belongs to another wallet")]
    WalletMismatch,
    #[msg("participant is not suspended")]
    NotSuspended,
    #[msg("only the registry authority may manage regulators or grant the regulator role")]
    RegulatorScope, // 6015
    #[msg("the registry may only be initialized by the program's upgrade authority")]
    InitNotAllowed,
    #[msg("nothing to update")]
    EmptyUpdate,
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("participant account is not owned by the registry or is not a Participant")]
    NotAParticipant, // 6020
    #[msg("unsupported account version")]
    UnsupportedVersion,
    #[msg("the registry is already initialized")]
    AlreadyInitialized,
    #[msg("this wallet is already registered")]
    AlreadyRegistered,
    #[msg("a GS1 company prefix is 4 to 12 ASCII digits, zero-padded to 12 bytes")]
    InvalidPrefix,
    #[msg("this GS1 company prefix is already licensed to a participant")]
    PrefixTaken,
}
