use crate::constants::{ACCOUNT_VERSION, GTIN_LEN};
use crate::error::CustodyError;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum LotStatus {
    Released,
    Recalled,
}

/// A production lot: PDA `["lot", gtin, lot_hash]`. The lot number itself stays off chain
/// (`lot_hash = sha256(lot number)`), as GS1 labels carry it in clear anyway.
#[account]
#[derive(InitSpace, Debug)]
pub struct Lot {
    pub version: u8,
    pub bump: u8,
    pub status: LotStatus,
    /// GTIN-14, ASCII digits.
    pub gtin: [u8; GTIN_LEN],
    pub lot_hash: [u8; 32],
    pub manufacturer: Pubkey,
    /// Expiry date as `YYYYMMDD` (GS1 AI 17, DD=00 already resolved to the month's last day).
    pub expiry_date: u32,
    /// Unix time from which the lot is expired (00:00 UTC the day after `expiry_date`).
    pub expires_at: i64,
    pub registered_at: i64,
    pub recalled_at: i64,
    /// Recall reason code (0 when not recalled).
    pub recall_reason: u16,
    /// Units commissioned in this lot.
    pub unit_count: u32,
}

impl Lot {
    pub const STATUS_OFFSET: usize = 10;
    pub const GTIN_OFFSET: usize = 11;
    pub const MANUFACTURER_OFFSET: usize = 57;

    pub fn is_expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require!(
            caretrail_common::gs1::check_digit_valid(&self.gtin),
            CustodyError::InvariantViolation
        );
        require!(
            (self.status == LotStatus::Recalled) == (self.recalled_at != 0),
            CustodyError::InvariantViolation
        );
        Ok(())
    }
}
