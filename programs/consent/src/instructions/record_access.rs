use crate::constants::GRANTEE_ROLES;
use crate::constants::SEED_DELEGATE;
use crate::error::ConsentError;
use crate::events::AccessRecorded;
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
        if self.grant.is_delegate_made() {
            // The delegation must still be the one the grant was made under: present (not
            // removed), unexpired, and not re-created since the guardian acted.
            let info = self
                .delegate
                .as_deref()
                .ok_or(ConsentError::DelegationEnded)?;
            let (address, _) = Pubkey::find_program_address(
                &[
                    SEED_DELEGATE,
                    self.grant.patient.as_ref(),
                    self.grant.delegate.as_ref(),
                ],
                &crate::ID,
            );
            require_keys_eq!(*info.key, address, ConsentError::DelegationEnded);
            let d = caretrail_common::pda::load_if_exists::<Delegate>(info, &crate::ID)?
                .ok_or(ConsentError::DelegationEnded)?;
            require!(
                now < d.expires_at && d.created_at <= self.grant.updated_at,
                ConsentError::DelegationEnded
            );
        }
        Ok(())
    }

    pub fn handler(ctx: Context<RecordAccess>, args: AccessArgs) -> Result<()> {
        let now = now()?;
        let grant = &mut ctx.accounts.grant;
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
        Ok(())
    }
}
