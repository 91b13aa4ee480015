use crate::constants::{roles, ACCOUNT_VERSION, GLN_LEN};
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use caretrail_common::gs1::{validate_gln, GlnError};

/// Lifecycle of a participant. `Revoked` is terminal.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ParticipantStatus {
    Active,
    Suspended,
    Revoked,
}

/// An authorized trading partner, provider, researcher, payer or regulator:
/// PDA `["participant", wallet]`.
///
/// Fixed-size fields come first so RPC `memcmp` filters have stable offsets (see
/// [`Participant::STATUS_OFFSET`] and friends). Nothing here is PHI: the GLN is a public GS1
/// business identifier and the credential (licence number, DEA/NPI record, …) is only a salted
/// commitment `sha256(salt ‖ document)`, kept off chain by its holder.
#[account]
#[derive(InitSpace, Debug)]
pub struct Participant {
    /// Layout version ([`ACCOUNT_VERSION`]).
    pub version: u8,
    /// Canonical bump of this PDA.
    pub bump: u8,
    pub status: ParticipantStatus,
    /// Bitmask of [`crate::constants::roles`].
    pub roles: u16,
    /// The wallet this participant signs with (also the PDA seed).
    pub wallet: Pubkey,
    /// GS1 GLN, 13 ASCII digits, check digit verified.
    pub gln: [u8; GLN_LEN],
    /// `sha256(salt ‖ credential document)`.
    pub credential_commitment: [u8; 32],
    /// Unix time after which the credential is no longer valid.
    pub valid_until: i64,
    pub registered_at: i64,
    pub updated_at: i64,
    /// The authority or regulator that registered it.
    pub registered_by: Pubkey,
    /// Last suspension or revocation reason code (0 when none).
    pub status_reason: u16,
}

impl Participant {
    /// Byte offsets (after the 8-byte discriminator) for RPC memcmp filters.
    pub const VERSION_OFFSET: usize = 8;
    pub const STATUS_OFFSET: usize = 10;
    pub const ROLES_OFFSET: usize = 11;
    pub const WALLET_OFFSET: usize = 13;
    pub const GLN_OFFSET: usize = 45;

    pub fn is_active(&self) -> bool {
        self.status == ParticipantStatus::Active
    }

    pub fn has_role(&self, role: u16) -> bool {
        role != 0 && self.roles & role == role
    }

    pub fn has_any_role(&self, mask: u16) -> bool {
        self.roles & mask != 0
    }

    /// The role check every caretrail program performs on a participant it was handed:
    /// the account belongs to `wallet`, is active, not expired at `now`, and holds at least one
    /// of the roles in `any_of` (a bitmask).
    ///
    /// Owner and discriminator are checked by Anchor when the account is typed
    /// `Account<'info, Participant>`; for a raw `AccountInfo` use [`Participant::load_checked`].
    pub fn require_role<E>(&self, wallet: &Pubkey, any_of: u16, now: i64) -> Result<()>
    where
        E: From<RoleCheckError> + Into<anchor_lang::error::Error>,
    {
        self.check_role(wallet, any_of, now)
            .map_err(|e| E::from(e).into())
    }

    /// The role check as a plain result, so each program can report a failure under its own
    /// error codes (`impl From<RoleCheckError> for <Program>Error`).
    pub fn check_role(
        &self,
        wallet: &Pubkey,
        any_of: u16,
        now: i64,
    ) -> core::result::Result<(), RoleCheckError> {
        if self.wallet != *wallet {
            return Err(RoleCheckError::WalletMismatch);
        }
        self.check_standing(now)?;
        if !self.has_any_role(any_of) {
            return Err(RoleCheckError::MissingRole);
        }
        Ok(())
    }

    /// Active and not expired.
    pub fn check_standing(&self, now: i64) -> core::result::Result<(), RoleCheckError> {
        match self.status {
            ParticipantStatus::Active => {}
            ParticipantStatus::Suspended => return Err(RoleCheckError::Suspended),
            ParticipantStatus::Revoked => return Err(RoleCheckError::Revoked),
        }
        if now >= self.valid_until {
            return Err(RoleCheckError::Expired);
        }
        Ok(())
    }

    /// Loads a participant from an unchecked account: owner must be the registry program and the
    /// discriminator that of `Participant`.
    pub fn load_checked(info: &AccountInfo) -> Result<Participant> {
        require_keys_eq!(*info.owner, crate::ID, RegistryError::NotAParticipant);
        let data = info.try_borrow_data()?;
        let mut slice: &[u8] = &data;
        Participant::try_deserialize(&mut slice).map_err(|_| RegistryError::NotAParticipant.into())
    }

    /// Checked at the end of every instruction that mutates a participant.
    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            RegistryError::InvariantViolation
        );
        require!(
            validate_roles(self.roles).is_ok(),
            RegistryError::InvariantViolation
        );
        require!(
            validate_gln(&self.gln).is_ok(),
            RegistryError::InvariantViolation
        );
        require!(
            self.credential_commitment != [0u8; 32],
            RegistryError::InvariantViolation
        );
        require_gte!(
            self.updated_at,
            self.registered_at,
            RegistryError::InvariantViolation
        );
        require_keys_neq!(
            self.wallet,
            Pubkey::default(),
            RegistryError::InvariantViolation
        );
        Ok(())
    }
}

