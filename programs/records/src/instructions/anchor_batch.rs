use crate::constants::{ACCOUNT_VERSION, ANCHOR_ROLES, MAX_LEAVES, SEED_BATCH};
use crate::error::RecordsError;
use crate::events::BatchAnchored;
use crate::state::RecordBatch;
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnchorBatchArgs {
    /// Merkle root over the batch's leaves (`caretrail_common::merkle`).
    pub root: [u8; 32],
    /// How many leaves the tree has.
    pub leaves: u32,
}

/// A provider (or dispenser) anchors a batch of record versions.
#[derive(Accounts)]
#[instruction(args: AnchorBatchArgs)]
pub struct AnchorBatch<'info> {
    /// CHECK: `["record_batch", provider, root]`, created by the handler with
    /// `caretrail_common::pda` (works when somebody funded the address first).
    #[account(mut, seeds = [SEED_BATCH, provider.key().as_ref(), args.root.as_ref()], bump)]
    pub batch: UncheckedAccount<'info>,
    #[account(mut)]
    pub provider: Signer<'info>,
    pub provider_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl AnchorBatch<'_> {
    pub fn validate(&self, args: &AnchorBatchArgs) -> Result<()> {
        self.provider_participant.require_role::<RecordsError>(
            &self.provider.key(),
            ANCHOR_ROLES,
            caretrail_common::now()?,
        )?;
        require!(
            args.root != [0; 32] && args.leaves >= 1 && args.leaves <= MAX_LEAVES,
            RecordsError::InvalidBatch
        );
        require_keys_neq!(*self.batch.owner, crate::ID, RecordsError::BatchExists);
        Ok(())
    }

    pub fn handler(ctx: Context<AnchorBatch>, args: AnchorBatchArgs) -> Result<()> {
        let clock = Clock::get()?;
        let a = &ctx.accounts;
        let batch = RecordBatch {
            version: ACCOUNT_VERSION,
            bump: ctx.bumps.batch,
            provider: a.provider.key(),
            root: args.root,
            leaves: args.leaves,
            anchored_at: clock.unix_timestamp,
            slot: clock.slot,
        };
        batch.invariant()?;
        caretrail_common::pda::init_account(
            &a.provider.to_account_info(),
            &a.batch,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[
                SEED_BATCH,
                batch.provider.as_ref(),
                &args.root,
                &[batch.bump],
            ],
            &batch,
        )?;
        caretrail_common::emit_event!(BatchAnchored {
            batch: a.batch.key(),
            provider: batch.provider,
            root: args.root,
            leaves: args.leaves,
            timestamp: batch.anchored_at,
        });
        Ok(())
    }
}
