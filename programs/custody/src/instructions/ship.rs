use crate::constants::{ACCOUNT_VERSION, SEED_HOP, SHIPMENT_REF_LEN};
use crate::error::CustodyError;
use crate::events::Shipped;
use crate::state::{Hop, HopStatus, Lot, Unit, UnitStatus};
use crate::utils::{now, require_lot_ok};
use anchor_lang::prelude::*;
use registry::constants::GLN_LEN;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct ShipArgs {
    /// GLN of the shipping location (EPCIS readPoint).
    pub read_point: [u8; GLN_LEN],
    /// First 16 bytes of sha256 of the ASN / despatch advice id.
    pub shipment_ref: [u8; SHIPMENT_REF_LEN],
    /// A saleable return (dispenser → distributor), verified at receipt.
    pub is_return: bool,
}

/// The holder ships a top-level unit (an item, case or pallet) to a named, active, authorized
/// trading partner: creates hop `unit.hop_count` (rent from `payer`, returned when the hop
/// completes) and puts the unit in transit.
#[derive(Accounts)]
pub struct Ship<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// CHECK: hop `unit.hop_count`, created by the handler with `caretrail_common::pda` (works
    /// when somebody funded the address first). Shipping a unit already in transit fails with
    /// the unit's status error; `validate()` then requires the hop to be fresh.
    #[account(mut, seeds = [SEED_HOP, unit.key().as_ref(), &unit.hop_count.to_le_bytes()], bump)]
    pub hop: UncheckedAccount<'info>,
    pub sender: Signer<'info>,
    pub sender_participant: Account<'info, Participant>,
    /// The receiver's registry entry; the receiver is its wallet.
    pub receiver_participant: Account<'info, Participant>,
    /// The item's lot (required for items, absent for aggregates).
    pub lot: Option<Account<'info, Lot>>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl Ship<'_> {
    pub fn validate(&self, args: &ShipArgs) -> Result<()> {
        let now = now()?;
        crate::utils::require_trading_partners(
            &self.sender.key(),
            &self.sender_participant,
            &self.receiver_participant,
            now,
        )?;
        require!(!self.unit.in_aggregate(), CustodyError::InsideAggregate);
        self.unit.require_active()?;
        require_keys_eq!(self.unit.holder, self.sender.key(), CustodyError::NotHolder);
        // An active unit has no pending hop: hop `hop_count` is always fresh here.
        require_keys_neq!(*self.hop.owner, crate::ID, CustodyError::InvariantViolation);
        // A saleable return is verified per package (status, lot and expiry here and again at
        // receipt), so only items are returned.
        require!(
            !args.is_return || !self.unit.is_aggregate(),
            CustodyError::ReturnNotAnItem
        );
        if !self.unit.is_aggregate() {
            let lot = self.lot.as_ref().ok_or(CustodyError::LotRequired)?;
            require_lot_ok(&self.unit, &lot.key(), lot, now)?;
        }
        registry::state::require_valid_gln(&args.read_point)?;
        Ok(())
    }

    pub fn handler(ctx: Context<Ship>, args: ShipArgs) -> Result<()> {
        let now = now()?;
        let to = ctx.accounts.receiver_participant.wallet;
        let bump = ctx.bumps.hop;
        let hop = Hop {
            version: ACCOUNT_VERSION,
            bump,
            status: HopStatus::Shipped,
            from: ctx.accounts.sender.key(),
            to,
            shipped_at: now,
            received_at: 0,
            read_point: args.read_point,
            shipment_ref: args.shipment_ref,
            payer: ctx.accounts.payer.key(),
        };
        hop.invariant()?;
        let a = &ctx.accounts;
        let unit_key = a.unit.key();
        let index = a.unit.hop_count.to_le_bytes();
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.hop.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_HOP, unit_key.as_ref(), &index, &[bump]],
            &hop,
        )?;
        let hop_key = a.hop.key();
        let unit = &mut ctx.accounts.unit;
        unit.status = UnitStatus::InTransit;
        unit.updated_at = now;
        unit.invariant()?;
        caretrail_common::emit_event!(Shipped {
            unit: unit.key(),
            hop: hop_key,
            index: unit.hop_count,
            from: hop.from,
            to,
            read_point: args.read_point,
            shipment_ref: args.shipment_ref,
            is_return: args.is_return,
            timestamp: now,
        });
        Ok(())
    }
}
