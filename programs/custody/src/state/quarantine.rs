use crate::constants::ACCOUNT_VERSION;
use crate::error::CustodyError;
use anchor_lang::prelude::*;

/// Who quarantined a suspect unit: PDA `["quarantine", unit]`, created when the unit is flagged
/// (rent paid by the flagger) and closed back to the flagger when it is cleared or declared
/// illegitimate. Only the flagger or a regulator clears the unit.
#[account]
#[derive(InitSpace, Debug)]
pub struct Quarantine {
    pub version: u8,
    pub bump: u8,
    /// The flagger held the regulator role when it flagged.
    pub by_regulator: bool,
    pub unit: Pubkey,
    pub flagged_by: Pubkey,
    pub reason_code: u16,
    pub flagged_at: i64,
}

impl Quarantine {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            CustodyError::InvariantViolation
        );
        require_keys_neq!(
            self.flagged_by,
            Pubkey::default(),
            CustodyError::InvariantViolation
        );
        Ok(())
    }
}
