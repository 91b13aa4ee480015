use anchor_lang::prelude::*;

/// Records errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum RecordsError {
    #[msg("signer is not authorized for this action")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("a batch needs a non-zero root and between 1 and 2^24 leaves")]
    InvalidBatch,
    #[msg("this batch is already anchored")]
    BatchExists,
    #[msg("a proof may have at most 24 nodes")]
    ProofTooLong,
    #[msg("the leaf is not under the batch's root")]
    NotInBatch, // 6005
    #[msg("the successor must be the same record")]
    NotSameRecord,
    #[msg("the successor must be the next version")]
    NotNextVersion,
    #[msg("the successor must name the superseded version's leaf as its previous")]
    PreviousMismatch,
    #[msg("this version is already superseded")]
    AlreadySuperseded,
    #[msg("only the provider that anchored both batches may supersede")]
    NotBatchProvider, // 6010
    #[msg("participant account does not belong to the signer")]
    ParticipantMismatch,
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked,
    #[msg("participant registration has expired")]
    ParticipantExpired,
    #[msg("participant's roles do not allow this action")]
    RoleNotAllowed, // 6015
    #[msg("a version is a number from 1")]
    InvalidVersion,
}

registry::participant_errors!(RecordsError);
