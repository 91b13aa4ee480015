use crate::constants::{CUSTODIAN_ROLES, MAX_BATCH};
use crate::error::CustodyError;
use crate::events::Packed;
use crate::math::SafeMath;
use crate::state::{Unit, UnitKind};
use crate::utils::{load_lot, load_unit, now, require_lot_ok};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// Packs units into a case, or cases/units into a pallet. Remaining accounts: the
/// `child_count` children (writable), then the distinct lots of the item children.
#[derive(Accounts)]
pub struct Aggregate<'info> {
    #[account(mut)]
    pub parent: Account<'info, Unit>,
    pub packer: Signer<'info>,
    pub packer_participant: Account<'info, Participant>,
}

impl Aggregate<'_> {
    pub fn validate(&self, child_count: u8, remaining: &[AccountInfo]) -> Result<()> {
        let now = now()?;
        self.packer_participant.require_role::<CustodyError>(
            &self.packer.key(),
            CUSTODIAN_ROLES,
            now,
        )?;
        let n = child_count as usize;
        require!(
            (1..=MAX_BATCH).contains(&n) && n <= remaining.len(),
            CustodyError::InvalidBatch
        );
        require!(self.parent.is_aggregate(), CustodyError::InvalidNesting);
        require_keys_eq!(
            self.parent.holder,
            self.packer.key(),
            CustodyError::NotHolder
        );
        require!(!self.parent.in_aggregate(), CustodyError::AlreadyAggregated);
        self.parent.require_active()
    }

    pub fn handler<'info>(ctx: Context<'info, Aggregate<'info>>, child_count: u8) -> Result<()> {
        let now = now()?;
        let parent_key = ctx.accounts.parent.key();
        let packer = ctx.accounts.packer.key();
        let (children, lots) = ctx.remaining_accounts.split_at(child_count as usize);
        let mut packed = Vec::with_capacity(children.len());
        for info in children {
            require_keys_neq!(*info.key, parent_key, CustodyError::InvalidNesting);
            let mut child = load_unit(info)?;
            require!(!child.in_aggregate(), CustodyError::AlreadyAggregated);
            require_keys_eq!(child.holder, packer, CustodyError::NotHolder);
            child.require_active()?;
            require!(
                child.kind < ctx.accounts.parent.kind,
                CustodyError::InvalidNesting
            );
            if child.kind == UnitKind::Item {
                let lot_info = lots
                    .iter()
                    .find(|l| *l.key == child.lot)
                    .ok_or(CustodyError::LotRequired)?;
                require_lot_ok(&child, lot_info.key, &load_lot(lot_info)?, now)?;
            }
            child.parent = parent_key;
            child.updated_at = now;
            child.invariant()?;
            crate::utils::write_account(info, &child)?;
            packed.push(*info.key);
        }
        let parent = &mut ctx.accounts.parent;
        parent.child_count = parent.child_count.safe_add(packed.len() as u32)?;
        parent.updated_at = now;
        parent.invariant()?;
        caretrail_common::emit_event!(Packed {
            parent: parent_key,
            children: packed,
            by: packer,
            timestamp: now
        });
        Ok(())
    }
}
