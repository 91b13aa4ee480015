use crate::constants::{ACCOUNT_VERSION, ANCHOR_ROLES, MAX_PROOF_LEN, SEED_SUPERSEDED};
use crate::error::RecordsError;
use crate::events::VersionSuperseded;
use crate::state::{RecordBatch, RecordLeaf, Superseded};
use anchor_lang::prelude::*;
use registry::state::Participant;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct SupersedeArgs {
    /// The version superseded, and its proof under `old_batch`.
    pub old: RecordLeaf,
    pub old_proof: Vec<[u8; 32]>,
    /// Its successor, and its proof under `new_batch`.
    pub new: RecordLeaf,
    pub new_proof: Vec<[u8; 32]>,
}

/// The provider that anchored a version supersedes it by its successor, anchored (by the same
/// provider) in `new_batch`: the successor is the next version of the same record and names
/// the superseded leaf as its previous. The link is created once.
#[derive(Accounts)]
pub struct Supersede<'info> {
    pub old_batch: Account<'info, RecordBatch>,
    pub new_batch: Account<'info, RecordBatch>,
    /// CHECK: `["superseded", old_batch, old leaf]` (its address is checked in `validate`;
    /// created by the handler with `caretrail_common::pda`).
    #[account(mut)]
    pub link: UncheckedAccount<'info>,
    #[account(mut)]
    pub provider: Signer<'info>,
    pub provider_participant: Account<'info, Participant>,
    pub system_program: Program<'info, System>,
}

impl Supersede<'_> {
    fn link_address(&self, old_leaf: &[u8; 32]) -> (Pubkey, u8) {
        Pubkey::find_program_address(
            &[SEED_SUPERSEDED, self.old_batch.key().as_ref(), old_leaf],
            &crate::ID,
        )
    }

    pub fn validate(&self, args: &SupersedeArgs) -> Result<()> {
        let provider = self.provider.key();
        self.provider_participant.require_role::<RecordsError>(
            &provider,
            ANCHOR_ROLES,
            caretrail_common::now()?,
        )?;
        require!(
            self.old_batch.provider == provider && self.new_batch.provider == provider,
            RecordsError::NotBatchProvider
        );
        require!(
            args.old_proof.len() <= MAX_PROOF_LEN && args.new_proof.len() <= MAX_PROOF_LEN,
            RecordsError::ProofTooLong
        );
        require!(args.old.version >= 1, RecordsError::InvalidVersion);
        let old_leaf = args.old.hash();
        require!(
            self.old_batch.contains(&old_leaf, &args.old_proof),
            RecordsError::NotInBatch
        );
        require!(
            self.new_batch.contains(&args.new.hash(), &args.new_proof),
            RecordsError::NotInBatch
        );
        require!(
            args.new.record == args.old.record,
            RecordsError::NotSameRecord
        );
        require!(
            args.old.version.checked_add(1) == Some(args.new.version),
            RecordsError::NotNextVersion
        );
        require!(
            args.new.previous == old_leaf,
            RecordsError::PreviousMismatch
        );
        let (address, _) = self.link_address(&old_leaf);
        require_keys_eq!(self.link.key(), address, RecordsError::InvariantViolation);
        require_keys_neq!(*self.link.owner, crate::ID, RecordsError::AlreadySuperseded);
        Ok(())
    }

    pub fn handler(ctx: Context<Supersede>, args: SupersedeArgs) -> Result<()> {
        let now = caretrail_common::now()?;
        let a = &ctx.accounts;
        let old_leaf = args.old.hash();
        let (_, bump) = a.link_address(&old_leaf);
        let link = Superseded {
            version: ACCOUNT_VERSION,
            bump,
            record: args.old.record,
            old_batch: a.old_batch.key(),
            old_leaf,
            old_version: args.old.version,
            new_batch: a.new_batch.key(),
            new_leaf: args.new.hash(),
            new_version: args.new.version,
            provider: a.provider.key(),
            superseded_at: now,
        };
        link.invariant()?;
        caretrail_common::pda::init_account(
            &a.provider.to_account_info(),
            &a.link,
            &a.system_program.to_account_info(),
            &crate::ID,
            &[SEED_SUPERSEDED, link.old_batch.as_ref(), &old_leaf, &[bump]],
            &link,
        )?;
        caretrail_common::emit_event!(VersionSuperseded {
            link: a.link.key(),
            record: link.record,
            old_batch: link.old_batch,
            old_leaf,
            old_version: link.old_version,
            new_batch: link.new_batch,
            new_leaf: link.new_leaf,
            new_version: link.new_version,
            provider: link.provider,
            timestamp: now,
        });
        Ok(())
    }
}
