//! Cold chain for compressed packages, as `cold_chain.rs` for units: a receipt carries its
//! temperature logger's summary, checked on chain against the storage condition of the
//! package's lot, and an excursion quarantines what was received in the same instruction.
//!
//! - `receive_package_with_sensor`: a loose package; its lot is its tree's.
//! - `receive_with_package_sensor`: a case or pallet carrying compressed packages. The lot
//!   whose condition applies is that of a package travelling in it, proven from its tree (the
//!   package packed in the aggregate, or in a case named in `remaining_accounts` that is packed
//!   in it), so a receiver cannot pick a lot the goods are not of.

use super::cold_chain::{receive_sensed, storage_condition, SensedReceipt};
use super::receive::require_receivable;
use super::receive_package::require_package_receivable;
use super::suspect_package::{quarantine_package, QuarantineRecord};
use crate::constants::{
    REASON_TEMPERATURE_EXCURSION, SEED_PACKAGE_HOP, SEED_PACKAGE_QUARANTINE, SEED_QUARANTINE,
};
use crate::error::CustodyError;
use crate::events::{
    PackageAction, PackageHopCompleted, PackageSensorRecorded, PackageStatusChanged,
};
use crate::instructions::ship_package::PackageProof;
use crate::state::package_tree::{prove_package, write_leaf};
use crate::state::{Hop, HopStatus, Lot, PackageHop, PackageTree, SensorSummary, Unit, UnitKind};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The addressee receives a loose compressed package with its logger's summary.
#[derive(Accounts)]
#[instruction(package: PackageProof)]
pub struct ReceivePackageWithSensor<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub lot: Account<'info, Lot>,
    /// The pending hop of the proven leaf; closed when done.
    #[account(
        mut,
        seeds = [
            SEED_PACKAGE_HOP,
            tree.key().as_ref(),
            &package.index.to_le_bytes(),
            &package.leaf.hop_count.to_le_bytes(),
        ],
        bump = hop.bump,
        close = hop_payer
    )]
    pub hop: Account<'info, PackageHop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    /// Pays the quarantine record's rent on an excursion (returned when it is cleared).
    #[account(mut)]
    pub receiver: Signer<'info>,
    pub receiver_participant: Account<'info, Participant>,
    /// CHECK: `["storage", lot]` (a system account while the lot has no condition), verified
    /// in `validate`.
    pub storage: UncheckedAccount<'info>,
    /// CHECK: the package's quarantine record, created by the handler on an excursion (works
    /// when somebody funded the address first).
    #[account(
        mut,
        seeds = [SEED_PACKAGE_QUARANTINE, tree.key().as_ref(), &package.index.to_le_bytes()],
        bump
    )]
    pub quarantine: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl ReceivePackageWithSensor<'_> {
    pub fn validate(&self, package: &PackageProof, summary: &SensorSummary) -> Result<()> {
        require_package_receivable(
            package,
            &self.hop,
            &self.receiver.key(),
            &self.receiver_participant,
            &self.lot,
        )?;
        summary.validate()?;
        storage_condition(&self.storage, Some(self.lot.key()))?;
        Ok(())
    }

    pub fn handler(
        ctx: Context<ReceivePackageWithSensor>,
        package: PackageProof,
        summary: SensorSummary,
    ) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let condition = storage_condition(&a.storage, Some(a.lot.key()))?;
        let excursion = condition.as_ref().is_some_and(|c| c.is_excursion(&summary));
        let tree_key = a.tree.key();
        let receiver = a.receiver.key();
        let hop_index = package.leaf.hop_count;
        let received = a.hop.complete(&package.leaf, HopStatus::Received, now)?;
        caretrail_common::emit_event!(PackageHopCompleted {
            tree: tree_key,
            index: package.index,
            hop: a.hop.key(),
            hop_index,
            received: true,
            reason_code: 0,
            from: a.hop.from,
            to: a.hop.to,
            leaf: received,
            timestamp: now,
        });
        caretrail_common::emit_event!(PackageSensorRecorded {
            tree: tree_key,
            index: package.index,
            hop_index,
            by: receiver,
            min_centi_celsius: summary.min_centi_celsius,
            max_centi_celsius: summary.max_centi_celsius,
            mean_centi_celsius: summary.mean_centi_celsius,
            minutes_outside: summary.minutes_outside,
            readings: summary.readings,
            logger_hash: summary.logger_hash,
            storage: condition.map(|_| a.storage.key()).unwrap_or_default(),
            excursion,
            timestamp: now,
        });
        let after = if excursion {
            let quarantined = quarantine_package(
                QuarantineRecord {
                    tree: tree_key,
                    index: package.index,
                    flagger: &a.receiver,
                    by_regulator: false,
                    reason_code: REASON_TEMPERATURE_EXCURSION,
                    bump: ctx.bumps.quarantine,
                    quarantine: &a.quarantine,
                    system_program: &a.system_program,
                },
                &received,
                now,
            )?;
            caretrail_common::emit_event!(PackageStatusChanged {
                tree: tree_key,
                index: package.index,
                action: PackageAction::Flagged,
                by: receiver,
                reason_code: REASON_TEMPERATURE_EXCURSION,
                leaf: quarantined,
                timestamp: now,
            });
            quarantined
        } else {
            received
        };
        // The proof: the package is in transit at this index (fails with `InvalidProof`).
        write_leaf(&a.tree, &package, &after)
    }
}

