use crate::constants::{
    purpose, ACCOUNT_VERSION, MAX_EMERGENCY_SECONDS, MAX_UNREVIEWED_EMERGENCIES, SEED_BREAKGLASS,
    SEED_GRANT, SEED_PATIENT,
};
use crate::error::ConsentError;
use crate::events::EmergencyReviewed;
use crate::math::SafeMath;
use crate::state::{BreakGlass, ConsentGrant, GrantStatus, NewGrant, PatientRecord, Scope};
use crate::utils::now;
use anchor_lang::prelude::*;
use caretrail_common::pda::{init_account, load_if_exists, write_account};
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
/// patient's record until the patient reviews it. A provider has one open emergency grant per
/// patient at a time, and break-glass is refused while the patient has
/// `MAX_UNREVIEWED_EMERGENCIES` unreviewed ones.
#[derive(Accounts)]
#[instruction(grant_id: u64)]
pub struct EmergencyAccess<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); a reused id fails with `GrantIdInUse`.
    #[account(
        mut,
        seeds = [SEED_GRANT, patient.key().as_ref(), provider.key().as_ref(), &grant_id.to_le_bytes()],
        bump
    )]
    pub grant: UncheckedAccount<'info>,
    /// CHECK: the patient's record, created on the first break-glass (prefund-safe), else read
    /// and updated by the handler.
    #[account(mut, seeds = [SEED_PATIENT, patient.key().as_ref()], bump)]
    pub patient_record: UncheckedAccount<'info>,
    /// CHECK: this provider's break-glass record for this patient, created on the first
    /// break-glass (prefund-safe), else read and updated by the handler.
    #[account(mut, seeds = [SEED_BREAKGLASS, patient.key().as_ref(), provider.key().as_ref()], bump)]
    pub breakglass: UncheckedAccount<'info>,
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
        require_keys_neq!(*self.grant.owner, crate::ID, ConsentError::GrantIdInUse);
        if let Some(last) = load_if_exists::<BreakGlass>(&self.breakglass, &crate::ID)? {
            require!(now >= last.expires_at, ConsentError::EmergencyStillOpen);
        }
        if let Some(record) = load_if_exists::<PatientRecord>(&self.patient_record, &crate::ID)? {
            require!(
                record.unreviewed_emergencies < MAX_UNREVIEWED_EMERGENCIES,
                ConsentError::TooManyUnreviewedEmergencies
            );
        }
        self.provider_participant.require_role::<ConsentError>(
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
        let expires_at = now.safe_add(args.duration_seconds)?;
        let a = &ctx.accounts;
        let patient = a.patient.key();
        let provider = a.provider.key();
        let payer = a.provider.to_account_info();
        let system = a.system_program.to_account_info();
        let grant = ConsentGrant::new(NewGrant {
            bump: ctx.bumps.grant,
            status: GrantStatus::Active,
            emergency: true,
            delegate: Pubkey::default(),
            scope: args.scope,
            patient,
            grantee: provider,
            not_before: now,
            expires_at,
            policy_hash: args.justification_hash,
            now,
        });
        grant.invariant()?;
        grant.create(&payer, &a.grant, &system, grant_id)?;

        let existing = load_if_exists::<PatientRecord>(&a.patient_record, &crate::ID)?;
        let mut record = existing.unwrap_or(PatientRecord {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.patient_record,
            patient,
            emergency_count: 0,
            unreviewed_emergencies: 0,
            last_emergency_at: 0,
        });
        record.emergency_count = record.emergency_count.safe_add(1)?;
        record.unreviewed_emergencies = record.unreviewed_emergencies.safe_add(1)?;
        record.last_emergency_at = now;
        record.invariant()?;
        if *a.patient_record.owner == crate::ID {
            write_account(&a.patient_record, &record)?;
        } else {
            init_account(
                &payer,
                &a.patient_record,
                &system,
                &crate::ID,
                &[SEED_PATIENT, patient.as_ref(), &[record.bump]],
                &record,
            )?;
        }

        let previous = load_if_exists::<BreakGlass>(&a.breakglass, &crate::ID)?;
        let breakglass = BreakGlass {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.breakglass,
            patient,
            provider,
            grant: a.grant.key(),
            opened_at: now,
            expires_at,
            count: (previous.as_ref().map_or(0, |b| b.count)).safe_add(1)?,
        };
        breakglass.invariant()?;
        if previous.is_some() {
            write_account(&a.breakglass, &breakglass)?;
        } else {
            init_account(
                &payer,
                &a.breakglass,
                &system,
                &crate::ID,
                &[
                    SEED_BREAKGLASS,
                    patient.as_ref(),
                    provider.as_ref(),
                    &[ctx.bumps.breakglass],
                ],
                &breakglass,
            )?;
        }
        caretrail_common::emit_event!(grant.created_event(a.grant.key(), provider, grant_id));
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
        record.unreviewed_emergencies = record.unreviewed_emergencies.safe_sub(1)?;
        record.invariant()?;
        caretrail_common::emit_event!(EmergencyReviewed {
            grant: grant.key(),
            patient: grant.patient,
            timestamp: now
        });
        Ok(())
    }
}
