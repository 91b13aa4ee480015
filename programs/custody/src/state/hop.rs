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
/// It exists only while the unit is in transit: receiving, refusing or cancelling closes it
/// and returns its rent to `payer`. The unit's chain head and the events keep every completed
/// hop (`Shipped` has what it carried, `Received` / `Refused` / `ShipmentCancelled` how it
/// ended). 152 bytes of data: two parties, two times, a read point, a shipment reference and
/// who paid.
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
    /// Who paid the rent, and gets it back when the hop closes.
    pub payer: Pubkey,
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
        require_keys_neq!(
            self.payer,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        Ok(())
    }

    /// The next custody chain head: `sha256(previous head ‖ index ‖ hop)`.
    pub fn chain(&self, previous: &[u8; 32], index: u32) -> [u8; 32] {
        chain_hop(
            previous,
            index,
            &HopContent {
                status: self.status,
                from: self.from,
                to: self.to,
                shipped_at: self.shipped_at,
                received_at: self.received_at,
                read_point: self.read_point,
                shipment_ref: self.shipment_ref,
            },
        )
    }
}

/// What a custody chain head commits to of a hop, whichever account (a `Hop`, or a compressed
/// package's `PackageHop`) held it.
pub struct HopContent {
    pub status: HopStatus,
    pub from: Pubkey,
    pub to: Pubkey,
    pub shipped_at: i64,
    pub received_at: i64,
    pub read_point: [u8; GLN_LEN],
    pub shipment_ref: [u8; SHIPMENT_REF_LEN],
}

/// The next custody chain head: `sha256(previous head ‖ index ‖ hop)`.
pub fn chain_hop(previous: &[u8; 32], index: u32, hop: &HopContent) -> [u8; 32] {
    solana_sha256_hasher::hashv(&[
        previous,
        &index.to_le_bytes(),
        &[hop.status as u8],
        hop.from.as_ref(),
        hop.to.as_ref(),
        &hop.shipped_at.to_le_bytes(),
        &hop.received_at.to_le_bytes(),
        &hop.read_point,
        &hop.shipment_ref,
    ])
    .to_bytes()
}

/// The pending hop of a compressed package: PDA `["package_hop", tree, leaf index u32 LE,
/// hop index u32 LE]`. It exists only while the package is in transit: receiving or refusing
/// closes it and returns its rent to `payer`; the package's chain head and the events keep
/// the hop.
#[account]
#[derive(InitSpace, Debug)]
pub struct PackageHop {
    pub version: u8,
    pub bump: u8,
    pub status: HopStatus,
    pub tree: Pubkey,
    pub index: u32,
    pub from: Pubkey,
    pub to: Pubkey,
    /// Who paid the rent, and gets it back when the hop closes.
    pub payer: Pubkey,
    pub shipped_at: i64,
    pub read_point: [u8; GLN_LEN],
    pub shipment_ref: [u8; SHIPMENT_REF_LEN],
}

impl PackageHop {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require_keys_neq!(self.from, self.to, CustodyError::InvariantViolation);
        require!(
            self.status == HopStatus::Shipped,
            CustodyError::InvariantViolation
        );
        Ok(())
    }

    /// The package `leaf` (in transit on this hop) once the hop completes as `status` at `now`:
    /// active again, held by the receiver when received (else by the sender), the hop folded
    /// into its chain head, its hop count advanced.
    pub fn complete(
        &self,
        leaf: &crate::state::PackageLeaf,
        status: HopStatus,
        now: i64,
    ) -> Result<crate::state::PackageLeaf> {
        use crate::math::SafeMath;
        let content = HopContent {
            status,
            from: self.from,
            to: self.to,
            shipped_at: self.shipped_at,
            received_at: now,
            read_point: self.read_point,
            shipment_ref: self.shipment_ref,
        };
        Ok(crate::state::PackageLeaf {
            status: crate::state::UnitStatus::Active,
            holder: if status == HopStatus::Received {
                self.to
            } else {
                self.from
            },
            hop_count: leaf.hop_count.safe_add(1)?,
            chain_head: chain_hop(&leaf.chain_head, leaf.hop_count, &content),
            updated_at: now,
            ..*leaf
        })
    }
}
