//! Seeds and limits of the records program. Seed prefixes are distinct across caretrail.

/// `["record_batch", provider, root]`: one anchored batch. The provider is in the seeds so
/// nobody who sees a root in flight can anchor it first under their own name.
pub const SEED_BATCH: &[u8] = b"record_batch";
/// `["superseded", batch, leaf]`: the link from a version (a leaf of `batch`) to its successor.
/// Under the batch, so a copy of the leaf anchored by someone else supersedes nothing.
pub const SEED_SUPERSEDED: &[u8] = b"superseded";

/// Layout version written into every account of this program.
pub const ACCOUNT_VERSION: u8 = 1;

/// Roles that anchor health records: providers and dispensers (a pharmacy's medication record).
pub const ANCHOR_ROLES: u16 =
    registry::constants::roles::PROVIDER | registry::constants::roles::DISPENSER;

pub use caretrail_common::merkle::{MAX_LEAVES, MAX_PROOF_LEN};
