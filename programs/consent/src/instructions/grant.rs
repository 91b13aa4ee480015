use crate::constants::{GRANTEE_ROLES, SEED_GRANT};
use crate::error::ConsentError;
use crate::state::{ConsentGrant, Delegate, GrantStatus, NewGrant, Scope};
use crate::utils::{authorize_patient_or_delegate, now, require_partner};
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
/// payer or dispenser access. `init_if_needed` + a freshness check: a reused grant id fails
/// with `GrantIdInUse` on every runtime.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct Grant<'info> {
    #[account(
        init_if_needed,
        payer = payer,
        space = 8 + ConsentGrant::INIT_SPACE,
        seeds = [SEED_GRANT, patient.key().as_ref(), grantee_participant.wallet.as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: Account<'info, ConsentGrant>,
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
        require_eq!(self.grant.version, 0, ConsentError::GrantIdInUse);
        authorize_patient_or_delegate(
            &self.patient.key(),
            &self.authority.key(),
            self.delegate.as_deref(),
            &args.scope,
            now,
        )?;
        let grantee = self.grantee_participant.wallet;
        require_keys_neq!(grantee, self.patient.key(), ConsentError::SelfGrant);
        require_partner(&self.grantee_participant, &grantee, GRANTEE_ROLES, now)?;
        args.validate(now)
    }

    pub fn handler(ctx: Context<Grant>, grant_id: u64, args: GrantArgs) -> Result<()> {
        let now = now()?;
        let by_delegate = ctx.accounts.authority.key() != ctx.accounts.patient.key();
        let grant = &mut ctx.accounts.grant;
        grant.set_inner(ConsentGrant::new(NewGrant {
            bump: ctx.bumps.grant,
            status: GrantStatus::Active,
            emergency: false,
            by_delegate,
            scope: args.scope,
            patient: ctx.accounts.patient.key(),
            grantee: ctx.accounts.grantee_participant.wallet,
            not_before: args.not_before,
            expires_at: args.expires_at,
            policy_hash: args.policy_hash,
            now,
        }));
        grant.invariant()?;
        registry::emit_event!(grant.created_event(
            grant.key(),
            ctx.accounts.authority.key(),
            grant_id
        ));
        Ok(())
    }
}
