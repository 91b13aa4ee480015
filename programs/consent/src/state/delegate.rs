use crate::constants::ACCOUNT_VERSION;
use crate::error::ConsentError;
use crate::state::Scope;
use anchor_lang::prelude::*;

/// A guardian acting for a patient (a minor, incapacity): PDA `["delegate", patient, guardian]`.
/// Within its scope and until its expiry it may grant, approve, reject, narrow and revoke;
/// widening a grant always needs the patient.
#[account]
#[derive(InitSpace, Debug)]
pub struct Delegate {
    pub version: u8,
    pub bump: u8,
    pub scope: Scope,
    pub patient: Pubkey,
    pub guardian: Pubkey,
    pub expires_at: i64,
    pub created_at: i64,
}

impl Delegate {
    /// This delegate may act for `patient` as `signer` on a grant of `scope` at `now`.
    pub fn check(&self, patient: &Pubkey, signer: &Pubkey, scope: &Scope, now: i64) -> Result<()> {
        require_keys_eq!(self.patient, *patient, ConsentError::DelegateMismatch);
        require_keys_eq!(self.guardian, *signer, ConsentError::DelegateMismatch);
        require!(now < self.expires_at, ConsentError::DelegateExpired);
        require!(self.scope.covers(scope), ConsentError::DelegateOutOfScope);
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ConsentError::InvariantViolation
        );
        require!(self.scope.is_valid(), ConsentError::InvariantViolation);
        require_keys_neq!(
            self.patient,
            self.guardian,
            ConsentError::InvariantViolation
        );
        Ok(())
    }
}
