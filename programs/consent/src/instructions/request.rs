use crate::constants::{GRANTEE_ROLES, SEED_GRANT};
use crate::error::ConsentError;
use crate::instructions::GrantArgs;
use crate::state::{ConsentGrant, GrantStatus, NewGrant};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::Participant;

/// A registered grantee asks a patient for access: the grant is `Proposed` until the patient
/// (or a delegate) approves or rejects it. The grantee pays for the account.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct Request<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); a reused id fails with `GrantIdInUse`.
    #[account(
        mut,
        seeds = [SEED_GRANT, patient.key().as_ref(), grantee.key().as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: UncheckedAccount<'info>,
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
        require_keys_neq!(*self.grant.owner, crate::ID, ConsentError::GrantIdInUse);
        require_keys_neq!(
            self.grantee.key(),
            self.patient.key(),
            ConsentError::SelfGrant
        );
        self.grantee_participant.require_role::<ConsentError>(
            &self.grantee.key(),
            GRANTEE_ROLES,
            now,
        )?;
        args.validate(now)
    }

    pub fn handler(ctx: Context<Request>, grant_id: u64, args: GrantArgs) -> Result<()> {
        let now = now()?;
        let a = &ctx.accounts;
        let (patient, grantee, bump) = (a.patient.key(), a.grantee.key(), ctx.bumps.grant);
        let grant = ConsentGrant::new(NewGrant {
            bump,
            status: GrantStatus::Proposed,
            emergency: false,
            delegate: Pubkey::default(),
            scope: args.scope,
            patient,
            grantee,
            not_before: args.not_before,
            expires_at: args.expires_at,
            policy_hash: args.policy_hash,
            now,
        });
        grant.invariant()?;
        grant.create(
            &a.grantee.to_account_info(),
            &a.grant,
            &a.system_program.to_account_info(),
            grant_id,
        )?;
        caretrail_common::emit_event!(grant.created_event(a.grant.key(), grantee, grant_id));
        Ok(())
    }
}
