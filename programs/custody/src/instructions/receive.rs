use crate::constants::{CUSTODIAN_ROLES, SEED_HOP, SHIPMENT_TIMEOUT};
use crate::error::CustodyError;
use crate::events::{Received, Refused, ShipmentCancelled};
use crate::math::SafeMath;
use crate::state::{Hop, HopStatus, Lot, Unit, UnitStatus};
use crate::utils::{now, require_lot_ok};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// The addressee of the pending hop receives or refuses the unit.
#[derive(Accounts)]
pub struct Receive<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// The pending hop `["hop", unit, unit.hop_count]` (checked in `validate`, after the unit's
    /// status, so a repeated receive fails with `NotInTransit`); closed when done.
    #[account(mut, close = hop_payer)]
    pub hop: Account<'info, Hop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    pub receiver: Signer<'info>,
    pub receiver_participant: Account<'info, Participant>,
    /// The item's lot (required for items when receiving, absent for aggregates).
    pub lot: Option<Account<'info, Lot>>,
}

/// The unit is in transit and `hop` is its pending hop `["hop", unit, unit.hop_count]`.
pub(crate) fn require_pending_hop(unit: &Account<Unit>, hop: &Account<Hop>) -> Result<()> {
    require!(
        unit.status == UnitStatus::InTransit,
        CustodyError::NotInTransit
    );
    let unit_key = unit.key();
    let index = unit.hop_count.to_le_bytes();
    let expected = Pubkey::create_program_address(
        &[SEED_HOP, unit_key.as_ref(), &index, &[hop.bump]],
        &crate::ID,
    )
    .map_err(|_| CustodyError::HopMismatch)?;
    require_keys_eq!(hop.key(), expected, CustodyError::HopMismatch);
    require!(hop.status == HopStatus::Shipped, CustodyError::NotInTransit);
    Ok(())
}

/// What every receipt checks: the unit is in transit on `hop`, addressed to `receiver`, who is
/// still an authorized partner; an item's lot (`lot`, required) is not recalled and the unit
/// has not expired while in transit.
pub(crate) fn require_receivable(
    unit: &Account<Unit>,
    hop: &Account<Hop>,
    receiver: &Pubkey,
    participant: &Participant,
    lot: Option<&Account<Lot>>,
) -> Result<()> {
    require_pending_hop(unit, hop)?;
    require_keys_eq!(hop.to, *receiver, CustodyError::NotAddressee);
    let now = now()?;
    participant.require_role::<CustodyError>(receiver, CUSTODIAN_ROLES, now)?;
    if !unit.is_aggregate() {
        let lot = lot.ok_or(CustodyError::LotRequired)?;
        require_lot_ok(unit, &lot.key(), lot, now)?;
    }
    Ok(())
}

/// Completes the pending hop as `status`, advancing the hop count and the chain head; the
/// unit is active again, held by the receiver when received, else by the sender.
pub(crate) fn complete_hop(
    unit: &mut Account<Unit>,
    hop: &mut Account<Hop>,
    status: HopStatus,
    now: i64,
) -> Result<(u32, [u8; 32])> {
    let index = unit.hop_count;
    hop.status = status;
    hop.received_at = now;
    hop.invariant()?;
    let head = hop.chain(&unit.chain_head, index);
    unit.chain_head = head;
    unit.hop_count = index.safe_add(1)?;
    unit.status = UnitStatus::Active;
    if status == HopStatus::Received {
        unit.holder = hop.to;
    }
    unit.updated_at = now;
    unit.invariant()?;
    Ok((index, head))
}

impl Receive<'_> {
    fn validate_common(&self) -> Result<()> {
        require_pending_hop(&self.unit, &self.hop)?;
        require_keys_eq!(self.hop.to, self.receiver.key(), CustodyError::NotAddressee);
        Ok(())
    }

    /// Receiving re-checks everything a hop must satisfy: the receiver is still an authorized
    /// partner, the lot was not recalled and the unit has not expired while in transit.
    pub fn validate_receive(&self) -> Result<()> {
        require_receivable(
            &self.unit,
            &self.hop,
            &self.receiver.key(),
            &self.receiver_participant,
            self.lot.as_ref(),
        )
    }

    /// Refusing needs no standing: a suspended or expired partner may always send goods back.
    pub fn validate_refuse(&self) -> Result<()> {
        self.validate_common()?;
        require_keys_eq!(
            self.receiver_participant.wallet,
            self.receiver.key(),
            CustodyError::ParticipantMismatch
        );
        Ok(())
    }

    fn complete(&mut self, status: HopStatus, now: i64) -> Result<(u32, [u8; 32])> {
        complete_hop(&mut self.unit, &mut self.hop, status, now)
    }

    pub fn receive(ctx: Context<Receive>) -> Result<()> {
        let now = now()?;
        let (index, chain_head) = ctx.accounts.complete(HopStatus::Received, now)?;
        let hop = &ctx.accounts.hop;
        caretrail_common::emit_event!(Received {
            unit: ctx.accounts.unit.key(),
            hop: hop.key(),
            index,
            from: hop.from,
            to: hop.to,
            chain_head,
            timestamp: now,
        });
        Ok(())
    }

    pub fn refuse(ctx: Context<Receive>, reason_code: u16) -> Result<()> {
        let now = now()?;
        let (index, chain_head) = ctx.accounts.complete(HopStatus::Refused, now)?;
        let hop = &ctx.accounts.hop;
        caretrail_common::emit_event!(Refused {
            unit: ctx.accounts.unit.key(),
            hop: hop.key(),
            index,
            from: hop.from,
            to: hop.to,
            reason_code,
            chain_head,
            timestamp: now,
        });
        Ok(())
    }
}

/// The sender takes back a shipment its receiver has neither received nor refused within
/// `SHIPMENT_TIMEOUT`: the hop ends `Cancelled` and the unit is active with the sender again.
#[derive(Accounts)]
pub struct CancelShipment<'info> {
    #[account(mut)]
    pub unit: Account<'info, Unit>,
    /// The pending hop (checked in `validate`); closed when done.
    #[account(mut, close = hop_payer)]
    pub hop: Account<'info, Hop>,
    /// CHECK: who paid the hop's rent (`hop.payer`), which it gets back.
    #[account(mut, address = hop.payer @ CustodyError::RentPayerMismatch)]
    pub hop_payer: UncheckedAccount<'info>,
    pub sender: Signer<'info>,
}

impl CancelShipment<'_> {
    pub fn validate(&self) -> Result<()> {
        require_pending_hop(&self.unit, &self.hop)?;
        require_keys_eq!(self.hop.from, self.sender.key(), CustodyError::NotHolder);
        let deadline = self.hop.shipped_at.safe_add(SHIPMENT_TIMEOUT)?;
        require!(now()? >= deadline, CustodyError::ShipmentNotTimedOut);
        Ok(())
    }

    pub fn handler(ctx: Context<CancelShipment>) -> Result<()> {
        let now = now()?;
        let a = &mut *ctx.accounts;
        let (index, chain_head) = complete_hop(&mut a.unit, &mut a.hop, HopStatus::Cancelled, now)?;
        caretrail_common::emit_event!(ShipmentCancelled {
            unit: a.unit.key(),
            hop: a.hop.key(),
            index,
            from: a.hop.from,
            to: a.hop.to,
            chain_head,
            timestamp: now,
        });
        Ok(())
    }
}
