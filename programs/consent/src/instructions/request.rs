use crate::constants::{GRANTEE_ROLES, SEED_GRANT};
use crate::error::ConsentError;
use crate::instructions::GrantArgs;
use crate::state::{ConsentGrant, GrantStatus, NewGrant};
use crate::utils::{now, require_partner};
use anchor_lang::prelude::*;
use registry::state::Participant;

/// A registered grantee asks a patient for access: the grant is `Proposed` until the patient
/// (or a delegate) approves or rejects it. The grantee pays for the account.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct Request<'info> {
    #[account(
        init_if_needed,
        payer = grantee,
        space = 8 + ConsentGrant::INIT_SPACE,
        seeds = [SEED_GRANT, patient.key().as_ref(), grantee.key().as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: Account<'info, ConsentGrant>,
    /// CHECK: only the patient's key (a seed).
    pub patient: UncheckedAccount<'info>,
    #[account(mut)]
    pub grantee: Signer<'info>,
    pub grantee_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl Request<'_> {
    pub fn validate(&self, args: &GrantArgs) -> Result<()> {
        let now = now()?;
        require_eq!(self.grant.version, 0, ConsentError::GrantIdInUse);
        require_keys_neq!(
            self.grantee.key(),
            self.patient.key(),
            ConsentError::SelfGrant
        );
        require_partner(
            &self.grantee_participant,
            &self.grantee.key(),
            GRANTEE_ROLES,
            now,
        )?;
        args.validate(now)
    }

    pub fn handler(ctx: Context<Request>, grant_id: u64, args: GrantArgs) -> Result<()> {
        let now = now()?;
        let grant = &mut ctx.accounts.grant;
        grant.set_inner(ConsentGrant::new(NewGrant {
            bump: ctx.bumps.grant,
            status: GrantStatus::Proposed,
            emergency: false,
            by_delegate: false,
            scope: args.scope,
            patient: ctx.accounts.patient.key(),
            grantee: ctx.accounts.grantee.key(),
            not_before: args.not_before,
            expires_at: args.expires_at,
            policy_hash: args.policy_hash,
            now,
        }));
        grant.invariant()?;
        registry::emit_event!(grant.created_event(grant.key(), grant.grantee, grant_id));
        Ok(())
    }
}
