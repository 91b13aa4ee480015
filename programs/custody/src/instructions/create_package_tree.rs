use crate::constants::{ACCOUNT_VERSION, COMMISSIONER_ROLES};
use crate::error::CustodyError;
use crate::events::PackageTreeCreated;
use crate::state::package_tree::{
    split_tree_data, tree_error, update_canopy, TREE_BUFFER, TREE_CANOPY, TREE_CAPACITY, TREE_DEPTH,
};
use crate::state::{Lot, PackageTree};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The lot's manufacturer initializes a package tree for the lot. The tree account is a fresh
/// keypair account of `PackageTree::ACCOUNT_LEN` bytes owned by this program, created by the
/// system program in the same transaction (its 20,856 bytes exceed what a program may allocate
/// by itself); `zero` refuses one already initialized.
#[derive(Accounts)]
pub struct CreatePackageTree<'info> {
    #[account(zero)]
    pub tree: AccountLoader<'info, PackageTree>,
    #[account(has_one = manufacturer @ CustodyError::Unauthorized)]
    pub lot: Account<'info, Lot>,
    pub manufacturer: Signer<'info>,
    pub manufacturer_participant: Account<'info, Participant>,
}

impl CreatePackageTree<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        self.manufacturer_participant.require_role::<CustodyError>(
            &self.manufacturer.key(),
            COMMISSIONER_ROLES,
            now,
        )?;
        crate::utils::require_lot_usable(&self.lot, now)?;
        require_eq!(
            self.tree.to_account_info().data_len(),
            PackageTree::ACCOUNT_LEN,
            CustodyError::TreeAccountInvalid
        );
        Ok(())
    }

    pub fn handler(ctx: Context<CreatePackageTree>) -> Result<()> {
        let now = now()?;
        let lot = ctx.accounts.lot.key();
        let manufacturer = ctx.accounts.manufacturer.key();
        let tree_key = ctx.accounts.tree.key();
        // Writes the discriminator (`zero` checked it was unset).
        drop(ctx.accounts.tree.load_init()?);
        let info = ctx.accounts.tree.to_account_info();
        let mut data = info.try_borrow_mut_data()?;
        let (header, tree, canopy) = split_tree_data(&mut data)?;
        *header = PackageTree {
            lot,
            manufacturer,
            max_serial_hash: [0; 32],
            created_at: now,
            package_count: 0,
            version: ACCOUNT_VERSION,
            depth: TREE_DEPTH as u8,
            buffer: TREE_BUFFER as u8,
            canopy: TREE_CANOPY as u8,
        };
        tree.initialize().map_err(tree_error)?;
        update_canopy(tree, canopy);
        header.invariant()?;
        caretrail_common::emit_event!(PackageTreeCreated {
            tree: tree_key,
            lot,
            manufacturer,
            capacity: TREE_CAPACITY,
            timestamp: now,
        });
        Ok(())
    }
}
