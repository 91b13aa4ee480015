use crate::constants::{roles, ACCOUNT_VERSION, GLN_LEN, SEED_PARTICIPANT, SEED_REGISTRY};
use crate::error::RegistryError;
use crate::events::ParticipantRegistered;
use crate::instructions::authorize_admin;
use crate::math::SafeMath;
use crate::state::{
    require_valid_gln, validate_roles, Participant, ParticipantStatus, RegistryConfig,
};
use anchor_lang::prelude::*;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct RegisterParticipantArgs {
    pub wallet: Pubkey,
    pub roles: u16,
    pub gln: [u8; GLN_LEN],
    pub credential_commitment: [u8; 32],
    pub valid_until: i64,
}

#[derive(Accounts)]
#[instruction(args: RegisterParticipantArgs)]
pub struct RegisterParticipant<'info> {
    #[account(mut, seeds = [SEED_REGISTRY], bump = registry.bump)]
    pub registry: Account<'info, RegistryConfig>,
    /// CHECK: created by the handler with `utils::pda` (works when somebody funded the address
    /// first); a second registration of the same wallet fails with `AlreadyRegistered`.
    #[account(mut, seeds = [SEED_PARTICIPANT, args.wallet.as_ref()], bump)]
    pub participant: UncheckedAccount<'info>,
    /// The registry authority, or a regulator acting as delegated administrator.
    pub admin: Signer<'info>,
    /// The admin's own participant account when the admin is a regulator.
    pub admin_participant: Option<Account<'info, Participant>>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl RegisterParticipant<'_> {
    pub fn validate(&self, args: &RegisterParticipantArgs) -> Result<()> {
        require_keys_neq!(
            *self.participant.owner,
            crate::ID,
            RegistryError::AlreadyRegistered
        );
        let now = Clock::get()?.unix_timestamp;
        authorize_admin(
            &self.registry,
            &self.admin.key(),
            self.admin_participant.as_deref(),
            args.roles & roles::REGULATOR != 0,
            now,
        )?;
        require_keys_neq!(
            args.wallet,
            Pubkey::default(),
            RegistryError::WalletMismatch
        );
        validate_roles(args.roles)?;
        require_valid_gln(&args.gln)?;
        require!(
            args.credential_commitment != [0u8; 32],
            RegistryError::InvalidCommitment
        );
        require!(args.valid_until > now, RegistryError::InvalidValidity);
        Ok(())
    }

    pub fn handler(ctx: Context<RegisterParticipant>, args: RegisterParticipantArgs) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        let bump = ctx.bumps.participant;
        let participant = Participant {
            version: ACCOUNT_VERSION,
            bump,
            status: ParticipantStatus::Active,
            roles: args.roles,
            wallet: args.wallet,
            gln: args.gln,
            credential_commitment: args.credential_commitment,
            valid_until: args.valid_until,
            registered_at: now,
            updated_at: now,
            registered_by: ctx.accounts.admin.key(),
            status_reason: 0,
        };
        participant.invariant()?;
        let a = &ctx.accounts;
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.participant.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_PARTICIPANT, args.wallet.as_ref(), &[bump]],
            &participant,
        )?;
        let participant_key = a.participant.key();

        let registry = &mut ctx.accounts.registry;
        registry.participant_count = registry.participant_count.safe_add(1)?;
        registry.updated_at = now.max(registry.updated_at);
        registry.invariant()?;

        caretrail_common::emit_event!(ParticipantRegistered {
            participant: participant_key,
            wallet: args.wallet,
            roles: args.roles,
            gln: args.gln,
            credential_commitment: args.credential_commitment,
            valid_until: args.valid_until,
            registered_by: ctx.accounts.admin.key(),
            timestamp: now,
        });
        Ok(())
    }
}