/// The addressee receives a case or pallet carrying compressed packages with its logger's
/// summary, checked against the storage condition of the proven package's lot.
#[derive(Accounts)]
pub struct ReceiveWithPackageSensor<'info> {
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
    /// The tree of the package that names the lot.
    pub tree: AccountLoader<'info, PackageTree>,
    /// CHECK: `["storage", tree.lot]` (a system account while that lot has no condition),
    /// verified in `validate`.
    pub storage: UncheckedAccount<'info>,
    /// CHECK: the aggregate's quarantine record, created by the handler on an excursion.
    #[account(mut, seeds = [SEED_QUARANTINE, unit.key().as_ref()], bump)]
    pub quarantine: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl<'info> ReceiveWithPackageSensor<'info> {
    /// The lot of the proven package, after checking that it travels in the aggregate: packed
    /// in it, or in the case `path[0]` that is packed in it.
    fn governing_lot(&self, path: &[AccountInfo<'info>], package: &PackageProof) -> Result<Pubkey> {
        require!(self.unit.is_aggregate(), CustodyError::StorageMismatch);
        prove_package(&self.tree, package)?;
        let unit = self.unit.key();
        match path {
            [] => require_keys_eq!(package.leaf.parent, unit, CustodyError::StorageMismatch),
            [case] => {
                require_keys_eq!(*case.owner, crate::ID, CustodyError::StorageMismatch);
                let data = case.try_borrow_data()?;
                let case_unit = Unit::try_deserialize(&mut &data[..])
                    .map_err(|_| error!(CustodyError::StorageMismatch))?;
                require!(
                    case_unit.kind == UnitKind::Case && case_unit.parent == unit,
                    CustodyError::StorageMismatch
                );
                require_keys_eq!(
                    package.leaf.parent,
                    case.key(),
                    CustodyError::StorageMismatch
                );
            }
            _ => return err!(CustodyError::StorageMismatch),
        }
        Ok(self.tree.load()?.lot)
    }

    /// The receipt and the summary; the package's proof and the storage account are checked
    /// by the handler, once (a proof costs about 15,000 compute units).
    pub fn validate(&self, summary: &SensorSummary) -> Result<()> {
        require_receivable(
            &self.unit,
            &self.hop,
            &self.receiver.key(),
            &self.receiver_participant,
            None,
        )?;
        summary.validate()
    }

    pub fn handler(
        ctx: Context<'info, ReceiveWithPackageSensor<'info>>,
        package: PackageProof,
        summary: SensorSummary,
    ) -> Result<()> {
        let a = &ctx.accounts;
        let lot = a.governing_lot(ctx.remaining_accounts, &package)?;
        let condition = storage_condition(&a.storage, Some(lot))?;
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
