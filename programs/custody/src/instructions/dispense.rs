use crate::error::CustodyError;
use crate::events::Dispensed;
use crate::state::{Lot, Unit, UnitStatus};
use crate::utils::{now, require_lot_ok};
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

/// A dispenser holding an (unpacked) item dispenses it to a patient. Terminal.
#[derive(Accounts)]
pub struct Dispense<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    pub lot: Account<'info, Lot>,
    pub dispenser: Signer<'info>,
    pub dispenser_participant: Account<'info, Participant>,
}

impl Dispense<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        self.dispenser_participant.require_role::<CustodyError>(
            &self.dispenser.key(),
            roles::DISPENSER,
            now,
        )?;
        require!(!self.unit.is_aggregate(), CustodyError::InvalidNesting);
        require!(!self.unit.in_aggregate(), CustodyError::InsideAggregate);
        self.unit.require_active()?;
        require_keys_eq!(
            self.unit.holder,
            self.dispenser.key(),
            CustodyError::NotHolder
        );
        require_lot_ok(&self.unit, &self.lot.key(), &self.lot, now)
    }

    pub fn handler(ctx: Context<Dispense>) -> Result<()> {
        let now = now()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = UnitStatus::Dispensed;
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(Dispensed {
            unit: unit.key(),
            dispenser: ctx.accounts.dispenser.key(),
            timestamp: now
        });
        Ok(())
    }
}
