use crate::constants::{SEED_UNIT, SSCC_LEN};
use crate::error::CustodyError;
use crate::events::AggregateClosed;
use crate::state::Unit;
use crate::utils::now;
use anchor_lang::prelude::*;
use registry::state::CompanyPrefix;

/// The holder of an emptied, top-level, active case or pallet closes it. Its rent goes to the
/// company that allocated its SSCC: the holder of the SSCC's GS1 Company Prefix in the
/// registry, as only that company could create it (`create_aggregate`). The events keep its
/// history; its custody hops closed as they completed.
#[derive(Accounts)]
#[instruction(sscc: [u8; SSCC_LEN])]
pub struct CloseAggregate<'info> {
    #[account(
        mut,
        seeds = [SEED_UNIT, sscc.as_ref()],
        bump = aggregate.bump,
        close = prefix_holder
    )]
    pub aggregate: Account<'info, Unit>,
    /// The registry's record of the SSCC's GS1 Company Prefix.
    pub company_prefix: Account<'info, CompanyPrefix>,
    /// CHECK: the prefix's holder (`company_prefix.holder`), who gets the rent.
    #[account(mut, address = company_prefix.holder @ CustodyError::RentPayerMismatch)]
    pub prefix_holder: UncheckedAccount<'info>,
    pub holder: Signer<'info>,
}

impl CloseAggregate<'_> {
    pub fn validate(&self, sscc: &[u8; SSCC_LEN]) -> Result<()> {
        let a = &self.aggregate;
        require!(a.is_aggregate(), CustodyError::InvalidNesting);
        require!(
            self.company_prefix.covers(sscc),
            CustodyError::NotUnderPrefix
        );
        require_keys_eq!(a.holder, self.holder.key(), CustodyError::NotHolder);
        require!(!a.in_aggregate(), CustodyError::InsideAggregate);
        a.require_active()?;
        require_eq!(a.child_count, 0, CustodyError::AggregateNotEmpty);
        Ok(())
    }

    pub fn handler(ctx: Context<CloseAggregate>, sscc: [u8; SSCC_LEN]) -> Result<()> {
        let a = &ctx.accounts;
        caretrail_common::emit_event!(AggregateClosed {
            unit: a.aggregate.key(),
            sscc,
            by: a.holder.key(),
            rent_to: a.prefix_holder.key(),
            chain_head: a.aggregate.chain_head,
            timestamp: now()?,
        });
        Ok(())
    }
}
