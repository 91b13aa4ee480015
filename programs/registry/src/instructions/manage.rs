//! The accounts every administrative change of an existing participant needs (update, suspend,
//! reinstate, revoke). Each instruction keeps its own `validate()` and handler in its own file.

use crate::constants::{roles, SEED_PARTICIPANT, SEED_REGISTRY};
use crate::instructions::authorize_admin;
use crate::state::{Participant, RegistryConfig};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct ManageParticipant<'info> {
    #[account(mut, seeds = [SEED_REGISTRY], bump = registry.bump)]
    pub registry: Account<'info, RegistryConfig>,
    #[account(mut, seeds = [SEED_PARTICIPANT, participant.wallet.as_ref()], bump = participant.bump)]
    pub participant: Account<'info, Participant>,
    /// The registry authority, or a regulator acting as delegated administrator.
    pub admin: Signer<'info>,
    /// The admin's own participant account when the admin is a regulator.
    pub admin_participant: Option<Account<'info, Participant>>,
}

impl ManageParticipant<'_> {
    /// Authorizes the admin for this participant; `new_roles` are the roles it will hold after
    /// the change (a regulator may neither touch a regulator nor create one).
    pub fn authorize(&self, new_roles: u16, now: i64) -> Result<()> {
        let touches_regulator = (self.participant.roles | new_roles) & roles::REGULATOR != 0;
        authorize_admin(
            &self.registry,
            &self.admin.key(),
            self.admin_participant.as_deref(),
            touches_regulator,
            now,
        )
    }
}
