//! Changes of an existing grant by the patient or a delegate: approve, reject, amend, revoke.

use crate::error::ConsentError;
use crate::events::{GrantAmended, GrantApproved, GrantRejected, GrantRevoked};
use crate::state::{ConsentGrant, Delegate, GrantStatus, Scope};
use crate::utils::{authorize_patient_or_delegate, now};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ChangeGrant<'info> {
    #[account(mut)]
    pub grant: Account<'info, ConsentGrant>,
    /// The patient, or a guardian with a `Delegate` account for this patient.
    pub authority: Signer<'info>,
    pub delegate: Option<Account<'info, Delegate>>,
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct AmendArgs {
    pub scope: Option<Scope>,
    pub expires_at: Option<i64>,
}

impl ChangeGrant<'_> {
    /// Authorizes the signer for the grant's current scope; returns whether a delegate acted.
    fn authorize(&self, scope: &Scope, now: i64) -> Result<bool> {
        authorize_patient_or_delegate(
            &self.grant.patient,
            &self.authority.key(),
            self.delegate.as_deref(),
            scope,
            now,
        )
    }

    pub fn validate_decision(&self) -> Result<()> {
        let now = now()?;
        self.authorize(&self.grant.scope, now)?;
        require!(
            self.grant.status == GrantStatus::Proposed,
            ConsentError::NotProposed
        );
        Ok(())
    }

    pub fn approve(ctx: Context<ChangeGrant>) -> Result<()> {
        let now = now()?;
        let by_delegate = ctx.accounts.authority.key() != ctx.accounts.grant.patient;
        let grant = &mut ctx.accounts.grant;
        grant.status = GrantStatus::Active;
        grant.by_delegate = by_delegate;
        grant.updated_at = now;
        grant.invariant()?;
        registry::emit_event!(GrantApproved {
            grant: grant.key(),
            by: ctx.accounts.authority.key(),
            timestamp: now
        });
        Ok(())
    }

    pub fn reject(ctx: Context<ChangeGrant>) -> Result<()> {
        let now = now()?;
        let grant = &mut ctx.accounts.grant;
        grant.status = GrantStatus::Rejected;
        grant.updated_at = now;
        grant.invariant()?;
        registry::emit_event!(GrantRejected {
            grant: grant.key(),
            by: ctx.accounts.authority.key(),
            timestamp: now
        });
        Ok(())
    }

    /// Narrowing (a subset of the scope, an earlier expiry) is allowed to the patient and to a
    /// delegate within its scope; widening anything needs the patient.
    pub fn validate_amend(&self, args: &AmendArgs) -> Result<()> {
        let now = now()?;
        require!(
            args.scope.is_some() || args.expires_at.is_some(),
            ConsentError::EmptyAmendment
        );
        let grant = &self.grant;
        require!(
            matches!(grant.status, GrantStatus::Active | GrantStatus::Proposed),
            ConsentError::GrantNotActive
        );
        let by_delegate = self.authorize(&grant.scope, now)?;
        let scope = args.scope.unwrap_or(grant.scope);
        let expires_at = args.expires_at.unwrap_or(grant.expires_at);
        require!(scope.is_valid(), ConsentError::InvalidScope);
        require!(
            expires_at > grant.not_before && expires_at > now,
            ConsentError::InvalidPeriod
        );
        let widens = !grant.scope.covers(&scope) || expires_at > grant.expires_at;
        if widens {
            require!(!by_delegate, ConsentError::WideningNeedsPatient);
            require!(!grant.emergency, ConsentError::EmergencyPurpose);
        }
        Ok(())
    }

    pub fn amend(ctx: Context<ChangeGrant>, args: AmendArgs) -> Result<()> {
        let now = now()?;
        let by = ctx.accounts.authority.key();
        let grant = &mut ctx.accounts.grant;
        let scope = args.scope.unwrap_or(grant.scope);
        let expires_at = args.expires_at.unwrap_or(grant.expires_at);
        let widened = !grant.scope.covers(&scope) || expires_at > grant.expires_at;
        grant.scope = scope;
        grant.expires_at = expires_at;
        grant.by_delegate = by != grant.patient;
        grant.updated_at = now;
        grant.invariant()?;
        registry::emit_event!(GrantAmended {
            grant: grant.key(),
            by,
            scope,
            expires_at,
            widened,
            timestamp: now
        });
        Ok(())
    }

    /// Revocation at any time, by the patient or a delegate within its scope.
    pub fn validate_revoke(&self) -> Result<()> {
        let now = now()?;
        self.authorize(&self.grant.scope, now)?;
        match self.grant.status {
            GrantStatus::Active | GrantStatus::Proposed => Ok(()),
            GrantStatus::Revoked => err!(ConsentError::GrantRevoked),
            GrantStatus::Rejected => err!(ConsentError::GrantNotActive),
        }
    }

    pub fn revoke(ctx: Context<ChangeGrant>) -> Result<()> {
        let now = now()?;
        let grant = &mut ctx.accounts.grant;
        grant.status = GrantStatus::Revoked;
        grant.updated_at = now;
        grant.invariant()?;
        registry::emit_event!(GrantRevoked {
            grant: grant.key(),
            by: ctx.accounts.authority.key(),
            timestamp: now
        });
        Ok(())
    }
}
