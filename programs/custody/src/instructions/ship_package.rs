use crate::constants::{ACCOUNT_VERSION, SEED_PACKAGE_HOP, SHIPMENT_REF_LEN};
use crate::error::CustodyError;
use crate::events::PackageShipped;
use crate::state::package_tree::write_leaf;
use crate::state::{HopStatus, Lot, PackageHop, PackageLeaf, PackageTree, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::GLN_LEN;
use registry::state::Participant;

pub use crate::state::package_tree::PackageProof;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ShipPackageArgs {
    pub package: PackageProof,
    /// GLN of the shipping location (EPCIS readPoint).
    pub read_point: [u8; GLN_LEN],
    /// First 16 bytes of sha256 of the ASN / despatch advice id.
    pub shipment_ref: [u8; SHIPMENT_REF_LEN],
    /// A saleable return (dispenser → distributor): the package's state, lot and expiry are
    /// checked here and again at receipt, as for a unit.
    pub is_return: bool,
}

/// The holder ships a compressed package to a named, active, authorized trading partner: the
/// package goes in transit and its pending hop `["package_hop", tree, index, hop_count]` is
/// created (rent from `payer`, returned when the hop completes).
#[derive(Accounts)]
#[instruction(args: ShipPackageArgs)]
pub struct ShipPackage<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub lot: Account<'info, Lot>,
    /// CHECK: the pending hop, created by the handler with `caretrail_common::pda` (works when
    /// somebody funded the address first); its seeds name the proven leaf's hop count.
    #[account(
        mut,
        seeds = [
            SEED_PACKAGE_HOP,
            tree.key().as_ref(),
            &args.package.index.to_le_bytes(),
            &args.package.leaf.hop_count.to_le_bytes(),
        ],
        bump
    )]
    pub hop: UncheckedAccount<'info>,
    pub sender: Signer<'info>,
    pub sender_participant: Account<'info, Participant>,
    /// The receiver's registry entry; the receiver is its wallet.
    pub receiver_participant: Account<'info, Participant>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl ShipPackage<'_> {
    pub fn validate(&self, args: &ShipPackageArgs) -> Result<()> {
        let now = now()?;
        crate::utils::require_trading_partners(
            &self.sender.key(),
            &self.sender_participant,
            &self.receiver_participant,
            now,
        )?;
        let leaf = &args.package.leaf;
        // A packed package travels with its case or pallet.
        require!(!leaf.in_aggregate(), CustodyError::InsideAggregate);
        leaf.require_active()?;
        require_keys_eq!(leaf.holder, self.sender.key(), CustodyError::NotHolder);
        crate::utils::require_lot_usable(&self.lot, now)?;
        // An active package has no pending hop: its next hop address is always fresh.
        require_keys_neq!(*self.hop.owner, crate::ID, CustodyError::InvariantViolation);
        registry::state::require_valid_gln(&args.read_point)?;
        Ok(())
    }

    pub fn handler(ctx: Context<ShipPackage>, args: ShipPackageArgs) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let tree_key = a.tree.key();
        let package = &args.package;
        let shipped = PackageLeaf {
            status: UnitStatus::InTransit,
            updated_at: now,
            ..package.leaf
        };
        // The proof: the package is in this state at this index (fails with `InvalidProof`).
        write_leaf(&a.tree, package, &shipped)?;
        let bump = ctx.bumps.hop;
        let hop = PackageHop {
            version: ACCOUNT_VERSION,
            bump,
            status: HopStatus::Shipped,
            tree: tree_key,
            index: package.index,
            from: a.sender.key(),
            to: a.receiver_participant.wallet,
            payer: a.payer.key(),
            shipped_at: now,
            read_point: args.read_point,
            shipment_ref: args.shipment_ref,
        };
        hop.invariant()?;
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.hop.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_PACKAGE_HOP,
                tree_key.as_ref(),
                &package.index.to_le_bytes(),
                &package.leaf.hop_count.to_le_bytes(),
                &[bump],
            ],
            &hop,
        )?;
        caretrail_common::emit_event!(PackageShipped {
            tree: tree_key,
            index: package.index,
            hop: a.hop.key(),
            from: hop.from,
            to: hop.to,
            read_point: args.read_point,
            shipment_ref: args.shipment_ref,
            is_return: args.is_return,
            leaf: shipped,
            timestamp: now,
        });
        Ok(())
    }
}
