use crate::constants::{ACCOUNT_VERSION, MAX_ADJUDICATORS};
use crate::error::ClaimsError;
use anchor_lang::prelude::*;

/// An insurer: PDA `["payer", authority]`. Its vault `["vault", payer]` is a token account of
/// `mint` (SPL Token or Token-2022) owned by this PDA; only this program moves its funds.
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
    /// Most paid out per UTC day.
    pub daily_limit: u64,
    /// Seconds after a decision during which the provider may appeal.
    pub appeal_window: i64,
    /// Current UTC day (unix / 86400) and what was paid during it.
    pub day: i64,
    pub paid_today: u64,
    pub total_funded: u64,
    pub total_paid: u64,
    pub total_reversed: u64,
    pub adjudicators: [Pubkey; MAX_ADJUDICATORS],
}

impl Payer {
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
        require_gte!(
            self.daily_limit,
            self.paid_today,
            ClaimsError::InvariantViolation
        );
        // Vault accounting: funded + reversed covers everything paid out.
        let inflow = self
            .total_funded
            .checked_add(self.total_reversed)
            .ok_or(ClaimsError::InvariantViolation)?;
        require_gte!(inflow, self.total_paid, ClaimsError::InvariantViolation);
        Ok(())
    }
}
