//! DSCSA suspect product handling: any holder or a regulator quarantines a unit (a
//! `Quarantine` record names who did); only that party or a regulator clears it; a regulator
//! or the unit's manufacturer declares it illegitimate (terminal).

use crate::constants::{ACCOUNT_VERSION, SEED_QUARANTINE};
use crate::error::CustodyError;
use crate::events::{DeclaredIllegitimate, SuspectCleared, SuspectFlagged};
use crate::state::{Lot, Quarantine, Unit, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

#[derive(Accounts)]
pub struct FlagSuspect<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// CHECK: the unit's quarantine record, created by the handler with `caretrail_common::pda`
    /// (works when somebody funded the address first; the flagger pays its rent).
    #[account(mut, seeds = [SEED_QUARANTINE, unit.key().as_ref()], bump)]
    pub quarantine: UncheckedAccount<'info>,
    #[account(mut)]
    pub flagger: Signer<'info>,
    pub flagger_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl FlagSuspect<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        let signer = self.flagger.key();
        self.flagger_participant.require_role::<CustodyError>(
            &signer,
            crate::utils::flagger_roles(&self.unit.holder, &signer),
            now,
        )?;
        require!(!self.unit.in_aggregate(), CustodyError::InsideAggregate);
        // Active or in transit (a receiver-side suspicion) may be quarantined; terminal may not.
        match self.unit.status {
            UnitStatus::Active | UnitStatus::InTransit => Ok(()),
            _ => self.unit.require_active(),
        }
    }

    pub fn handler(ctx: Context<FlagSuspect>, reason_code: u16) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let unit_key = a.unit.key();
        let flagger = a.flagger.key();
        let record = Quarantine {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.quarantine,
            by_regulator: a.unit.holder != flagger,
            unit: unit_key,
            flagged_by: flagger,
            reason_code,
            flagged_at: now,
        };
        record.invariant()?;
        // A record left from an earlier quarantine was closed when that one ended, so the
        // address is free again here.
        caretrail_common::pda::init_account(
            &a.flagger.to_account_info(),
            &a.quarantine,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_QUARANTINE, unit_key.as_ref(), &[record.bump]],
            &record,
        )?;
        let unit = &mut ctx.accounts.unit;
        unit.status_before_quarantine = unit.status;
        unit.status = UnitStatus::Quarantined;
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(SuspectFlagged {
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
    /// CHECK: who quarantined the unit (read in `validate` once the unit is known to be
    /// quarantined); closed, its rent back to the flagger, when the quarantine ends.
    #[account(mut, seeds = [SEED_QUARANTINE, unit.key().as_ref()], bump)]
    pub quarantine: UncheckedAccount<'info>,
    /// CHECK: must be the flagger named by the quarantine record (gets its rent back).
    #[account(mut)]
    pub flagger: UncheckedAccount<'info>,
    pub investigator: Signer<'info>,
    pub investigator_participant: Account<'info, Participant>,
}

impl ResolveSuspect<'_> {
    /// The quarantine record of a quarantined unit, its flagger passed as `flagger`.
    fn record(&self) -> Result<Quarantine> {
        crate::utils::load_quarantine(
            self.unit.status == UnitStatus::Quarantined,
            &self.quarantine,
            &self.flagger.key(),
        )
    }

    /// Ends the quarantine record: its rent goes back to the flagger.
    fn close_record(&self) -> Result<()> {
        caretrail_common::pda::close_account(&self.quarantine, &self.flagger)
    }

    /// Clearing: the party that flagged the unit (still in good standing), or a regulator. A
    /// manufacturer cannot clear a regulator's (or a holder's) quarantine.
    pub fn validate_clear(&self) -> Result<()> {
        let record = self.record()?;
        crate::utils::require_clearer(
            &record,
            &self.investigator.key(),
            &self.investigator_participant,
            now()?,
        )
    }

    /// Declaring illegitimate: a regulator, or the manufacturer of the unit's lot.
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
        self.investigator_participant
            .require_role::<CustodyError>(&signer, allowed, now)?;
        self.record()?;
        Ok(())
    }

    pub fn clear(ctx: Context<ResolveSuspect>) -> Result<()> {
        let now = now()?;
        ctx.accounts.close_record()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = unit.status_before_quarantine;
        unit.status_before_quarantine = UnitStatus::Active;
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(SuspectCleared {
            unit: unit.key(),
            by: ctx.accounts.investigator.key(),
            timestamp: now
        });
        Ok(())
    }

    pub fn declare_illegitimate(ctx: Context<ResolveSuspect>, reason_code: u16) -> Result<()> {
        let now = now()?;
        ctx.accounts.close_record()?;
        let unit = &mut ctx.accounts.unit;
        unit.status = UnitStatus::Illegitimate;
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(DeclaredIllegitimate {
            unit: unit.key(),
            by: ctx.accounts.investigator.key(),
            reason_code,
            timestamp: now,
        });
        Ok(())
    }
}
