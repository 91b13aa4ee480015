use crate::constants::{ACCOUNT_VERSION, CUSTODIAN_ROLES, SEED_UNIT, SSCC_LEN};
use crate::error::CustodyError;
use crate::events::AggregateCreated;
use crate::state::{Unit, UnitKind, UnitStatus};
use crate::utils::{now, require_prefix_holder};
use anchor_lang::prelude::*;
use registry::state::{CompanyPrefix, Participant};

/// Creates an empty case or pallet identified by its SSCC, held by the packer.
#[derive(Accounts)]
#[instruction(sscc: [u8; SSCC_LEN])]
pub struct CreateAggregate<'info> {
    /// CHECK: created by the handler with `caretrail_common::pda` (works when somebody funded
    /// the address first); an existing SSCC fails with `AggregateExists`.
    #[account(mut, seeds = [SEED_UNIT, sscc.as_ref()], bump)]
    pub aggregate: UncheckedAccount<'info>,
    pub packer: Signer<'info>,
    pub packer_participant: Account<'info, Participant>,
    /// The GS1 Company Prefix of the SSCC, licensed to the packer in the registry.
    pub company_prefix: Account<'info, CompanyPrefix>,
    #[account(mut)]
    pub payer: Signer<'info>,
    pub system_program: Program<'info, System>,
}

impl CreateAggregate<'_> {
    pub fn validate(&self, sscc: &[u8; SSCC_LEN], kind: UnitKind) -> Result<()> {
        require_keys_neq!(
            *self.aggregate.owner,
            crate::ID,
            CustodyError::AggregateExists
        );
        self.packer_participant.require_role::<CustodyError>(
            &self.packer.key(),
            CUSTODIAN_ROLES,
            now()?,
        )?;
        require!(
            caretrail_common::gs1::check_digit_valid(sscc),
            CustodyError::InvalidSscc
        );
        require_prefix_holder(&self.company_prefix, sscc, &self.packer.key())?;
        require!(kind != UnitKind::Item, CustodyError::InvalidNesting);
        Ok(())
    }

    pub fn handler(
        ctx: Context<CreateAggregate>,
        sscc: [u8; SSCC_LEN],
        kind: UnitKind,
    ) -> Result<()> {
        let now = now()?;
        let bump = ctx.bumps.aggregate;
        let aggregate = Unit {
            version: ACCOUNT_VERSION,
            bump,
            kind,
            status: UnitStatus::Active,
            status_before_quarantine: UnitStatus::Active,
            gtin: [0; 14],
            lot: Pubkey::default(),
            expires_at: 0,
            holder: ctx.accounts.packer.key(),
            parent: Pubkey::default(),
            child_count: 0,
            hop_count: 0,
            chain_head: [0; 32],
            updated_at: now,
        };
        aggregate.invariant()?;
        let a = &ctx.accounts;
        caretrail_common::pda::init_account(
            &a.payer.to_account_info(),
            &a.aggregate.to_account_info(),
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_UNIT, sscc.as_ref(), &[bump]],
            &aggregate,
        )?;
        caretrail_common::emit_event!(AggregateCreated {
            unit: a.aggregate.key(),
            sscc,
            kind: kind as u8,
            by: ctx.accounts.packer.key(),
            timestamp: now,
        });
        Ok(())
    }
}
