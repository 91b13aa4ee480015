//! Cold chain: a lot's storage condition (its manufacturer sets it), temperature loggers'
//! summaries recorded with a hop, and the receipt that quarantines the unit in the same
//! instruction when the summary breaks the lot's range.

use super::receive::{complete_hop, require_pending_hop, require_receivable};
use crate::constants::{
    ACCOUNT_VERSION, COMMISSIONER_ROLES, REASON_TEMPERATURE_EXCURSION, SEED_QUARANTINE,
    SEED_STORAGE,
};
use crate::error::CustodyError;
use crate::events::{Received, SensorRecorded, StorageConditionSet, SuspectFlagged};
use crate::state::{
    Hop, HopStatus, Lot, Quarantine, SensorSummary, StorageCondition, Unit, UnitKind, UnitStatus,
};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct StorageConditionArgs {
    pub min_centi_celsius: i16,
    pub max_centi_celsius: i16,
    pub tolerated_minutes: u32,
}

/// The lot's manufacturer sets (or changes) its storage condition.
#[derive(Accounts)]
pub struct SetStorageCondition<'info> {
    pub lot: Account<'info, Lot>,
    /// CHECK: `["storage", lot]`, created by the handler with `caretrail_common::pda` (works
    /// when somebody funded the address first) or rewritten when it exists.
    #[account(mut, seeds = [SEED_STORAGE, lot.key().as_ref()], bump)]
    pub storage: UncheckedAccount<'info>,
    #[account(mut)]
    pub manufacturer: Signer<'info>,
    pub manufacturer_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl SetStorageCondition<'_> {
    pub fn validate(&self, args: &StorageConditionArgs) -> Result<()> {
        require_keys_eq!(
            self.lot.manufacturer,
            self.manufacturer.key(),
            CustodyError::Unauthorized
        );
        self.manufacturer_participant.require_role::<CustodyError>(
            &self.manufacturer.key(),
            COMMISSIONER_ROLES,
            now()?,
        )?;
        require!(
            args.min_centi_celsius < args.max_centi_celsius,
            CustodyError::InvalidStorageCondition
        );
        Ok(())
    }

    pub fn handler(ctx: Context<SetStorageCondition>, args: StorageConditionArgs) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let lot = a.lot.key();
        let condition = StorageCondition {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.storage,
            lot,
            min_centi_celsius: args.min_centi_celsius,
            max_centi_celsius: args.max_centi_celsius,
            tolerated_minutes: args.tolerated_minutes,
            set_by: a.manufacturer.key(),
            updated_at: now,
        };
        condition.invariant()?;
        match caretrail_common::pda::load_if_exists::<StorageCondition>(&a.storage, &crate::ID)? {
            Some(_) => caretrail_common::pda::write_account(&a.storage, &condition)?,
            None => caretrail_common::pda::init_account(
                &a.manufacturer.to_account_info(),
                &a.storage,
                &a.system_program.to_account_info(),
                &crate::ID,
                &[SEED_STORAGE, lot.as_ref(), &[condition.bump]],
                &condition,
            )?,
        }
        caretrail_common::emit_event!(StorageConditionSet {
            lot,
            min_centi_celsius: args.min_centi_celsius,
            max_centi_celsius: args.max_centi_celsius,
            tolerated_minutes: args.tolerated_minutes,
            by: condition.set_by,
            timestamp: now,
        });
        Ok(())
    }
}

/// The sender records its logger's summary with the pending hop (in the shipping
/// transaction).
#[derive(Accounts)]
pub struct RecordSensor<'info> {
    pub unit: Account<'info, Unit>,
    /// The pending hop (checked in `validate`).
    pub hop: Account<'info, Hop>,
    pub sender: Signer<'info>,
}

impl RecordSensor<'_> {
    pub fn validate(&self, summary: &SensorSummary) -> Result<()> {
        require_pending_hop(&self.unit, &self.hop)?;
        require_keys_eq!(self.hop.from, self.sender.key(), CustodyError::NotHolder);
        summary.validate()
    }

    pub fn handler(ctx: Context<RecordSensor>, summary: SensorSummary) -> Result<()> {
        let a = &ctx.accounts;
        caretrail_common::emit_event!(sensor_event(
            &a.unit.key(),
            a.unit.hop_count,
            0,
            &a.sender.key(),
            &summary,
            Pubkey::default(),
            false,
            now()?,
        ));
        Ok(())
    }
}

