//! Typed command-line values: every argument is parsed (and checked) by clap before a command
//! runs, so a command body only calls the SDK and renders its result. Parsing rules live in
//! the SDK; these are the clap adapters.

use caretrail_sdk::solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// A base58 public key, or the public key of a keypair file.
pub fn pubkey(s: &str) -> Result<Pubkey, String> {
    if let Ok(p) = Pubkey::from_str(s) {
        return Ok(p);
    }
    let path = Path::new(s);
    if path.exists() {
        return crate::context::read_keypair(path)
            .map(|k| k.pubkey())
            .map_err(|e| format!("{e:#}"));
    }
    Err(format!(
        "{s:?} is neither a base58 public key nor a keypair file"
    ))
}

/// A keypair file, read when the command line is parsed.
#[derive(Clone, Debug)]
pub struct KeypairFile {
    pub keypair: Arc<Keypair>,
}

impl std::ops::Deref for KeypairFile {
    type Target = Keypair;
    fn deref(&self) -> &Keypair {
        &self.keypair
    }
}

pub fn keypair(s: &str) -> Result<KeypairFile, String> {
    let keypair = crate::context::read_keypair(Path::new(s)).map_err(|e| format!("{e:#}"))?;
    Ok(KeypairFile {
        keypair: Arc::new(keypair),
    })
}

/// A GS1 GLN (13 digits, check digit verified).
pub fn gln(s: &str) -> Result<[u8; 13], String> {
    caretrail_sdk::registry::parse_gln(s).map_err(|e| e.to_string())
}

/// Role names, comma-separated, as a bitmask.
pub fn roles(s: &str) -> Result<u16, String> {
    caretrail_sdk::registry::parse_roles(s).map_err(|e| e.to_string())
}

/// A 32-byte value in hex.
pub fn hex32(s: &str) -> Result<[u8; 32], String> {
    caretrail_sdk::util::parse_hex(s)
        .ok_or_else(|| format!("{s:?} is not hex"))?
        .try_into()
        .map_err(|_| "expected 32 bytes (64 hex digits)".to_string())
}

/// A token program.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum TokenProgram {
    /// SPL Token.
    #[default]
    #[value(alias = "spl-token")]
    Token,
    /// SPL Token-2022 (Token Extensions).
    #[value(name = "token-2022", alias = "token2022")]
    Token2022,
}

impl TokenProgram {
    pub fn id(self) -> Pubkey {
        match self {
            TokenProgram::Token => caretrail_sdk::tokens::TOKEN,
            TokenProgram::Token2022 => caretrail_sdk::tokens::TOKEN_2022,
        }
    }
}

/// A claim status.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum ClaimStatus {
    Submitted,
    #[value(alias = "in-review")]
    InReview,
    Approved,
    #[value(alias = "partially-approved")]
    PartiallyApproved,
    Denied,
    Paid,
    Appealed,
    Voided,
    Reversed,
}

impl From<ClaimStatus> for caretrail_sdk::claims::ClaimStatus {
    fn from(s: ClaimStatus) -> Self {
        use caretrail_sdk::claims::ClaimStatus as S;
        match s {
            ClaimStatus::Submitted => S::Submitted,
            ClaimStatus::InReview => S::InReview,
            ClaimStatus::Approved => S::Approved,
            ClaimStatus::PartiallyApproved => S::PartiallyApproved,
            ClaimStatus::Denied => S::Denied,
            ClaimStatus::Paid => S::Paid,
            ClaimStatus::Appealed => S::Appealed,
            ClaimStatus::Voided => S::Voided,
            ClaimStatus::Reversed => S::Reversed,
        }
    }
}

/// A participant status.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ParticipantStatus {
    Active,
    Suspended,
    Revoked,
}

impl From<ParticipantStatus> for caretrail_sdk::registry::ParticipantStatus {
    fn from(s: ParticipantStatus) -> Self {
        use caretrail_sdk::registry::ParticipantStatus as S;
        match s {
            ParticipantStatus::Active => S::Active,
            ParticipantStatus::Suspended => S::Suspended,
            ParticipantStatus::Revoked => S::Revoked,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parsed_with_the_sdk_rules() {
        assert!(gln("0614141000005").is_ok());
        assert!(gln("0614141000006")
            .unwrap_err()
            .contains("wrong check digit (expected 5)"));
        assert_eq!(
            roles("distributor,dispenser").unwrap(),
            caretrail_sdk::registry::roles::DISTRIBUTOR | caretrail_sdk::registry::roles::DISPENSER
        );
        assert!(pubkey("not-a-key").unwrap_err().contains("neither"));
        assert_eq!(hex32(&"ab".repeat(32)).unwrap(), [0xab; 32]);
        assert!(hex32("abcd").is_err());
    }
}
