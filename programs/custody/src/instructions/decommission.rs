use crate::error::CustodyError;
use crate::events::Decommissioned;
use crate::state::{Unit, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The holder takes a unit out of the supply chain for good: decommissioned (e.g. sample,
/// damaged) or destroyed. An aggregate must be empty first.
#[derive(Accounts)]
pub struct Decommission<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    pub holder: Signer<'info>,
    pub holder_participant: Account<'info, Participant>,
}

impl Decommission<'_> {
    pub fn validate(&self) -> Result<()> {
        self.holder_participant.require_role::<CustodyError>(
            &self.holder.key(),
            crate::constants::CUSTODIAN_ROLES,
            now()?,
        )?;
        require!(!self.unit.in_aggregate(), CustodyError::InsideAggregate);
        require_keys_eq!(self.unit.holder, self.holder.key(), CustodyError::NotHolder);
        // Only active product is decommissioned or destroyed: a quarantined unit stays as it
        // is until the party that flagged it (or a regulator) clears it, or it is declared
        // illegitimate.
        self.unit.require_active()?;
        require_eq!(self.unit.child_count, 0, CustodyError::AggregateNotEmpty);
        Ok(())
    }

    pub fn handler(ctx: Context<Decommission>, destroyed: bool, reason_code: u16) -> Result<()> {
        let now = now()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = if destroyed {
            UnitStatus::Destroyed
        } else {
            UnitStatus::Decommissioned
        };
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(Decommissioned {
            unit: unit.key(),
            by: ctx.accounts.holder.key(),
            destroyed,
            reason_code,
            timestamp: now,
        });
        Ok(())
    }
}
