use crate::constants::MAX_BATCH;
use crate::error::CustodyError;
use crate::events::Unpacked;
use crate::math::SafeMath;
use crate::state::Unit;
use crate::utils::{load_unit, now, write_account};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// Unpacks children from a top-level aggregate held by the signer. Each child takes the
/// aggregate's holder, and folds the aggregate's custody chain into its own, so a unit's chain
/// covers the hops it made inside cases and pallets. Remaining accounts: the children
/// (writable).
#[derive(Accounts)]
pub struct Disaggregate<'info> {
    #[account(mut)]
    pub parent: Account<'info, Unit>,
    pub packer: Signer<'info>,
    pub packer_participant: Account<'info, Participant>,
}

/// `sha256(child head ‖ "unpack" ‖ parent ‖ parent head)`.
pub fn unpack_chain(child_head: &[u8; 32], parent: &Pubkey, parent_head: &[u8; 32]) -> [u8; 32] {
    solana_sha256_hasher::hashv(&[child_head, b"unpack", parent.as_ref(), parent_head]).to_bytes()
}

impl Disaggregate<'_> {
    pub fn validate(&self, remaining: &[AccountInfo]) -> Result<()> {
        require!(
            !remaining.is_empty() && remaining.len() <= MAX_BATCH,
            CustodyError::InvalidBatch
        );
        crate::utils::require_unpacker(
            &self.parent,
            &self.packer.key(),
            &self.packer_participant,
            now()?,
        )
    }

    pub fn handler<'info>(ctx: Context<'info, Disaggregate<'info>>) -> Result<()> {
        let now = now()?;
        let parent_key = ctx.accounts.parent.key();
        let holder = ctx.accounts.parent.holder;
        let parent_head = ctx.accounts.parent.chain_head;
        let mut unpacked = Vec::with_capacity(ctx.remaining_accounts.len());
        for info in ctx.remaining_accounts {
            let mut child = load_unit(info)?;
            require_keys_eq!(child.parent, parent_key, CustodyError::NotAChild);
            child.parent = Pubkey::default();
            child.holder = holder;
            child.chain_head = unpack_chain(&child.chain_head, &parent_key, &parent_head);
            child.updated_at = now;
            child.invariant()?;
            write_account(info, &child)?;
            unpacked.push(*info.key);
        }
        let parent = &mut ctx.accounts.parent;
        parent.child_count = parent.child_count.safe_sub(unpacked.len() as u32)?;
        parent.updated_at = now;
        parent.invariant()?;
        caretrail_common::emit_event!(Unpacked {
            parent: parent_key,
            children: unpacked,
            by: holder,
            timestamp: now
        });
        Ok(())
    }
}
