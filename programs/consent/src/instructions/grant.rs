use crate::constants::{GRANTEE_ROLES, SEED_GRANT};
use crate::error::ConsentError;
use crate::state::{ConsentGrant, Delegate, GrantStatus, NewGrant, Scope};
use crate::utils::{authorize_patient_or_delegate, clamp_to_delegation, now};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct GrantArgs {
    pub scope: Scope,
    pub not_before: i64,
    pub expires_at: i64,
    /// sha256 of the consent/policy document.
    pub policy_hash: [u8; 32],
}

impl GrantArgs {
    pub fn validate(&self, now: i64) -> Result<()> {
        require!(self.scope.is_valid(), ConsentError::InvalidScope);
        require!(
            self.expires_at > self.not_before && self.expires_at > now,
            ConsentError::InvalidPeriod
        );
        Ok(())
    }
}

/// The patient (or a delegate within its scope) grants a registered provider, researcher,
/// payer or dispenser access; a reused grant id fails with `GrantIdInUse`. A grant made by a
/// guardian ends no later than the guardian's delegation.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct Grant<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first).
    #[account(
        mut,
        seeds = [SEED_GRANT, patient.key().as_ref(), grantee_participant.wallet.as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: UncheckedAccount<'info>,
    /// CHECK: only the patient's key (a seed); the patient or its delegate signs as `authority`.
    pub patient: UncheckedAccount<'info>,
    pub grantee_participant: Account<'info, Participant>,
    pub authority: Signer<'info>,
    pub delegate: Option<Account<'info, Delegate>>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl Grant<'_> {
    pub fn validate(&self, args: &GrantArgs) -> Result<()> {
        let now = now()?;
        require_keys_neq!(*self.grant.owner, crate::ID, ConsentError::GrantIdInUse);
        let delegation = authorize_patient_or_delegate(
            &self.patient.key(),
            &self.authority.key(),
            self.delegate.as_deref(),
            &args.scope,
            now,
        )?;
        let grantee = self.grantee_participant.wallet;
        require_keys_neq!(grantee, self.patient.key(), ConsentError::SelfGrant);
        self.grantee_participant
            .require_role::<ConsentError>(&grantee, GRANTEE_ROLES, now)?;
        args.validate(now)?;
        require!(
            clamp_to_delegation(args.expires_at, delegation) > args.not_before,
            ConsentError::InvalidPeriod
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Grant>, grant_id: u64, args: GrantArgs) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let patient = a.patient.key();
        let delegation = a
            .delegate
            .as_deref()
            .filter(|_| a.authority.key() != patient);
        let bump = ctx.bumps.grant;
        let grant = ConsentGrant::new(NewGrant {
            bump,
            status: GrantStatus::Active,
            emergency: false,
            delegate: delegation.map_or(Pubkey::default(), |d| d.guardian),
            scope: args.scope,
            patient,
            grantee: a.grantee_participant.wallet,
            not_before: args.not_before,
            expires_at: clamp_to_delegation(args.expires_at, delegation),
            policy_hash: args.policy_hash,
            now,
        });
        grant.invariant()?;
        grant.create(
            &a.payer.to_account_info(),
            &a.grant,
            &a.system_program.to_account_info(),
            grant_id,
        )?;
        caretrail_common::emit_event!(grant.created_event(
            a.grant.key(),
            a.authority.key(),
            grant_id
        ));
        Ok(())
    }
}
