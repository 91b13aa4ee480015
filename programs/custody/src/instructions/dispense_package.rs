use crate::error::CustodyError;
use crate::events::PackageDispensed;
use crate::instructions::ship_package::PackageProof;
use crate::state::package_tree::write_leaf;
use crate::state::{Lot, PackageLeaf, PackageTree, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

/// A dispenser holding an unpacked compressed package dispenses it to a patient. Terminal.
#[derive(Accounts)]
pub struct DispensePackage<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub lot: Account<'info, Lot>,
    pub dispenser: Signer<'info>,
    pub dispenser_participant: Account<'info, Participant>,
}

impl DispensePackage<'_> {
    pub fn validate(&self, package: &PackageProof) -> Result<()> {
        let now = now()?;
        self.dispenser_participant.require_role::<CustodyError>(
            &self.dispenser.key(),
            roles::DISPENSER,
            now,
        )?;
        let leaf = &package.leaf;
        require!(!leaf.in_aggregate(), CustodyError::InsideAggregate);
        leaf.require_active()?;
        require_keys_eq!(leaf.holder, self.dispenser.key(), CustodyError::NotHolder);
        crate::utils::require_lot_usable(&self.lot, now)?;
        Ok(())
    }

    pub fn handler(ctx: Context<DispensePackage>, package: PackageProof) -> Result<()> {
        let now = now()?;
        let tree_key = ctx.accounts.tree.key();
        let after = PackageLeaf {
            status: UnitStatus::Dispensed,
            updated_at: now,
            ..package.leaf
        };
        write_leaf(&ctx.accounts.tree, &package, &after)?;
        caretrail_common::emit_event!(PackageDispensed {
            tree: tree_key,
            index: package.index,
            dispenser: ctx.accounts.dispenser.key(),
            leaf: after,
            timestamp: now,
        });
        Ok(())
    }
}