#[allow(clippy::too_many_arguments)]
fn sensor_event(
    unit: &Pubkey,
    index: u32,
    stage: u8,
    by: &Pubkey,
    s: &SensorSummary,
    storage: Pubkey,
    excursion: bool,
    timestamp: i64,
) -> SensorRecorded {
    SensorRecorded {
        unit: *unit,
        index,
        stage,
        by: *by,
        min_centi_celsius: s.min_centi_celsius,
        max_centi_celsius: s.max_centi_celsius,
        mean_centi_celsius: s.mean_centi_celsius,
        minutes_outside: s.minutes_outside,
        readings: s.readings,
        logger_hash: s.logger_hash,
        storage,
        excursion,
        timestamp,
    }
}

/// The addressee receives a unit with its logger's summary: checked against the storage
/// condition of the unit's lot (for a case or pallet, of the lot of an item travelling in it,
/// named by the `remaining_accounts` path aggregate → … → item); an excursion quarantines the
/// unit at receipt, the receiver named as who flagged it.
#[derive(Accounts)]
pub struct ReceiveWithSensor<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// The pending hop (checked in `validate`); closed when done.
    #[account(mut, close = hop_payer)]
    pub hop: Account<'info, Hop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    /// Pays the quarantine record's rent on an excursion (returned when it is cleared).
    #[account(mut)]
    pub receiver: Signer<'info>,
    pub receiver_participant: Account<'info, Participant>,
    /// The item's lot (required for items, absent for aggregates).
    pub lot: Option<Account<'info, Lot>>,
    /// CHECK: `["storage", lot]` of the lot checked (a system account while that lot has no
    /// condition); for an aggregate received without a path, the system program (nothing to
    /// check). Verified in `validate`.
    pub storage: UncheckedAccount<'info>,
    /// CHECK: the unit's quarantine record, created by the handler on an excursion.
    #[account(mut, seeds = [SEED_QUARANTINE, unit.key().as_ref()], bump)]
    pub quarantine: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl<'info> ReceiveWithSensor<'info> {
    /// The lot whose condition applies: the item's own, or that of the item the remaining
    /// accounts lead to through the aggregate (each one packed in the one before).
    fn governing_lot(&self, path: &[AccountInfo<'info>]) -> Result<Option<Pubkey>> {
        if self.unit.kind == UnitKind::Item {
            return Ok(Some(self.unit.lot));
        }
        let mut parent = self.unit.key();
        let mut lot = None;
        for (depth, info) in path.iter().enumerate() {
            require!(depth < 2, CustodyError::StorageMismatch);
            require_keys_eq!(*info.owner, crate::ID, CustodyError::StorageMismatch);
            let data = info.try_borrow_data()?;
            let child = Unit::try_deserialize(&mut &data[..])
                .map_err(|_| error!(CustodyError::StorageMismatch))?;
            require_keys_eq!(child.parent, parent, CustodyError::StorageMismatch);
            parent = info.key();
            lot = (child.kind == UnitKind::Item).then_some(child.lot);
        }
        require!(
            path.is_empty() || lot.is_some(),
            CustodyError::StorageMismatch
        );
        Ok(lot)
    }

    pub fn validate(&self, path: &[AccountInfo<'info>], summary: &SensorSummary) -> Result<()> {
        require_receivable(
            &self.unit,
            &self.hop,
            &self.receiver.key(),
            &self.receiver_participant,
            self.lot.as_ref(),
        )?;
        summary.validate()?;
        storage_condition(&self.storage, self.governing_lot(path)?)?;
        Ok(())
    }

    pub fn handler(
        ctx: Context<'info, ReceiveWithSensor<'info>>,
        summary: SensorSummary,
    ) -> Result<()> {
        let a = &ctx.accounts;
        let condition = storage_condition(&a.storage, a.governing_lot(ctx.remaining_accounts)?)?;
        let a = &mut *ctx.accounts;
        receive_sensed(
            SensedReceipt {
                unit: &mut a.unit,
                hop: &mut a.hop,
                receiver: &a.receiver,
                storage: &a.storage,
                quarantine: &a.quarantine,
                quarantine_bump: ctx.bumps.quarantine,
                system_program: &a.system_program,
            },
            condition,
            summary,
        )
    }
}

/// The storage condition a receipt is checked against, after checking that `storage` is the
/// address of `lot`'s (`None`: nothing to check, and `storage` must be the system program).
pub(crate) fn storage_condition(
    storage: &AccountInfo,
    lot: Option<Pubkey>,
) -> Result<Option<StorageCondition>> {
    let Some(lot) = lot else {
        require_keys_eq!(
            storage.key(),
            anchor_lang::system_program::ID,
            CustodyError::StorageMismatch
        );
        return Ok(None);
    };
    let loaded = caretrail_common::pda::load_if_exists::<StorageCondition>(storage, &crate::ID)?;
    let expected = match &loaded {
        Some(c) => {
            require_keys_eq!(c.lot, lot, CustodyError::StorageMismatch);
            Pubkey::create_program_address(&[SEED_STORAGE, lot.as_ref(), &[c.bump]], &crate::ID)
                .map_err(|_| error!(CustodyError::StorageMismatch))?
        }
        // The lot has no condition: the address must still be its, so a receiver cannot
        // dodge the check by naming another empty account.
        None => Pubkey::find_program_address(&[SEED_STORAGE, lot.as_ref()], &crate::ID).0,
    };
    require_keys_eq!(storage.key(), expected, CustodyError::StorageMismatch);
    Ok(loaded)
}

/// The accounts a receipt with a logger's summary writes.
pub(crate) struct SensedReceipt<'a, 'info> {
    pub unit: &'a mut Account<'info, Unit>,
    pub hop: &'a mut Account<'info, Hop>,
    pub receiver: &'a Signer<'info>,
    pub storage: &'a UncheckedAccount<'info>,
    pub quarantine: &'a UncheckedAccount<'info>,
    pub quarantine_bump: u8,
    pub system_program: &'a Program<'info, System>,
}

/// Completes the pending hop as received, records the summary checked against `condition`,
/// and on an excursion quarantines the unit (the receiver named as who flagged it).
pub(crate) fn receive_sensed(
    a: SensedReceipt,
    condition: Option<StorageCondition>,
    summary: SensorSummary,
) -> Result<()> {
    let now = now()?;
    let excursion = condition.as_ref().is_some_and(|c| c.is_excursion(&summary));
    let (index, chain_head) = complete_hop(a.unit, a.hop, HopStatus::Received, now)?;
    let unit_key = a.unit.key();
    let receiver = a.receiver.key();
    caretrail_common::emit_event!(Received {
        unit: unit_key,
        hop: a.hop.key(),
        index,
        from: a.hop.from,
        to: a.hop.to,
        chain_head,
        timestamp: now,
    });
    caretrail_common::emit_event!(sensor_event(
        &unit_key,
        index,
        1,
        &receiver,
        &summary,
        condition.map(|_| a.storage.key()).unwrap_or_default(),
        excursion,
        now,
    ));
    if excursion {
        let record = Quarantine {
            version: ACCOUNT_VERSION,
            bump: a.quarantine_bump,
            by_regulator: false,
            unit: unit_key,
            flagged_by: receiver,
            reason_code: REASON_TEMPERATURE_EXCURSION,
            flagged_at: now,
        };
        record.invariant()?;
        caretrail_common::pda::init_account(
            &a.receiver.to_account_info(),
            a.quarantine,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_QUARANTINE, unit_key.as_ref(), &[record.bump]],
            &record,
        )?;
        a.unit.status_before_quarantine = a.unit.status;
        a.unit.status = UnitStatus::Quarantined;
        a.unit.invariant()?;
        caretrail_common::emit_event!(SuspectFlagged {
            unit: unit_key,
            by: receiver,
            reason_code: REASON_TEMPERATURE_EXCURSION,
            timestamp: now,
        });
    }
    Ok(())
}
