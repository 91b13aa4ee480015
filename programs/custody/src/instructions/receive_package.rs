use crate::constants::{CUSTODIAN_ROLES, SEED_PACKAGE_HOP};
use crate::error::CustodyError;
use crate::events::{PackageHopCompleted, PackageShipmentCancelled};
use crate::instructions::ship_package::PackageProof;
use crate::math::SafeMath;
use crate::state::package_tree::write_leaf;
use crate::state::{HopStatus, Lot, PackageHop, PackageTree, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The addressee of a compressed package's pending hop receives or refuses it. The hop closes
/// and its rent goes back to the party that paid it; the package's chain head takes the hop.
#[derive(Accounts)]
#[instruction(package: PackageProof)]
pub struct ReceivePackage<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub lot: Account<'info, Lot>,
    /// The pending hop of the proven leaf (the seeds name its hop count).
    #[account(
        mut,
        seeds = [
            SEED_PACKAGE_HOP,
            tree.key().as_ref(),
            &package.index.to_le_bytes(),
            &package.leaf.hop_count.to_le_bytes(),
        ],
        bump = hop.bump,
        close = hop_payer
    )]
    pub hop: Account<'info, PackageHop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    pub receiver: Signer<'info>,
    pub receiver_participant: Account<'info, Participant>,
}

/// What every receipt of a compressed package checks: it is in transit on `hop`, addressed to
/// `receiver`, who is still an authorized partner; its lot is still released and unexpired.
pub(crate) fn require_package_receivable(
    package: &PackageProof,
    hop: &PackageHop,
    receiver: &Pubkey,
    participant: &Participant,
    lot: &Lot,
) -> Result<()> {
    require_in_transit_to(package, hop, receiver)?;
    let now = now()?;
    participant.require_role::<CustodyError>(receiver, CUSTODIAN_ROLES, now)?;
    crate::utils::require_lot_usable(lot, now)
}

fn require_in_transit_to(
    package: &PackageProof,
    hop: &PackageHop,
    receiver: &Pubkey,
) -> Result<()> {
    require!(
        package.leaf.status == UnitStatus::InTransit,
        CustodyError::NotInTransit
    );
    require_keys_eq!(hop.to, *receiver, CustodyError::NotAddressee);
    Ok(())
}

impl ReceivePackage<'_> {
    /// Receiving re-checks the receiver's standing and the lot (not recalled, not expired).
    pub fn validate_receive(&self, package: &PackageProof) -> Result<()> {
        require_package_receivable(
            package,
            &self.hop,
            &self.receiver.key(),
            &self.receiver_participant,
            &self.lot,
        )
    }

    /// Refusing needs no standing: a suspended or expired partner may always send goods back.
    pub fn validate_refuse(&self, package: &PackageProof) -> Result<()> {
        require_in_transit_to(package, &self.hop, &self.receiver.key())?;
        require_keys_eq!(
            self.receiver_participant.wallet,
            self.receiver.key(),
            CustodyError::ParticipantMismatch
        );
        Ok(())
    }

    pub fn handler(
        ctx: Context<ReceivePackage>,
        package: PackageProof,
        received: bool,
        reason_code: u16,
    ) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let tree_key = a.tree.key();
        let status = if received {
            HopStatus::Received
        } else {
            HopStatus::Refused
        };
        let hop_index = package.leaf.hop_count;
        let after = a.hop.complete(&package.leaf, status, now)?;
        write_leaf(&a.tree, &package, &after)?;
        caretrail_common::emit_event!(PackageHopCompleted {
            tree: tree_key,
            index: package.index,
            hop: a.hop.key(),
            hop_index,
            received,
            reason_code,
            from: a.hop.from,
            to: a.hop.to,
            leaf: after,
            timestamp: now,
        });
        Ok(())
    }
}

/// The sender takes back a compressed package its receiver has neither received nor refused
/// within `SHIPMENT_TIMEOUT`, as `cancel_shipment` does for a unit: the hop ends `Cancelled`
/// (folded into the chain) and closes, its rent back to its payer.
#[derive(Accounts)]
#[instruction(package: PackageProof)]
pub struct CancelPackageShipment<'info> {
    #[account(mut)]
    pub tree: AccountLoader<'info, PackageTree>,
    /// The pending hop of the proven leaf.
    #[account(
        mut,
        seeds = [
            SEED_PACKAGE_HOP,
            tree.key().as_ref(),
            &package.index.to_le_bytes(),
            &package.leaf.hop_count.to_le_bytes(),
        ],
        bump = hop.bump,
        close = hop_payer
    )]
    pub hop: Account<'info, PackageHop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    pub sender: Signer<'info>,
}

impl CancelPackageShipment<'_> {
    pub fn validate(&self, package: &PackageProof) -> Result<()> {
        require!(
            package.leaf.status == UnitStatus::InTransit,
            CustodyError::NotInTransit
        );
        require_keys_eq!(self.hop.from, self.sender.key(), CustodyError::NotHolder);
        let deadline = self
            .hop
            .shipped_at
            .safe_add(crate::constants::SHIPMENT_TIMEOUT)?;
        require!(now()? >= deadline, CustodyError::ShipmentNotTimedOut);
        Ok(())
    }

    pub fn handler(ctx: Context<CancelPackageShipment>, package: PackageProof) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let hop_index = package.leaf.hop_count;
        let after = a.hop.complete(&package.leaf, HopStatus::Cancelled, now)?;
        write_leaf(&a.tree, &package, &after)?;
        caretrail_common::emit_event!(PackageShipmentCancelled {
            tree: a.tree.key(),
            index: package.index,
            hop: a.hop.key(),
            hop_index,
            from: a.hop.from,
            to: a.hop.to,
            leaf: after,
            timestamp: now,
        });
        Ok(())
    }
}
