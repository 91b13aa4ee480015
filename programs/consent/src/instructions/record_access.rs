use crate::constants::GRANTEE_ROLES;
use crate::constants::SEED_DELEGATE;
use crate::error::ConsentError;
use crate::events::{AccessRecorded, AnchoredVersionRead};
use crate::math::SafeMath;
use crate::state::{single_bit_u16, single_bit_u8, ConsentGrant, Delegate};
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::constants::roles;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct AccessArgs {
    /// One data class (a single bit of `constants::class`).
    pub class: u16,
    /// One action (a single bit of `constants::action`).
    pub action: u8,
    /// One purpose (a single bit of `constants::purpose`).
    pub purpose: u8,
    /// sha256 of the accessed resource.
    pub resource_hash: [u8; 32],
}

/// The grantee records one access under a grant: it succeeds only if the grant is active, in
/// period and covers the class, action and purpose, and the grantee is still an authorized
/// participant. The event is the patient's audit record.
#[derive(Accounts)]
pub struct RecordAccess<'info> {
    #[account(mut, has_one = grantee @ ConsentError::NotGrantee, has_one = patient @ ConsentError::PatientMismatch)]
    pub grant: Account<'info, ConsentGrant>,
    /// CHECK: the grant's patient (checked by `has_one`), so the audit trail is indexed by it.
    pub patient: UncheckedAccount<'info>,
    pub grantee: Signer<'info>,
    pub grantee_participant: Account<'info, Participant>,
    /// CHECK: the delegation `["delegate", patient, guardian]` a guardian-made grant lives
    /// under (required for such a grant; read in `validate`: a removed, re-created or expired
    /// delegation ends the grant).
    pub delegate: Option<UncheckedAccount<'info>>,
}

impl RecordAccess<'_> {
    pub fn validate(&self, args: &AccessArgs) -> Result<()> {
        let now = now()?;
        let allowed = if self.grant.emergency {
            roles::PROVIDER
        } else {
            GRANTEE_ROLES
        };
        self.grantee_participant
            .require_role::<ConsentError>(&self.grantee.key(), allowed, now)?;
        require!(
            single_bit_u16(args.class) && single_bit_u8(args.action) && single_bit_u8(args.purpose),
            ConsentError::InvalidCode
        );
        self.grant
            .check_access(args.class, args.action, args.purpose, now)?;
        require_delegation_current(&self.grant, self.delegate.as_deref(), now)
    }

    pub fn handler(ctx: Context<RecordAccess>, args: AccessArgs) -> Result<()> {
        record(&mut ctx.accounts.grant, &args)?;
        Ok(())
    }
}

/// A guardian-made grant lives under its delegation: it must still be the one the grant was
/// made under — present (not removed), unexpired, and not re-created since the guardian acted.
/// Nothing to check for a grant the patient made. (Shared with `trials`' enrolment.)
pub fn require_delegation_current(
    grant: &ConsentGrant,
    delegate: Option<&AccountInfo>,
    now: i64,
) -> Result<()> {
    if !grant.is_delegate_made() {
        return Ok(());
    }
    let info = delegate.ok_or(ConsentError::DelegationEnded)?;
    let (address, _) = Pubkey::find_program_address(
        &[
            SEED_DELEGATE,
            grant.patient.as_ref(),
            grant.delegate.as_ref(),
        ],
        &crate::ID,
    );
    require_keys_eq!(*info.key, address, ConsentError::DelegationEnded);
    let d = caretrail_common::pda::load_if_exists::<Delegate>(info, &crate::ID)?
        .ok_or(ConsentError::DelegationEnded)?;
    require!(
        now < d.expires_at && d.created_at <= grant.updated_at,
        ConsentError::DelegationEnded
    );
    Ok(())
}

/// Counts one access and writes the patient's audit event; returns the time.
fn record(grant: &mut Account<ConsentGrant>, args: &AccessArgs) -> Result<i64> {
    let now = now()?;
    grant.access_count = grant.access_count.safe_add(1)?;
    grant.last_access_at = now;
    grant.invariant()?;
    caretrail_common::emit_event!(AccessRecorded {
        grant: grant.key(),
        patient: grant.patient,
        grantee: grant.grantee,
        class: args.class,
        action: args.action,
        purpose: args.purpose,
        resource_hash: args.resource_hash,
        emergency: grant.emergency,
        access_count: grant.access_count,
        timestamp: now,
    });
    Ok(now)
}

/// The grantee records one access to an anchored record version (`records`): the same checks
/// and audit event as `record_access`, with `resource_hash` the version's leaf, proven under
/// the anchored batch, and an `AnchoredVersionRead` event naming the batch.
#[derive(Accounts)]
pub struct RecordAnchoredAccess<'info> {
    pub access: RecordAccess<'info>,
    pub batch: Account<'info, records::state::RecordBatch>,
}

impl RecordAnchoredAccess<'_> {
    pub fn validate(&self, args: &AccessArgs, proof: &[[u8; 32]]) -> Result<()> {
        self.access.validate(args)?;
        require!(
            self.batch.contains(&args.resource_hash, proof),
            ConsentError::VersionNotAnchored
        );
        Ok(())
    }

    pub fn handler(
        ctx: Context<RecordAnchoredAccess>,
        args: AccessArgs,
        _proof: Vec<[u8; 32]>,
    ) -> Result<()> {
        let grant = &mut ctx.accounts.access.grant;
        let timestamp = record(grant, &args)?;
        caretrail_common::emit_event!(AnchoredVersionRead {
            grant: grant.key(),
            batch: ctx.accounts.batch.key(),
            leaf: args.resource_hash,
            timestamp,
        });
        Ok(())
    }
}
