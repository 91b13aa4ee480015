//! Changes of an existing grant by the patient or a delegate: approve, reject, amend, revoke.

use crate::error::ConsentError;
use crate::events::{GrantAmended, GrantApproved, GrantRejected, GrantRevoked};
use crate::state::{ConsentGrant, Delegate, GrantStatus, Scope};
use crate::utils::{authorize_patient_or_delegate, clamp_to_delegation, now};
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
    fn authorize(&self, scope: &Scope, now: i64) -> Result<Option<&Delegate>> {
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
        let delegation = self.authorize(&self.grant.scope, now)?;
        require!(
            self.grant.status == GrantStatus::Proposed,
            ConsentError::NotProposed
        );
        require!(
            clamp_to_delegation(self.grant.expires_at, delegation) > self.grant.not_before,
            ConsentError::InvalidPeriod
        );
        Ok(())
    }

    pub fn approve(ctx: Context<ChangeGrant>) -> Result<()> {
        let now = now()?;
        // A guardian's approval ends no later than the guardian's delegation.
        let a = &ctx.accounts;
        let delegation = a
            .delegate
            .as_deref()
            .filter(|_| a.authority.key() != a.grant.patient);
        let guardian = delegation.map_or(Pubkey::default(), |d| d.guardian);
        let expires_at = clamp_to_delegation(a.grant.expires_at, delegation);
        let grant = &mut ctx.accounts.grant;
        grant.status = GrantStatus::Active;
        grant.delegate = guardian;
        grant.by_delegate = grant.is_delegate_made();
        grant.expires_at = expires_at;
        grant.updated_at = now;
        grant.invariant()?;
        caretrail_common::emit_event!(GrantApproved {
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
        caretrail_common::emit_event!(GrantRejected {
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
        let delegation = self.authorize(&grant.scope, now)?;
        let by_delegate = delegation.is_some();
        let scope = args.scope.unwrap_or(grant.scope);
        let expires_at =
            clamp_to_delegation(args.expires_at.unwrap_or(grant.expires_at), delegation);
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
        let a = &ctx.accounts;
        let by = a.authority.key();
        let delegation = a.delegate.as_deref().filter(|_| by != a.grant.patient);
        let guardian = delegation.map_or(Pubkey::default(), |d| d.guardian);
        let expires_at =
            clamp_to_delegation(args.expires_at.unwrap_or(a.grant.expires_at), delegation);
        let grant = &mut ctx.accounts.grant;
        let scope = args.scope.unwrap_or(grant.scope);
        let widened = !grant.scope.covers(&scope) || expires_at > grant.expires_at;
        grant.scope = scope;
        grant.expires_at = expires_at;
        grant.delegate = guardian;
        grant.by_delegate = grant.is_delegate_made();
        grant.updated_at = now;
        grant.invariant()?;
        caretrail_common::emit_event!(GrantAmended {
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
        caretrail_common::emit_event!(GrantRevoked {
            grant: grant.key(),
            by: ctx.accounts.authority.key(),
            timestamp: now
        });
        Ok(())
    }
}
