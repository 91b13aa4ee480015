use crate::constants::ACCOUNT_VERSION;
use crate::error::ClaimsError;
use anchor_lang::prelude::*;

/// The claim a dispensed unit backs: PDA `["evidence", unit]`. A unit backs at most one live
/// claim, to any payer: `claim` is set at submission and cleared when that claim is voided,
/// replaced or reversed.
#[account]
#[derive(InitSpace, Debug)]
pub struct Evidence {
    pub version: u8,
    pub bump: u8,
    pub unit: Pubkey,
    /// The live claim naming the unit (default when none).
    pub claim: Pubkey,
    /// Claims that ever named the unit.
    pub claims_count: u32,
}

impl Evidence {
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ClaimsError::InvariantViolation
        );
        require!(self.claims_count > 0, ClaimsError::InvariantViolation);
        Ok(())
    }
}

/// Clears `evidence` of `claim` (a voided, replaced or reversed claim naming `unit`). The
/// account must be the unit's evidence record and name this claim.
pub fn release_evidence(
    evidence: Option<&AccountInfo>,
    claim: &Pubkey,
    unit: &Pubkey,
) -> Result<()> {
    if *unit == Pubkey::default() {
        return Ok(());
    }
    let info = evidence.ok_or(ClaimsError::EvidenceMismatch)?;
    let (address, _) = Pubkey::find_program_address(
        &[crate::constants::SEED_EVIDENCE, unit.as_ref()],
        &crate::ID,
    );
    require_keys_eq!(*info.key, address, ClaimsError::EvidenceMismatch);
    require!(info.is_writable, ClaimsError::EvidenceMismatch);
    let mut record = caretrail_common::pda::load_if_exists::<Evidence>(info, &crate::ID)?
        .ok_or(ClaimsError::EvidenceMismatch)?;
    if record.claim == *claim {
        record.claim = Pubkey::default();
        record.invariant()?;
        caretrail_common::pda::write_account(info, &record)?;
    }
    Ok(())
}
