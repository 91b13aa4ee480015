use crate::error::ConsentError;
use crate::events::GrantClosed;
use crate::state::{ConsentGrant, GrantStatus};
use crate::utils::now;
use anchor_lang::prelude::*;

/// The patient closes a revoked, rejected or expired grant and takes back its rent. The
/// audit trail stays in the transaction history.
#[derive(Accounts)]
pub struct CloseGrant<'info> {
    #[account(mut, close = patient, has_one = patient @ ConsentError::Unauthorized)]
    pub grant: Account<'info, ConsentGrant>,
    #[account(mut)]
    pub patient: Signer<'info>,
}

impl CloseGrant<'_> {
    pub fn validate(&self) -> Result<()> {
        let now = now()?;
        let g = &self.grant;
        let closable =
            matches!(g.status, GrantStatus::Revoked | GrantStatus::Rejected) || now >= g.expires_at;
        require!(closable, ConsentError::GrantStillActive);
        // Closing must not erase a break-glass access before the patient has seen it.
        require!(
            !g.emergency || g.reviewed,
            ConsentError::EmergencyUnreviewed
        );
        Ok(())
    }

    pub fn handler(ctx: Context<CloseGrant>) -> Result<()> {
        caretrail_common::emit_event!(GrantClosed {
            grant: ctx.accounts.grant.key(),
            patient: ctx.accounts.patient.key(),
            timestamp: now()?
        });
        Ok(())
    }
}
