use crate::constants::{ACCOUNT_VERSION, SHIPMENT_REF_LEN};
use crate::error::CustodyError;
use anchor_lang::prelude::*;
use registry::constants::GLN_LEN;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum HopStatus {
    Shipped,
    Received,
    Refused,
    /// Taken back by the sender after `SHIPMENT_TIMEOUT` without an answer from the receiver.
    Cancelled,
}

/// One custody hop of a unit: PDA `["hop", unit, index u32 LE]`, indices contiguous from 0.
/// 120 bytes of data (the DESIGN budget): two parties, two times, a read point and a
/// shipment reference.
#[account]
#[derive(InitSpace, Debug)]
pub struct Hop {
    pub version: u8,
    pub bump: u8,
    pub status: HopStatus,
    pub from: Pubkey,
    pub to: Pubkey,
    pub shipped_at: i64,
    /// 0 until received or refused.
    pub received_at: i64,
    /// GLN of the shipping location (EPCIS readPoint).
    pub read_point: [u8; GLN_LEN],
    /// First 16 bytes of sha256 of the ASN / despatch advice id.
    pub shipment_ref: [u8; SHIPMENT_REF_LEN],
}

impl Hop {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require_keys_neq!(self.from, self.to, CustodyError::InvariantViolation);
        require!(
            (self.status == HopStatus::Shipped) == (self.received_at == 0),
            CustodyError::InvariantViolation
        );
        Ok(())
    }

    /// The next custody chain head: `sha256(previous head ‖ index ‖ hop)`.
    pub fn chain(&self, previous: &[u8; 32], index: u32) -> [u8; 32] {
        solana_sha256_hasher::hashv(&[
            previous,
            &index.to_le_bytes(),
            &[self.status as u8],
            self.from.as_ref(),
            self.to.as_ref(),
            &self.shipped_at.to_le_bytes(),
            &self.received_at.to_le_bytes(),
            &self.read_point,
            &self.shipment_ref,
        ])
        .to_bytes()
    }
}
