//! DSCSA suspect product handling for compressed packages, as `suspect.rs` for units: any
//! holder or a regulator quarantines a package (a `Quarantine` record names who did); only
//! that party or a regulator clears it; a regulator or the lot's manufacturer declares it
//! illegitimate (terminal).

use crate::constants::{ACCOUNT_VERSION, CUSTODIAN_ROLES, SEED_PACKAGE_QUARANTINE};
use crate::error::CustodyError;
use crate::events::{PackageAction, PackageStatusChanged};
use crate::instructions::ship_package::PackageProof;
use crate::state::package_tree::write_leaf;
use crate::state::{Lot, PackageLeaf, PackageTree, Quarantine, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

/// Writes the proven package's new state and emits what happened.
fn apply(
    tree: &AccountLoader<PackageTree>,
    package: &PackageProof,
    after: PackageLeaf,
    action: PackageAction,
    by: Pubkey,
    reason_code: u16,
) -> Result<()> {
    write_leaf(tree, package, &after)?;
    caretrail_common::emit_event!(PackageStatusChanged {
        tree: tree.key(),
        index: package.index,
        action,
        by,
        reason_code,
        leaf: after,
        timestamp: now()?,
    });
    Ok(())
}

/// Who quarantines leaf `index` of `tree`, why, and the accounts its record takes.
pub(crate) struct QuarantineRecord<'a, 'info> {
    pub tree: Pubkey,
    pub index: u32,
    /// Pays the record's rent (returned when the quarantine ends).
    pub flagger: &'a Signer<'info>,
    pub by_regulator: bool,
    pub reason_code: u16,
    pub bump: u8,
    pub quarantine: &'a UncheckedAccount<'info>,
    pub system_program: &'a Program<'info, System>,
}

/// Creates the package's quarantine record `["package_quarantine", tree, index]` (works when
/// somebody funded the address first) and returns `leaf` quarantined, its status kept to be
/// restored when the quarantine is cleared.
pub(crate) fn quarantine_package(
    r: QuarantineRecord,
    leaf: &PackageLeaf,
    now: i64,
) -> Result<PackageLeaf> {
    let record = Quarantine {
        version: ACCOUNT_VERSION,
        bump: r.bump,
        by_regulator: r.by_regulator,
        unit: r.tree,
        flagged_by: r.flagger.key(),
        reason_code: r.reason_code,
        flagged_at: now,
    };
    record.invariant()?;
    caretrail_common::pda::init_account(
        &r.flagger.to_account_info(),
        r.quarantine,
        &r.system_program.to_account_info(),
        &crate::ID,
        &[
            SEED_PACKAGE_QUARANTINE,
            r.tree.as_ref(),
            &r.index.to_le_bytes(),
            &[record.bump],
        ],
        &record,
    )?;
    Ok(PackageLeaf {
        status: UnitStatus::Quarantined,
        status_before_quarantine: leaf.status,
        updated_at: now,
        ..*leaf
    })
}

#[derive(Accounts)]
#[instruction(package: PackageProof)]
pub struct FlagPackage<'info> {
    #[account(mut)]
    pub tree: AccountLoader<'info, PackageTree>,
    /// CHECK: the package's quarantine record, created by the handler with
    /// `caretrail_common::pda` (works when somebody funded the address first; a record left
    /// by an earlier quarantine was closed when it ended).
    #[account(
        mut,
        seeds = [SEED_PACKAGE_QUARANTINE, tree.key().as_ref(), &package.index.to_le_bytes()],
        bump
    )]
    pub quarantine: UncheckedAccount<'info>,
    /// Pays the record's rent (returned when the quarantine ends).
    #[account(mut)]
    pub flagger: Signer<'info>,
    pub flagger_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl FlagPackage<'_> {
    pub fn validate(&self, package: &PackageProof) -> Result<()> {
        let now = now()?;
        let signer = self.flagger.key();
        let leaf = &package.leaf;
        self.flagger_participant.require_role::<CustodyError>(
            &signer,
            crate::utils::flagger_roles(&leaf.holder, &signer),
            now,
        )?;
        require!(!leaf.in_aggregate(), CustodyError::InsideAggregate);
        // Active or in transit (a receiver-side suspicion) may be quarantined; terminal may not.
        match leaf.status {
            UnitStatus::Active | UnitStatus::InTransit => Ok(()),
            _ => leaf.require_active(),
        }
    }

    pub fn handler(
        ctx: Context<FlagPackage>,
        package: PackageProof,
        reason_code: u16,
    ) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let flagger = a.flagger.key();
        let tree_key = a.tree.key();
        let after = quarantine_package(
            QuarantineRecord {
                tree: tree_key,
                index: package.index,
                flagger: &a.flagger,
                by_regulator: package.leaf.holder != flagger,
                reason_code,
                bump: ctx.bumps.quarantine,
                quarantine: &a.quarantine,
                system_program: &a.system_program,
            },
            &package.leaf,
            now,
        )?;
        apply(
            &a.tree,
            &package,
            after,
            PackageAction::Flagged,
            flagger,
            reason_code,
        )
    }
}