/// Why a participant failed a role check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoleCheckError {
    /// The participant account belongs to another wallet.
    WalletMismatch,
    Suspended,
    Revoked,
    Expired,
    /// None of the required roles.
    MissingRole,
}

/// `impl From<RoleCheckError> for $error`: a role check that fails in another program is
/// reported under that program's own codes, which every program names alike
/// (`ParticipantMismatch`, `ParticipantSuspended`, `ParticipantRevoked`, `ParticipantExpired`,
/// `RoleNotAllowed`). The registry's own codes have other names (the impl below).
#[macro_export]
macro_rules! participant_errors {
    ($error:ident) => {
        impl From<$crate::state::RoleCheckError> for $error {
            fn from(e: $crate::state::RoleCheckError) -> Self {
                use $crate::state::RoleCheckError as Check;
                match e {
                    Check::WalletMismatch => $error::ParticipantMismatch,
                    Check::Suspended => $error::ParticipantSuspended,
                    Check::Revoked => $error::ParticipantRevoked,
                    Check::Expired => $error::ParticipantExpired,
                    Check::MissingRole => $error::RoleNotAllowed,
                }
            }
        }
    };
}

impl From<RoleCheckError> for RegistryError {
    fn from(e: RoleCheckError) -> Self {
        match e {
            RoleCheckError::WalletMismatch => RegistryError::WalletMismatch,
            RoleCheckError::Suspended => RegistryError::ParticipantSuspended,
            RoleCheckError::Revoked => RegistryError::ParticipantRevoked,
            RoleCheckError::Expired => RegistryError::ParticipantExpired,
            RoleCheckError::MissingRole => RegistryError::MissingRole,
        }
    }
}

/// Roles must be a non-empty subset of the defined bits.
pub fn validate_roles(r: u16) -> Result<()> {
    require!(r != 0 && r & !roles::ALL == 0, RegistryError::InvalidRoles);
    Ok(())
}

/// GLN validation with the registry's error codes.
pub fn require_valid_gln(gln: &[u8; GLN_LEN]) -> Result<()> {
    match validate_gln(gln) {
        Ok(()) => Ok(()),
        Err(GlnError::Format) => err!(RegistryError::InvalidGln),
        Err(GlnError::CheckDigit) => err!(RegistryError::GlnCheckDigit),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant() -> Participant {
        Participant {
            version: ACCOUNT_VERSION,
            bump: 255,
            status: ParticipantStatus::Active,
            roles: roles::DISTRIBUTOR | roles::LOGISTICS,
            wallet: Pubkey::new_unique(),
            gln: *b"0614141000005",
            credential_commitment: [7; 32],
            valid_until: 1_000,
            registered_at: 10,
            updated_at: 10,
            registered_by: Pubkey::new_unique(),
            status_reason: 0,
        }
    }

    #[test]
    fn memcmp_offsets_match_layout() {
        let p = participant();
        let mut data = Vec::new();
        p.try_serialize(&mut data).unwrap();
        assert_eq!(data[Participant::VERSION_OFFSET], ACCOUNT_VERSION);
        assert_eq!(data[Participant::STATUS_OFFSET], 0);
        assert_eq!(
            u16::from_le_bytes([
                data[Participant::ROLES_OFFSET],
                data[Participant::ROLES_OFFSET + 1]
            ]),
            p.roles
        );
        assert_eq!(
            &data[Participant::WALLET_OFFSET..Participant::WALLET_OFFSET + 32],
            p.wallet.as_ref()
        );
        assert_eq!(
            &data[Participant::GLN_OFFSET..Participant::GLN_OFFSET + 13],
            b"0614141000005"
        );
        assert_eq!(data.len(), 8 + Participant::INIT_SPACE);
    }

    #[test]
    fn role_check() {
        let p = participant();
        assert!(p
            .require_role::<RegistryError>(&p.wallet, roles::DISTRIBUTOR, 999)
            .is_ok());
        assert!(p
            .require_role::<RegistryError>(&p.wallet, roles::DISPENSER | roles::LOGISTICS, 999)
            .is_ok());
        assert!(p
            .require_role::<RegistryError>(&p.wallet, roles::DISPENSER, 999)
            .is_err());
        assert!(p
            .require_role::<RegistryError>(&p.wallet, roles::DISTRIBUTOR, 1_000)
            .is_err());
        assert!(p
            .require_role::<RegistryError>(&Pubkey::new_unique(), roles::DISTRIBUTOR, 0)
            .is_err());
        let mut s = participant();
        s.status = ParticipantStatus::Suspended;
        assert!(s
            .require_role::<RegistryError>(&s.wallet, roles::DISTRIBUTOR, 0)
            .is_err());
        assert!(p.invariant().is_ok());
        assert!(validate_roles(0).is_err());
        assert!(validate_roles(1 << 12).is_err());
    }
}
