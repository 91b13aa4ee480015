use crate::error::CustodyError;
use crate::events::LotRecalled;
use crate::state::{Lot, LotStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

/// The lot's manufacturer or a regulator recalls a lot: no unit of it moves, packs or is
/// dispensed again.
#[derive(Accounts)]
pub struct RecallLot<'info> {
    #[account(mut)]
    pub lot: Account<'info, Lot>,
    pub authority: Signer<'info>,
    pub authority_participant: Account<'info, Participant>,
}

impl RecallLot<'_> {
    pub fn validate(&self) -> Result<()> {
        let signer = self.authority.key();
        let allowed = if self.lot.manufacturer == signer {
            crate::constants::COMMISSIONER_ROLES
        } else {
            roles::REGULATOR
        };
        self.authority_participant
            .require_role::<CustodyError>(&signer, allowed, now()?)?;
        require!(
            self.lot.status == LotStatus::Released,
            CustodyError::AlreadyRecalled
        );
        Ok(())
    }

    pub fn handler(ctx: Context<RecallLot>, reason_code: u16) -> Result<()> {
        let now = now()?;
        let lot = &mut ctx.accounts.lot;
        lot.status = LotStatus::Recalled;
        lot.recalled_at = now;
        lot.recall_reason = reason_code;
        lot.invariant()?;
        caretrail_common::emit_event!(LotRecalled {
            lot: lot.key(),
            by: ctx.accounts.authority.key(),
            reason_code,
            timestamp: now
        });
        Ok(())
    }
}
