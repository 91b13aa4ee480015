pub mod accept_authority;
pub mod initialize;
pub mod manage;
pub mod prefix;
pub mod propose_authority;
pub mod register_participant;
pub mod reinstate_participant;
pub mod revoke_participant;
pub mod suspend_participant;
pub mod update_participant;

pub use accept_authority::*;
pub use initialize::*;
pub use manage::*;
pub use prefix::*;
pub use propose_authority::*;
pub use register_participant::*;
pub use reinstate_participant::*;
pub use revoke_participant::*;
pub use suspend_participant::*;
pub use update_participant::*;

use crate::constants::roles;
use crate::error::RegistryError;
use crate::state::{Participant, RegistryConfig};
use anchor_lang::prelude::*;

/// Who may administer participants: the registry authority for everyone; an active, unexpired
/// regulator (delegated administration) for participants that neither hold nor receive the
/// regulator role.
pub(crate) fn authorize_admin(
    config: &RegistryConfig,
    signer: &Pubkey,
    signer_participant: Option<&Participant>,
    touches_regulator: bool,
    now: i64,
) -> Result<()> {
    if *signer == config.authority {
        return Ok(());
    }
    let regulator = signer_participant.ok_or(RegistryError::Unauthorized)?;
    regulator.require_role::<RegistryError>(signer, roles::REGULATOR, now)?;
    require!(!touches_regulator, RegistryError::RegulatorScope);
    Ok(())
}
