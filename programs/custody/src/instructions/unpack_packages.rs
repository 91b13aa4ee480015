use crate::constants::MAX_BATCH;
use crate::error::CustodyError;
use crate::events::PackagesUnpacked;
use crate::instructions::disaggregate::unpack_chain;
use crate::instructions::ship_package::PackageProof;
use crate::math::SafeMath;
use crate::state::package_tree::replace_leaf;
use crate::state::{PackageLeaf, PackageTree, Unit};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// Unpacks compressed packages from a top-level case or pallet held by the signer, as
/// `disaggregate` unpacks units: each package takes the aggregate's holder and folds the
/// aggregate's custody chain into its own. Each package carries its state and proof.
#[derive(Accounts)]
pub struct UnpackPackages<'info> {
    #[account(mut)]
    pub tree: AccountLoader<'info, PackageTree>,
    #[account(mut)]
    pub parent: Account<'info, Unit>,
    pub packer: Signer<'info>,
    pub packer_participant: Account<'info, Participant>,
}

impl UnpackPackages<'_> {
    pub fn validate(&self, packages: &[PackageProof]) -> Result<()> {
        require!(
            !packages.is_empty() && packages.len() <= MAX_BATCH,
            CustodyError::InvalidBatch
        );
        crate::utils::require_unpacker(
            &self.parent,
            &self.packer.key(),
            &self.packer_participant,
            now()?,
        )?;
        let parent = self.parent.key();
        for p in packages {
            require_keys_eq!(p.leaf.parent, parent, CustodyError::NotAChild);
        }
        Ok(())
    }

    pub fn handler(ctx: Context<UnpackPackages>, packages: Vec<PackageProof>) -> Result<()> {
        let now = now()?;
        let tree_key = ctx.accounts.tree.key();
        let parent_key = ctx.accounts.parent.key();
        let holder = ctx.accounts.parent.holder;
        let parent_head = ctx.accounts.parent.chain_head;
        let info = ctx.accounts.tree.to_account_info();
        let mut indices = Vec::with_capacity(packages.len());
        let mut leaves = Vec::with_capacity(packages.len());
        {
            let mut data = info.try_borrow_mut_data()?;
            // Each proof may name a root the earlier replacements of this instruction already
            // moved on from: the change log fast-forwards it.
            for p in &packages {
                let after = PackageLeaf {
                    parent: Pubkey::default(),
                    holder,
                    chain_head: unpack_chain(&p.leaf.chain_head, &parent_key, &parent_head),
                    updated_at: now,
                    ..p.leaf
                };
                after.invariant()?;
                replace_leaf(
                    &mut data, &tree_key, p.root, p.index, &p.leaf, &after, &p.proof,
                )?;
                indices.push(p.index);
                leaves.push(after);
            }
        }
        let parent = &mut ctx.accounts.parent;
        parent.child_count = parent.child_count.safe_sub(packages.len() as u32)?;
        parent.updated_at = now;
        parent.invariant()?;
        caretrail_common::emit_event!(PackagesUnpacked {
            tree: tree_key,
            parent: parent_key,
            indices,
            leaves,
            by: holder,
            timestamp: now,
        });
        Ok(())
    }
}
