use crate::constants::{ACCOUNT_VERSION, MIN_PREFIX_DIGITS, PREFIX_LEN};
use crate::error::RegistryError;
use anchor_lang::prelude::*;

/// A GS1 Company Prefix licensed to a participant (set by the registry authority, like a GTIN
/// directory): PDA `["gs1_prefix", prefix]`. Custody accepts a lot only under a GTIN, and an
/// aggregate only under an SSCC, whose company prefix the signer holds.
#[account]
#[derive(InitSpace, Debug)]
pub struct CompanyPrefix {
    pub version: u8,
    pub bump: u8,
    /// Digits in `prefix` (4..=12).
    pub len: u8,
    /// ASCII digits, zero-padded to 12 bytes.
    pub prefix: [u8; PREFIX_LEN],
    /// The wallet of the participant licensed to it.
    pub holder: Pubkey,
    pub assigned_by: Pubkey,
    pub assigned_at: i64,
}

/// The prefix's digit count, when `prefix` is 4..=12 ASCII digits followed by zero bytes.
pub fn prefix_digits(prefix: &[u8; PREFIX_LEN]) -> core::result::Result<usize, RegistryError> {
    let len = prefix.iter().take_while(|b| b.is_ascii_digit()).count();
    if len < MIN_PREFIX_DIGITS || prefix[len..].iter().any(|b| *b != 0) {
        return Err(RegistryError::InvalidPrefix);
    }
    Ok(len)
}

impl CompanyPrefix {
    pub const HOLDER_OFFSET: usize = 8 + 3 + PREFIX_LEN;

    /// Whether a GS1 key (GTIN-14 or SSCC-18: one indicator / extension digit, then the
    /// company prefix) was allocated under this prefix.
    pub fn covers(&self, key: &[u8]) -> bool {
        let len = self.len as usize;
        key.len() > len + 1 && key[1..1 + len] == self.prefix[..len]
    }

    pub fn invariant(&self) -> Result<()> {
        require_eq!(
            self.version,
            ACCOUNT_VERSION,
            RegistryError::InvariantViolation
        );
        require_eq!(
            prefix_digits(&self.prefix).map_err(|_| RegistryError::InvariantViolation)?,
            self.len as usize,
            RegistryError::InvariantViolation
        );
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefix(digits: &str) -> [u8; PREFIX_LEN] {
        let mut p = [0; PREFIX_LEN];
        p[..digits.len()].copy_from_slice(digits.as_bytes());
        p
    }

    #[test]
    fn digits_are_4_to_12_then_zero_padding() {
        assert_eq!(prefix_digits(&prefix("9501101")).ok(), Some(7));
        assert_eq!(prefix_digits(&prefix("123456789012")).ok(), Some(12));
        assert!(prefix_digits(&prefix("123")).is_err());
        let mut bad = prefix("9501101");
        bad[9] = b'1';
        assert!(prefix_digits(&bad).is_err());
        assert!(prefix_digits(&prefix("95a1101")).is_err());
    }

    #[test]
    fn a_prefix_covers_keys_after_the_indicator_digit() {
        let p = CompanyPrefix {
            version: 1,
            bump: 0,
            len: 7,
            prefix: prefix("9501101"),
            holder: Pubkey::default(),
            assigned_by: Pubkey::default(),
            assigned_at: 0,
        };
        assert!(p.covers(b"09501101020917"));
        assert!(p.covers(b"39501101020918"));
        assert!(!p.covers(b"00614141000012"));
        assert!(!p.covers(b"9501101"));
    }
}
