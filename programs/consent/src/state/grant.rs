use crate::constants::ACCOUNT_VERSION;
use crate::error::ConsentError;
use crate::state::Scope;
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum GrantStatus {
    /// Requested by the grantee, awaiting the patient.
    Proposed,
    Active,
    Revoked,
    Rejected,
}

/// A patient's consent to a grantee: PDA `["grant", patient, grantee, grant_id u64 LE]`.
/// Many may exist per pair. 189 bytes of data: who granted it (patient or delegate) is a flag
/// and, for a delegate, the guardian's key (the grant lives no longer than that delegation).
#[account]
#[derive(InitSpace, Debug)]
pub struct ConsentGrant {
    pub version: u8,
    pub bump: u8,
    pub status: GrantStatus,
    /// Break-glass access by a provider (purpose ETREAT, at most 24 h).
    pub emergency: bool,
    /// Granted, approved or last changed by a delegate rather than the patient.
    pub by_delegate: bool,
    pub scope: Scope,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub not_before: i64,
    pub expires_at: i64,
    /// sha256 of the consent/policy document (kept off chain).
    pub policy_hash: [u8; 32],
    pub created_at: i64,
    pub updated_at: i64,
    pub access_count: u32,
    pub last_access_at: i64,
    /// An emergency grant the patient has reviewed.
    pub reviewed: bool,
    /// The guardian whose delegation this grant was made, approved or last changed under
    /// (`Pubkey::default()` when the patient acted): access then needs that delegation alive.
    pub delegate: Pubkey,
}

/// What a new grant is made of.
pub struct NewGrant {
    pub bump: u8,
    pub status: GrantStatus,
    pub emergency: bool,
    /// The guardian who acted, or `Pubkey::default()` for the patient.
    pub delegate: Pubkey,
    pub scope: Scope,
    pub patient: Pubkey,
    pub grantee: Pubkey,
    pub not_before: i64,
    pub expires_at: i64,
    pub policy_hash: [u8; 32],
    pub now: i64,
}

impl ConsentGrant {
    /// A fresh grant (no accesses yet).
    pub fn new(g: NewGrant) -> ConsentGrant {
        ConsentGrant {
            version: ACCOUNT_VERSION,
            bump: g.bump,
            status: g.status,
            emergency: g.emergency,
            by_delegate: g.delegate != Pubkey::default(),
            scope: g.scope,
            patient: g.patient,
            grantee: g.grantee,
            not_before: g.not_before,
            expires_at: g.expires_at,
            policy_hash: g.policy_hash,
            created_at: g.now,
            updated_at: g.now,
            access_count: 0,
            last_access_at: 0,
            reviewed: false,
            delegate: g.delegate,
        }
    }

    /// Creates this grant's account `["grant", patient, grantee, grant_id]` with
    /// `caretrail_common::pda` (works when somebody funded the address first).
    pub fn create<'info>(
        &self,
        payer: &AccountInfo<'info>,
        target: &AccountInfo<'info>,
        system_program: &AccountInfo<'info>,
        grant_id: u64,
    ) -> Result<()> {
        caretrail_common::pda::init_account(
            payer,
            target,
            system_program,
            &crate::ID,
            &[
                crate::constants::SEED_GRANT,
                self.patient.as_ref(),
                self.grantee.as_ref(),
                &grant_id.to_le_bytes(),
                &[self.bump],
            ],
            self,
        )
    }

    /// Made, approved or last changed by a guardian rather than the patient.
    pub fn is_delegate_made(&self) -> bool {
        self.delegate != Pubkey::default()
    }

    /// The `GrantCreated` event of this freshly created grant.
    pub fn created_event(
        &self,
        grant: Pubkey,
        by: Pubkey,
        grant_id: u64,
    ) -> crate::events::GrantCreated {
        crate::events::GrantCreated {
            grant,
            patient: self.patient,
            grantee: self.grantee,
            by,
            grant_id,
            scope: self.scope,
            not_before: self.not_before,
            expires_at: self.expires_at,
            policy_hash: self.policy_hash,
            active: self.status == GrantStatus::Active,
            emergency: self.emergency,
            timestamp: self.created_at,
        }
    }

    pub const STATUS_OFFSET: usize = 10;
    pub const PATIENT_OFFSET: usize = 8 + 5 + 4;
    pub const GRANTEE_OFFSET: usize = Self::PATIENT_OFFSET + 32;

    /// Why this grant does not permit access now, if it does not.
    pub fn check_active(&self, now: i64) -> core::result::Result<(), ConsentError> {
        match self.status {
            GrantStatus::Active => {}
            GrantStatus::Revoked => return Err(ConsentError::GrantRevoked),
            GrantStatus::Proposed | GrantStatus::Rejected => {
                return Err(ConsentError::GrantNotActive)
            }
        }
        if now < self.not_before {
            return Err(ConsentError::GrantNotYetValid);
        }
        if now >= self.expires_at {
            return Err(ConsentError::GrantExpired);
        }
        Ok(())
    }

    /// Whether one access (a class, an action, a purpose: single codes) is permitted now.
    pub fn check_access(
        &self,
        class: u16,
        action: u8,
        purpose: u8,
        now: i64,
    ) -> core::result::Result<(), ConsentError> {
        self.check_active(now)?;
        if self.scope.classes & class == 0 {
            return Err(ConsentError::ClassNotCovered);
        }
        if self.scope.actions & action == 0 {
            return Err(ConsentError::ActionNotCovered);
        }
        if self.scope.purposes & purpose == 0 {
            return Err(ConsentError::PurposeNotCovered);
        }
        Ok(())
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            ConsentError::InvariantViolation
        );
        require!(self.scope.is_valid(), ConsentError::InvariantViolation);
        require!(
            self.expires_at > self.not_before,
            ConsentError::InvariantViolation
        );
        require_keys_neq!(self.patient, self.grantee, ConsentError::InvariantViolation);
        require!(
            self.by_delegate == self.is_delegate_made(),
            ConsentError::InvariantViolation
        );
        if self.emergency {
            require!(
                self.expires_at - self.not_before <= crate::constants::MAX_EMERGENCY_SECONDS,
                ConsentError::InvariantViolation
            );
            require!(
                self.scope.purposes == crate::constants::purpose::ETREAT,
                ConsentError::InvariantViolation
            );
        }
        Ok(())
    }
}
