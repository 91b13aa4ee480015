use crate::constants::{ACCOUNT_VERSION, COMMISSIONER_ROLES, GTIN_LEN, SEED_LOT};
use crate::error::CustodyError;
use crate::events::LotRegistered;
use crate::state::{Lot, LotStatus};
use crate::utils::{now, require_prefix_holder};
use anchor_lang::prelude::*;
use registry::state::{CompanyPrefix, Participant};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RegisterLotArgs {
    pub gtin: [u8; GTIN_LEN],
    /// sha256 of the lot number (GS1 AI 10).
    pub lot_hash: [u8; 32],
    /// `YYYYMMDD` (AI 17 with DD=00 resolved by the client).
    pub expiry_date: u32,
    /// Unix time from which the lot is expired.
    pub expires_at: i64,
}

#[derive(Accounts)]
#[instruction(args: RegisterLotArgs)]
pub struct RegisterLot<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); an existing lot fails with `LotAlreadyRegistered`.
    #[account(mut, seeds = [SEED_LOT, args.gtin.as_ref(), args.lot_hash.as_ref()], bump)]
    pub lot: UncheckedAccount<'info>,
    pub manufacturer: Signer<'info>,
    pub manufacturer_participant: Account<'info, Participant>,
    /// The GS1 Company Prefix of the GTIN, licensed to the manufacturer in the registry.
    pub company_prefix: Account<'info, CompanyPrefix>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl RegisterLot<'_> {
    pub fn validate(&self, args: &RegisterLotArgs) -> Result<()> {
        let now = now()?;
        require_keys_neq!(
            *self.lot.owner,
            crate::ID,
            CustodyError::LotAlreadyRegistered
        );
        self.manufacturer_participant.require_role::<CustodyError>(
            &self.manufacturer.key(),
            COMMISSIONER_ROLES,
            now,
        )?;
        require!(
            caretrail_common::gs1::check_digit_valid(&args.gtin),
            CustodyError::InvalidGtin
        );
        require_prefix_holder(&self.company_prefix, &args.gtin, &self.manufacturer.key())?;
        require!(args.expires_at > now, CustodyError::InvalidExpiry);
        let (y, m, d) = (
            args.expiry_date / 10_000,
            args.expiry_date / 100 % 100,
            args.expiry_date % 100,
        );
        require!(
            (2000..=2199).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d),
            CustodyError::InvalidExpiry
        );
        Ok(())
    }

    pub fn handler(ctx: Context<RegisterLot>, args: RegisterLotArgs) -> Result<()> {
        let now = now()?;
        let bump = ctx.bumps.lot;
        let lot = Lot {
            version: ACCOUNT_VERSION,
            bump,
            status: LotStatus::Released,
            gtin: args.gtin,
            lot_hash: args.lot_hash,
            manufacturer: ctx.accounts.manufacturer.key(),
            expiry_date: args.expiry_date,
            expires_at: args.expires_at,
            registered_at: now,
            recalled_at: 0,
            recall_reason: 0,
            unit_count: 0,
        };
        lot.invariant()?;
        let a = &ctx.accounts;
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.lot.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_LOT,
                args.gtin.as_ref(),
                args.lot_hash.as_ref(),
                &[bump],
            ],
            &lot,
        )?;
        caretrail_common::emit_event!(LotRegistered {
            lot: a.lot.key(),
            gtin: args.gtin,
            lot_hash: args.lot_hash,
            manufacturer: lot.manufacturer,
            expiry_date: args.expiry_date,
            timestamp: now,
        });
        Ok(())
    }
}
