use crate::constants::{ACCOUNT_VERSION, COMMISSIONER_ROLES, MAX_BATCH, SEED_UNIT};
use crate::error::CustodyError;
use crate::events::UnitsCommissioned;
use crate::math::SafeMath;
use crate::state::{Lot, Unit, UnitKind, UnitStatus};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// Commissions serialized units of a lot. `serial_hashes[i] = sha256(gtin ‖ serial)` and the
/// i-th remaining account is the unit PDA `["unit", serial_hashes[i]]` (writable).
#[derive(Accounts)]
pub struct CommissionUnits<'info> {
    #[account(mut, has_one = manufacturer @ CustodyError::Unauthorized)]
    pub lot: Account<'info, Lot>,
    pub manufacturer: Signer<'info>,
    pub manufacturer_participant: Account<'info, Participant>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl CommissionUnits<'_> {
    pub fn validate(&self, serial_hashes: &[[u8; 32]], remaining: &[AccountInfo]) -> Result<()> {
        let now = now()?;
        self.manufacturer_participant.require_role::<CustodyError>(
            &self.manufacturer.key(),
            COMMISSIONER_ROLES,
            now,
        )?;
        require!(
            !serial_hashes.is_empty() && serial_hashes.len() <= MAX_BATCH,
            CustodyError::InvalidBatch
        );
        require_eq!(
            serial_hashes.len(),
            remaining.len(),
            CustodyError::InvalidBatch
        );
        crate::utils::require_lot_usable(&self.lot, now)?;
        Ok(())
    }

    pub fn handler<'info>(
        ctx: Context<'info, CommissionUnits<'info>>,
        serial_hashes: Vec<[u8; 32]>,
    ) -> Result<()> {
        let now = now()?;
        let lot_key = ctx.accounts.lot.key();
        let payer = ctx.accounts.payer.to_account_info();
        let system = ctx.accounts.system_program.to_account_info();
        let mut units = Vec::with_capacity(serial_hashes.len());
        for (hash, info) in serial_hashes.iter().zip(ctx.remaining_accounts.iter()) {
            let (address, bump) = Pubkey::find_program_address(&[SEED_UNIT, hash], &crate::ID);
            require_keys_eq!(*info.key, address, CustodyError::UnitAddressMismatch);
            require!(info.is_writable, CustodyError::UnitAddressMismatch);
            // An existing unit (or one commissioned earlier in this batch) is a duplicate serial.
            require!(*info.owner != crate::ID, CustodyError::DuplicateSerial);
            let unit = Unit {
                version: ACCOUNT_VERSION,
                bump,
                kind: UnitKind::Item,
                status: UnitStatus::Active,
                status_before_quarantine: UnitStatus::Active,
                gtin: ctx.accounts.lot.gtin,
                lot: lot_key,
                expires_at: ctx.accounts.lot.expires_at,
                holder: ctx.accounts.manufacturer.key(),
                parent: Pubkey::default(),
                child_count: 0,
                hop_count: 0,
                chain_head: [0; 32],
                updated_at: now,
            };
            unit.invariant()?;
            caretrail_common::pda::init_account(
                &payer,
                info,
                &system,
                &crate::ID,
                &[SEED_UNIT, hash, &[bump]],
                &unit,
            )?;
            units.push(address);
        }
        let lot = &mut ctx.accounts.lot;
        lot.unit_count = lot.unit_count.safe_add(units.len() as u32)?;
        lot.invariant()?;
        caretrail_common::emit_event!(UnitsCommissioned {
            lot: lot_key,
            manufacturer: lot.manufacturer,
            units,
            timestamp: now
        });
        Ok(())
    }
}
