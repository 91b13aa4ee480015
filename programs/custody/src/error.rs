use anchor_lang::prelude::*;

/// Custody errors. Codes are stable (6000 + index): clients and tests match on them.
#[error_code]
pub enum CustodyError {
    #[msg("signer is not authorized for this action")]
    Unauthorized, // 6000
    #[msg("account invariant violated")]
    InvariantViolation,
    #[msg("arithmetic overflow")]
    MathOverflow,
    #[msg("GTIN must be 14 digits with a valid check digit")]
    InvalidGtin,
    #[msg("SSCC must be 18 digits with a valid check digit")]
    InvalidSscc,
    #[msg("expiry must be in the future")]
    InvalidExpiry, // 6005
    #[msg("the lot is recalled")]
    LotRecalled,
    #[msg("the unit has expired")]
    UnitExpired,
    #[msg("a unit with this serial number was already commissioned")]
    DuplicateSerial,
    #[msg("the account is not the unit PDA of this serial")]
    UnitAddressMismatch,
    #[msg("batch must hold between 1 and MAX_BATCH units")]
    InvalidBatch, // 6010
    #[msg("signer does not hold the unit")]
    NotHolder,
    #[msg("the unit is in transit")]
    UnitInTransit,
    #[msg("the unit is not in transit")]
    NotInTransit,
    #[msg("the unit is quarantined as suspect")]
    UnitQuarantined,
    #[msg("the unit was already dispensed")]
    AlreadyDispensed, // 6015
    #[msg("the unit was decommissioned or destroyed")]
    UnitDecommissioned,
    #[msg("the unit was declared illegitimate")]
    UnitIllegitimate,
    #[msg("the shipment is addressed to another party")]
    NotAddressee,
    #[msg("the unit is inside an aggregate; act on the aggregate or unpack it first")]
    InsideAggregate,
    #[msg("the unit is already inside an aggregate")]
    AlreadyAggregated, // 6020
    #[msg("an aggregate must be a case (units) or a pallet (cases or units), and cannot contain itself")]
    InvalidNesting,
    #[msg("the unit is not inside this aggregate")]
    NotAChild,
    #[msg("the unit is not quarantined")]
    NotQuarantined,
    #[msg("the lot account does not belong to this unit")]
    LotMismatch,
    #[msg("a saleable unit needs its lot account")]
    LotRequired, // 6025
    #[msg("participant account belongs to another wallet")]
    ParticipantMismatch,
    #[msg("participant is suspended")]
    ParticipantSuspended,
    #[msg("participant is revoked")]
    ParticipantRevoked,
    #[msg("participant credential has expired")]
    ParticipantExpired,
    #[msg("participant does not hold a role allowed for this action")]
    RoleNotAllowed, // 6030
    #[msg("the lot is already recalled")]
    AlreadyRecalled,
    #[msg("sender and receiver are the same party")]
    SelfShipment,
    #[msg("an aggregate that still holds units cannot be dispensed or decommissioned")]
    AggregateNotEmpty,
    #[msg("hop account does not match the unit's pending hop")]
    HopMismatch,
    #[msg("this lot of this GTIN is already registered")]
    LotAlreadyRegistered,
    #[msg("an aggregate with this SSCC already exists")]
    AggregateExists,
    #[msg("only the party that quarantined the unit, or a regulator, may clear it")]
    NotTheFlagger,
    #[msg("the shipment can be cancelled only after the timeout, by its sender")]
    ShipmentNotTimedOut,
    #[msg("a saleable return is verified per package: return items, not cases or pallets")]
    ReturnNotAnItem,
    #[msg("the GTIN or SSCC is not under this GS1 company prefix")]
    NotUnderPrefix,
    #[msg("the signer does not hold the GS1 company prefix of this GTIN or SSCC")]
    PrefixNotHeld,
    #[msg("a storage condition's range needs its minimum below its maximum")]
    InvalidStorageCondition,
    #[msg("a sensor summary needs readings, min <= mean <= max and the logger file's hash")]
    InvalidSensorSummary,
    #[msg("the storage condition is not that of the lot received (or travelling inside it)")]
    StorageMismatch, // 6044
    #[msg("the package tree account is not one this program created (size, owner or layout)")]
    TreeAccountInvalid,
    #[msg("the package state or its proof does not match the tree (rebuild the proof from the tree's history)")]
    InvalidProof,
    #[msg("the package tree is full: create another tree for the lot")]
    TreeFull,
    #[msg("serial hashes are commissioned into a tree in strictly ascending order, above the tree's highest")]
    SerialNotAscending,
    #[msg("the package tree belongs to another lot")]
    TreeLotMismatch, // 6049
    #[msg("rent goes back to the party that paid for the hop")]
    RentPayerMismatch,
}

registry::participant_errors!(CustodyError);
