use crate::constants::{purpose, ACCOUNT_VERSION, MAX_EMERGENCY_SECONDS, SEED_GRANT, SEED_PATIENT};
use crate::error::ConsentError;
use crate::events::EmergencyReviewed;
use crate::state::{ConsentGrant, GrantStatus, NewGrant, PatientRecord, Scope};
use crate::utils::{now, require_partner};
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct EmergencyArgs {
    /// Classes and actions needed; the purpose is always ETREAT.
    pub scope: Scope,
    /// At most 24 hours.
    pub duration_seconds: i64,
    /// sha256 of the clinical justification (kept off chain).
    pub justification_hash: [u8; 32],
}

/// Break-glass: an active provider opens emergency access to a patient's data for at most
/// 24 hours, without the patient's signature. The grant is flagged and counted in the
/// patient's record until the patient reviews it.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct EmergencyAccess<'info> {
    #[account(
        init_if_needed,
        payer = provider,
        space = 8 + ConsentGrant::INIT_SPACE,
        seeds = [SEED_GRANT, patient.key().as_ref(), provider.key().as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: Account<'info, ConsentGrant>,
    #[account(
        init_if_needed,
        payer = provider,
        space = 8 + PatientRecord::INIT_SPACE,
        seeds = [SEED_PATIENT, patient.key().as_ref()],
        bump
    )]
    pub patient_record: Account<'info, PatientRecord>,
    /// CHECK: only the patient's key (a seed).
    pub patient: UncheckedAccount<'info>,
    #[account(mut)]
    pub provider: Signer<'info>,
    pub provider_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl EmergencyAccess<'_> {
    pub fn validate(&self, args: &EmergencyArgs) -> Result<()> {
        let now = now()?;
        require_eq!(self.grant.version, 0, ConsentError::GrantIdInUse);
        require_partner(
            &self.provider_participant,
            &self.provider.key(),
            roles::PROVIDER,
            now,
        )?;
        require_keys_neq!(
            self.provider.key(),
            self.patient.key(),
            ConsentError::SelfGrant
        );
        require!(
            args.scope.purposes == purpose::ETREAT,
            ConsentError::EmergencyPurpose
        );
        require!(args.scope.is_valid(), ConsentError::InvalidScope);
        require!(args.duration_seconds > 0, ConsentError::InvalidPeriod);
        require!(
            args.duration_seconds <= MAX_EMERGENCY_SECONDS,
            ConsentError::EmergencyTooLong
        );
        Ok(())
    }

    pub fn handler(
        ctx: Context<EmergencyAccess>,
        grant_id: u64,
        args: EmergencyArgs,
    ) -> Result<()> {
        let now = now()?;
        let expires_at = crate::math::add_i64(now, args.duration_seconds)?;
        let patient = ctx.accounts.patient.key();
        let grant = &mut ctx.accounts.grant;
        grant.set_inner(ConsentGrant::new(NewGrant {
            bump: ctx.bumps.grant,
            status: GrantStatus::Active,
            emergency: true,
            by_delegate: false,
            scope: args.scope,
            patient,
            grantee: ctx.accounts.provider.key(),
            not_before: now,
            expires_at,
            policy_hash: args.justification_hash,
            now,
        }));
        grant.invariant()?;
        let record = &mut ctx.accounts.patient_record;
        if record.version == 0 {
            record.version = ACCOUNT_VERSION;
            record.bump = ctx.bumps.patient_record;
            record.patient = patient;
        }
        record.emergency_count = crate::math::add_u32(record.emergency_count, 1)?;
        record.unreviewed_emergencies = crate::math::add_u32(record.unreviewed_emergencies, 1)?;
        record.last_emergency_at = now;
        record.invariant()?;
        let grant = &ctx.accounts.grant;
        registry::emit_event!(grant.created_event(grant.key(), grant.grantee, grant_id));
        Ok(())
    }
}

/// The patient reviews a break-glass access.
#[derive(Accounts)]
pub struct ReviewEmergency<'info> {
    #[account(mut, has_one = patient @ ConsentError::Unauthorized)]
    pub grant: Account<'info, ConsentGrant>,
    #[account(mut, seeds = [SEED_PATIENT, patient.key().as_ref()], bump = patient_record.bump)]
    pub patient_record: Account<'info, PatientRecord>,
    pub patient: Signer<'info>,
}

impl ReviewEmergency<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.grant.emergency && !self.grant.reviewed,
            ConsentError::NotUnreviewedEmergency
        );
        Ok(())
    }

    pub fn handler(ctx: Context<ReviewEmergency>) -> Result<()> {
        let now = now()?;
        let grant = &mut ctx.accounts.grant;
        grant.reviewed = true;
        grant.updated_at = now;
        grant.invariant()?;
        let record = &mut ctx.accounts.patient_record;
        record.unreviewed_emergencies = crate::math::sub_u32(record.unreviewed_emergencies, 1)?;
        record.invariant()?;
        registry::emit_event!(EmergencyReviewed {
            grant: grant.key(),
            patient: grant.patient,
            timestamp: now
        });
        Ok(())
    }
}