#[derive(Accounts)]
#[instruction(package: PackageProof)]
pub struct ResolvePackage<'info> {
    #[account(mut, has_one = lot @ CustodyError::TreeLotMismatch)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub lot: Account<'info, Lot>,
    /// CHECK: the package's quarantine record (read in `validate`, closed to `flagger`).
    #[account(
        mut,
        seeds = [SEED_PACKAGE_QUARANTINE, tree.key().as_ref(), &package.index.to_le_bytes()],
        bump
    )]
    pub quarantine: UncheckedAccount<'info>,
    /// CHECK: who quarantined the package (the record's `flagged_by`), who gets its rent back.
    #[account(mut)]
    pub flagger: UncheckedAccount<'info>,
    pub investigator: Signer<'info>,
    pub investigator_participant: Account<'info, Participant>,
}

impl ResolvePackage<'_> {
    fn record(&self, package: &PackageProof) -> Result<Quarantine> {
        crate::utils::load_quarantine(
            package.leaf.status == UnitStatus::Quarantined,
            &self.quarantine,
            &self.flagger.key(),
        )
    }

    /// Clearing: the party that flagged it (with the standing it flagged with), or a regulator.
    pub fn validate_clear(&self, package: &PackageProof) -> Result<()> {
        let record = self.record(package)?;
        crate::utils::require_clearer(
            &record,
            &self.investigator.key(),
            &self.investigator_participant,
            now()?,
        )
    }

    /// Declaring illegitimate: a regulator, or the manufacturer of the package's lot.
    pub fn validate_illegitimate(&self, package: &PackageProof) -> Result<()> {
        let signer = self.investigator.key();
        let allowed = if self.lot.manufacturer == signer {
            crate::constants::COMMISSIONER_ROLES
        } else {
            roles::REGULATOR
        };
        self.investigator_participant
            .require_role::<CustodyError>(&signer, allowed, now()?)?;
        self.record(package)?;
        Ok(())
    }

    pub fn clear(ctx: Context<ResolvePackage>, package: PackageProof) -> Result<()> {
        let a = &ctx.accounts;
        caretrail_common::pda::close_account(&a.quarantine, &a.flagger)?;
        let after = PackageLeaf {
            status: package.leaf.status_before_quarantine,
            status_before_quarantine: UnitStatus::Active,
            updated_at: now()?,
            ..package.leaf
        };
        apply(
            &a.tree,
            &package,
            after,
            PackageAction::Cleared,
            a.investigator.key(),
            0,
        )
    }

    pub fn declare_illegitimate(
        ctx: Context<ResolvePackage>,
        package: PackageProof,
        reason_code: u16,
    ) -> Result<()> {
        let a = &ctx.accounts;
        caretrail_common::pda::close_account(&a.quarantine, &a.flagger)?;
        let after = PackageLeaf {
            status: UnitStatus::Illegitimate,
            updated_at: now()?,
            ..package.leaf
        };
        apply(
            &a.tree,
            &package,
            after,
            PackageAction::DeclaredIllegitimate,
            a.investigator.key(),
            reason_code,
        )
    }
}

/// The holder takes an unpacked compressed package out of the supply chain for good:
/// decommissioned (a sample, damaged) or destroyed.
#[derive(Accounts)]
pub struct DecommissionPackage<'info> {
    #[account(mut)]
    pub tree: AccountLoader<'info, PackageTree>,
    pub holder: Signer<'info>,
    pub holder_participant: Account<'info, Participant>,
}

impl DecommissionPackage<'_> {
    pub fn validate(&self, package: &PackageProof) -> Result<()> {
        self.holder_participant.require_role::<CustodyError>(
            &self.holder.key(),
            CUSTODIAN_ROLES,
            now()?,
        )?;
        let leaf = &package.leaf;
        require!(!leaf.in_aggregate(), CustodyError::InsideAggregate);
        require_keys_eq!(leaf.holder, self.holder.key(), CustodyError::NotHolder);
        // A quarantined package stays as it is until cleared or declared illegitimate.
        leaf.require_active()
    }

    pub fn handler(
        ctx: Context<DecommissionPackage>,
        package: PackageProof,
        destroyed: bool,
        reason_code: u16,
    ) -> Result<()> {
        let (status, action) = if destroyed {
            (UnitStatus::Destroyed, PackageAction::Destroyed)
        } else {
            (UnitStatus::Decommissioned, PackageAction::Decommissioned)
        };
        let after = PackageLeaf {
            status,
            updated_at: now()?,
            ..package.leaf
        };
        apply(
            &ctx.accounts.tree,
            &package,
            after,
            action,
            ctx.accounts.holder.key(),
            reason_code,
        )
    }
}
