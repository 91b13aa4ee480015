//! DSCSA suspect product handling: any holder or a regulator quarantines a unit; a regulator or
//! the unit's manufacturer clears it or declares it illegitimate (terminal).

use crate::error::CustodyError;
use crate::events::{DeclaredIllegitimate, SuspectCleared, SuspectFlagged};
use crate::state::{Lot, Unit, UnitStatus};
use crate::utils::{now, require_partner};
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

#[derive(Accounts)]
pub struct FlagSuspect<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    pub flagger: Signer<'info>,
    pub flagger_participant: Account<'info, Participant>,
}

impl FlagSuspect<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        let signer = self.flagger.key();
        if self.unit.holder == signer {
            require_partner(
                &self.flagger_participant,
                &signer,
                crate::constants::CUSTODIAN_ROLES,
                now,
            )?;
        } else {
            require_partner(&self.flagger_participant, &signer, roles::REGULATOR, now)?;
        }
        require!(!self.unit.in_aggregate(), CustodyError::InsideAggregate);
        // Active or in transit (a receiver-side suspicion) may be quarantined; terminal may not.
        match self.unit.status {
            UnitStatus::Active | UnitStatus::InTransit => Ok(()),
            _ => self.unit.require_active(),
        }
    }

    pub fn handler(ctx: Context<FlagSuspect>, reason_code: u16) -> Result<()> {
        let now = now()?;
        let unit = &mut ctx.accounts.unit;
        unit.status_before_quarantine = unit.status;
        unit.status = UnitStatus::Quarantined;
        unit.updated_at = now;
        unit.invariant()?;
        registry::emit_event!(SuspectFlagged {
            unit: unit.key(),
            by: ctx.accounts.flagger.key(),
            reason_code,
            timestamp: now
        });
        Ok(())
    }
}

/// Accounts of `clear_suspect` and `declare_illegitimate`.
#[derive(Accounts)]
pub struct ResolveSuspect<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// The item's lot (names its manufacturer); absent for aggregates.
    pub lot: Option<Account<'info, Lot>>,
    pub investigator: Signer<'info>,
    pub investigator_participant: Account<'info, Participant>,
}

impl ResolveSuspect<'_> {
    /// A regulator, or the manufacturer of the unit's lot.
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        let signer = self.investigator.key();
        let is_manufacturer = match &self.lot {
            Some(lot) => {
                require_keys_eq!(lot.key(), self.unit.lot, CustodyError::LotMismatch);
                lot.manufacturer == signer
            }
            None => false,
        };
        let allowed = if is_manufacturer {
            crate::constants::COMMISSIONER_ROLES
        } else {
            roles::REGULATOR
        };
        require_partner(&self.investigator_participant, &signer, allowed, now)?;
        require!(
            self.unit.status == UnitStatus::Quarantined,
            CustodyError::NotQuarantined
        );
        Ok(())
    }

    pub fn clear(ctx: Context<ResolveSuspect>) -> Result<()> {
        let now = now()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = unit.status_before_quarantine;
        unit.status_before_quarantine = UnitStatus::Active;
        unit.updated_at = now;
        unit.invariant()?;
        registry::emit_event!(SuspectCleared {
            unit: unit.key(),
            by: ctx.accounts.investigator.key(),
            timestamp: now
        });
        Ok(())
    }

    pub fn declare_illegitimate(ctx: Context<ResolveSuspect>, reason_code: u16) -> Result<()> {
        let now = now()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = UnitStatus::Illegitimate;
        unit.updated_at = now;
        unit.invariant()?;
        registry::emit_event!(DeclaredIllegitimate {
            unit: unit.key(),
            by: ctx.accounts.investigator.key(),
            reason_code,
            timestamp: now,
        });
        Ok(())
    }
}
