use crate::constants::{ACCOUNT_VERSION, GTIN_LEN};
use crate::error::CustodyError;
use anchor_lang::prelude::*;

#[derive(
    AnchorSerialize,
    AnchorDeserialize,
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    InitSpace,
)]
pub enum UnitKind {
    /// A saleable package (GTIN + serial).
    Item,
    /// A case (SSCC) holding items.
    Case,
    /// A pallet (SSCC) holding cases or items.
    Pallet,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum UnitStatus {
    Active,
    InTransit,
    Quarantined,
    Dispensed,
    Decommissioned,
    Destroyed,
    Illegitimate,
}

/// A serialized unit or an SSCC aggregate: PDA `["unit", sha256(gtin ‖ serial)]` or
/// `["unit", sscc]`. The serial number is never stored: whoever scans the barcode recomputes
/// the hash. A unit inside an aggregate follows its top-most parent; its own `holder` is
/// refreshed when it is unpacked.
#[account]
#[derive(InitSpace, Debug)]
pub struct Unit {
    pub version: u8,
    pub bump: u8,
    pub kind: UnitKind,
    pub status: UnitStatus,
    /// Status to restore when a suspect flag is cleared.
    pub status_before_quarantine: UnitStatus,
    /// GTIN-14 (ASCII) of an item; zeros for an aggregate.
    pub gtin: [u8; GTIN_LEN],
    /// The item's `Lot`; default for an aggregate.
    pub lot: Pubkey,
    /// Copied from the lot (0 for an aggregate).
    pub expires_at: i64,
    pub holder: Pubkey,
    /// The aggregate this unit is packed in; default when none.
    pub parent: Pubkey,
    pub child_count: u32,
    /// Completed hops (received or refused); the pending one, if any, has this index.
    pub hop_count: u32,
    /// Hash chain over every completed hop (and unpacking from an aggregate).
    pub chain_head: [u8; 32],
    pub updated_at: i64,
}

impl Unit {
    pub const STATUS_OFFSET: usize = 11;
    pub const HOLDER_OFFSET: usize = 8 + 5 + GTIN_LEN + 32 + 8;
    pub const PARENT_OFFSET: usize = Self::HOLDER_OFFSET + 32;

    pub fn is_aggregate(&self) -> bool {
        self.kind != UnitKind::Item
    }

    pub fn in_aggregate(&self) -> bool {
        self.parent != Pubkey::default()
    }

    pub fn is_expired(&self, now: i64) -> bool {
        self.kind == UnitKind::Item && now >= self.expires_at
    }

    /// The status error of a unit that is not `Active`.
    pub fn require_active(&self) -> Result<()> {
        match self.status {
            UnitStatus::Active => Ok(()),
            UnitStatus::InTransit => err!(CustodyError::UnitInTransit),
            UnitStatus::Quarantined => err!(CustodyError::UnitQuarantined),
            UnitStatus::Dispensed => err!(CustodyError::AlreadyDispensed),
            UnitStatus::Decommissioned | UnitStatus::Destroyed => {
                err!(CustodyError::UnitDecommissioned)
            }
            UnitStatus::Illegitimate => err!(CustodyError::UnitIllegitimate),
        }
    }

    /// Terminal statuses never change again.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self.status,
            UnitStatus::Dispensed
                | UnitStatus::Decommissioned
                | UnitStatus::Destroyed
                | UnitStatus::Illegitimate
        )
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        // Exactly one holder.
        require_keys_neq!(
            self.holder,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        match self.kind {
            UnitKind::Item => {
                require!(
                    caretrail_common::gs1::check_digit_valid(&self.gtin),
                    CustodyError::InvariantViolation
                );
                require_keys_neq!(
                    self.lot,
                    Pubkey::default(),
                    CustodyError::InvariantViolation
                );
                require_eq!(self.child_count, 0, CustodyError::InvariantViolation);
            }
            UnitKind::Case | UnitKind::Pallet => {
                require_keys_eq!(
                    self.lot,
                    Pubkey::default(),
                    CustodyError::InvariantViolation
                );
            }
        }
        // A packed unit is never in transit or terminal by itself.
        if self.in_aggregate() {
            require!(
                self.status == UnitStatus::Active,
                CustodyError::InvariantViolation
            );
        }
        Ok(())
    }
}
