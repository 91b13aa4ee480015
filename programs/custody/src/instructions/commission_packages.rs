use crate::constants::{COMMISSIONER_ROLES, MAX_PACKAGE_BATCH};
use crate::error::CustodyError;
use crate::events::PackagesCommissioned;
use crate::math::SafeMath;
use crate::state::package_tree::{split_tree_data, tree_error, update_canopy, TREE_CAPACITY};
use crate::state::{Lot, PackageLeaf, PackageTree, Unit};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// Commissions packages of a lot into one of its package trees: appends one leaf per serial
/// hash (`sha256(gtin ‖ serial)`), each an active package held by the manufacturer. Appending
/// needs no proofs. The serial hashes of a tree are strictly ascending across all its
/// commissionings, so no serial enters a tree twice. A packaging line commissions straight
/// into a case (or pallet) the manufacturer holds: the leaves name it as their parent.
#[derive(Accounts)]
pub struct CommissionPackages<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    #[account(mut, has_one = manufacturer @ CustodyError::Unauthorized)]
    pub lot: Account<'info, Lot>,
    pub manufacturer: Signer<'info>,
    pub manufacturer_participant: Account<'info, Participant>,
    /// The case or pallet the packages are born in (top-level, active, held by the
    /// manufacturer); absent for loose packages.
    #[account(mut)]
    pub parent: Option<Account<'info, Unit>>,
}

impl CommissionPackages<'_> {
    pub fn validate(&self, serial_hashes: &[[u8; 32]]) -> Result<()> {
        let now = now()?;
        self.manufacturer_participant.require_role::<CustodyError>(
            &self.manufacturer.key(),
            COMMISSIONER_ROLES,
            now,
        )?;
        require!(
            !serial_hashes.is_empty() && serial_hashes.len() <= MAX_PACKAGE_BATCH,
            CustodyError::InvalidBatch
        );
        crate::utils::require_lot_usable(&self.lot, now)?;
        if let Some(parent) = &self.parent {
            require!(parent.is_aggregate(), CustodyError::InvalidNesting);
            require_keys_eq!(
                parent.holder,
                self.manufacturer.key(),
                CustodyError::NotHolder
            );
            require!(!parent.in_aggregate(), CustodyError::AlreadyAggregated);
            parent.require_active()?;
        }
        let header = self.tree.load()?;
        let mut previous = header.max_serial_hash;
        for hash in serial_hashes {
            require!(*hash > previous, CustodyError::SerialNotAscending);
            previous = *hash;
        }
        require!(
            header.package_count as usize + serial_hashes.len() <= TREE_CAPACITY as usize,
            CustodyError::TreeFull
        );
        Ok(())
    }

    pub fn handler(ctx: Context<CommissionPackages>, serial_hashes: Vec<[u8; 32]>) -> Result<()> {
        let now = now()?;
        let tree_key = ctx.accounts.tree.key();
        let lot_key = ctx.accounts.lot.key();
        let manufacturer = ctx.accounts.manufacturer.key();
        let parent_key = ctx
            .accounts
            .parent
            .as_ref()
            .map_or(Pubkey::default(), |p| p.key());
        let info = ctx.accounts.tree.to_account_info();
        let first_index = {
            let mut data = info.try_borrow_mut_data()?;
            let (header, tree, canopy) = split_tree_data(&mut data)?;
            let first_index = header.package_count;
            for (i, hash) in serial_hashes.iter().enumerate() {
                let index = first_index.safe_add(i as u32)?;
                let leaf = PackageLeaf::commissioned(*hash, manufacturer, parent_key, now);
                leaf.invariant()?;
                tree.append(leaf.hash(&tree_key, index))
                    .map_err(tree_error)?;
                update_canopy(tree, canopy);
            }
            header.package_count = first_index.safe_add(serial_hashes.len() as u32)?;
            header.max_serial_hash = serial_hashes[serial_hashes.len() - 1];
            header.invariant()?;
            first_index
        };
        let lot = &mut ctx.accounts.lot;
        lot.unit_count = lot.unit_count.safe_add(serial_hashes.len() as u32)?;
        lot.invariant()?;
        if let Some(parent) = ctx.accounts.parent.as_mut() {
            parent.child_count = parent.child_count.safe_add(serial_hashes.len() as u32)?;
            parent.updated_at = now;
            parent.invariant()?;
        }
        caretrail_common::emit_event!(PackagesCommissioned {
            tree: tree_key,
            lot: lot_key,
            manufacturer,
            parent: parent_key,
            first_index,
            serial_hashes,
            timestamp: now,
        });
        Ok(())
    }
}
