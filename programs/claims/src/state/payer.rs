use crate::constants::{ACCOUNT_VERSION, HOUR, MAX_ADJUDICATORS, WINDOW_HOURS};
use crate::error::ClaimsError;
use crate::math::SafeMath;
use anchor_lang::prelude::*;

/// What a payer may require of every claim it accepts (`Payer::requirements` bits).
pub mod requirement {
    /// The claim names an active consent grant (purpose HPAYMT) from the patient to the
    /// provider.
    pub const CONSENT: u8 = 1 << 0;
    /// The claim names a custody unit the provider dispensed.
    pub const DISPENSED_UNIT: u8 = 1 << 1;
    /// Every defined bit.
    pub const ALL: u8 = CONSENT | DISPENSED_UNIT;
}

/// An insurer: PDA `["payer", creator]` (`creator` is the first authority; the authority can
/// be handed over in two steps, the address stays). Its vault `["vault", payer]` is a token
/// account of `mint` (SPL Token or Token-2022) owned by this PDA; only this program moves its
/// funds.
#[account]
#[derive(InitSpace, Debug)]
pub struct Payer {
    pub version: u8,
    pub bump: u8,
    pub vault_bump: u8,
    pub adjudicator_count: u8,
    pub authority: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub token_program: Pubkey,
    /// Approvals above this need an adjudicator's signature.
    pub auto_approve_limit: u64,
    /// Most paid out in any 24 hours (a rolling window, see `window`).
    pub daily_limit: u64,
    /// Seconds after a decision during which the provider may appeal.
    pub appeal_window: i64,
    /// What was paid when, over the last 24 hours.
    pub window: PayoutWindow,
    pub total_funded: u64,
    pub total_paid: u64,
    pub total_reversed: u64,
    pub adjudicators: [Pubkey; MAX_ADJUDICATORS],
    /// The first authority: the PDA's seed.
    pub creator: Pubkey,
    /// Step 1 of an authority handover (default when none).
    pub pending_authority: Pubkey,
    /// Payments are paused by the authority.
    pub paused: bool,
    /// `requirement` bits every claim must meet.
    pub requirements: u8,
    /// Approved and not yet paid, voided or reversed: what the vault must keep.
    pub outstanding: u64,
    pub total_withdrawn: u64,
}

/// A rolling 24-hour payout window: what was paid in each of the last `WINDOW_HOURS` hours
/// (a ring indexed by hour). Two payments less than 24 hours apart always fall in one view
/// (the newest hour and the 24 before it), so no 24 hours ever pay out more than the limit,
/// whatever the time of day (a UTC-day counter allowed twice the limit around midnight).
#[derive(
    AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, Default, PartialEq, Eq, InitSpace,
)]
pub struct PayoutWindow {
    /// The hour (unix / 3600) of the newest bucket.
    pub hour: i64,
    /// The sum of `buckets`.
    pub paid: u64,
    pub buckets: [u64; WINDOW_HOURS],
}

impl PayoutWindow {
    /// The window as seen at `now`: hours that left it are forgotten.
    pub fn rolled(mut self, now: i64) -> PayoutWindow {
        let hour = now.div_euclid(HOUR);
        let elapsed = hour.saturating_sub(self.hour);
        if elapsed <= 0 {
            return self;
        }
        let n = WINDOW_HOURS as i64;
        if elapsed >= n {
            self.buckets = [0; WINDOW_HOURS];
        } else {
            for h in (self.hour + 1)..=hour {
                self.buckets[h.rem_euclid(n) as usize] = 0;
            }
        }
        self.hour = hour;
        self.paid = self.buckets.iter().sum();
        self
    }

    /// What may still be paid at `now` under `limit`.
    pub fn headroom(&self, limit: u64, now: i64) -> u64 {
        limit.saturating_sub(self.rolled(now).paid)
    }

    /// Records a payment of `amount` at `now`, or `DailyLimitExceeded`.
    pub fn pay(&mut self, amount: u64, limit: u64, now: i64) -> Result<()> {
        let mut w = self.rolled(now);
        let paid = w.paid.safe_add(amount)?;
        require!(paid <= limit, ClaimsError::DailyLimitExceeded);
        let slot = w.hour.rem_euclid(WINDOW_HOURS as i64) as usize;
        w.buckets[slot] = w.buckets[slot].safe_add(amount)?;
        w.paid = paid;
        *self = w;
        Ok(())
    }

    pub fn is_consistent(&self) -> bool {
        self.buckets.iter().try_fold(0u64, |a, b| a.checked_add(*b)) == Some(self.paid)
    }
}

impl Payer {
    /// An approved amount stops being owed (paid, voided, replaced or re-decided).
    pub fn settle(&mut self, amount: u64) -> Result<()> {
        self.outstanding = self.outstanding.safe_sub(amount)?;
        Ok(())
    }

    pub fn is_adjudicator(&self, key: &Pubkey) -> bool {
        self.adjudicators[..self.adjudicator_count as usize].contains(key)
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ClaimsError::InvariantViolation
        );
        require!(
            self.adjudicator_count as usize <= MAX_ADJUDICATORS,
            ClaimsError::InvariantViolation
        );
        require!(
            self.requirements & !requirement::ALL == 0,
            ClaimsError::InvariantViolation
        );
        require!(self.window.is_consistent(), ClaimsError::InvariantViolation);
        // Vault accounting: funded + reversed covers everything paid out and withdrawn.
        let inflow = self
            .total_funded
            .checked_add(self.total_reversed)
            .ok_or(ClaimsError::InvariantViolation)?;
        let outflow = self
            .total_paid
            .checked_add(self.total_withdrawn)
            .ok_or(ClaimsError::InvariantViolation)?;
        require_gte!(inflow, outflow, ClaimsError::InvariantViolation);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const L: u64 = 100;

    #[test]
    fn the_limit_holds_over_any_24_hours_not_per_utc_day() {
        let mut w = PayoutWindow::default();
        let before_midnight = 86_400 - 60;
        w.pay(L, L, before_midnight).unwrap();
        // Two minutes later, a new UTC day: still the same 24 hours.
        assert!(w.pay(1, L, 86_400 + 60).is_err());
        assert_eq!(w.headroom(L, 86_400 + 60), 0);
        // 24 hours after the payment's hour has fully passed, the limit is free again.
        assert_eq!(w.headroom(L, before_midnight + 24 * 3600), 0);
        assert_eq!(w.headroom(L, before_midnight + 25 * 3600), L);
        w.pay(L, L, before_midnight + 25 * 3600).unwrap();
    }

    #[test]
    fn payments_add_up_and_expire_hour_by_hour() {
        let mut w = PayoutWindow::default();
        let t0 = 1_780_272_000;
        for h in 0..10 {
            w.pay(10, L, t0 + h * 3600).unwrap();
        }
        assert_eq!(w.paid, 100);
        assert!(w.pay(1, L, t0 + 10 * 3600).is_err());
        // The first payment's hour leaves the view after 25 hours.
        assert_eq!(w.headroom(L, t0 + 25 * 3600), 10);
        assert_eq!(w.headroom(L, t0 + 40 * 3600), L);
        assert!(w.is_consistent());
        // A clock far ahead empties everything.
        assert_eq!(w.rolled(t0 + 1_000 * 3600).paid, 0);
    }
}
