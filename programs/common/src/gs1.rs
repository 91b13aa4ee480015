//! GS1 mod-10 check digits (GTIN, SSCC, GLN), validated on chain for identifiers that programs
//! store in clear (GLNs are public business identifiers, not PHI).

/// Length of a GLN: 13 ASCII digits.
pub const GLN_LEN: usize = 13;

/// True when `digits` are all ASCII digits and the last one is the GS1 mod-10 check digit of
/// the others (weights 3,1,3,… from the right, excluding the check digit).
pub fn check_digit_valid(digits: &[u8]) -> bool {
    if digits.len() < 2 || !digits.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    compute_check_digit(body) == Some(check[0] - b'0')
}

/// The GS1 mod-10 check digit of `body` (all ASCII digits), or `None` on a non-digit.
pub fn compute_check_digit(body: &[u8]) -> Option<u8> {
    let mut sum: u32 = 0;
    for (i, c) in body.iter().rev().enumerate() {
        if !c.is_ascii_digit() {
            return None;
        }
        let d = u32::from(c - b'0');
        sum += if i % 2 == 0 { d * 3 } else { d };
    }
    Some(((10 - (sum % 10)) % 10) as u8)
}

/// Why a GLN is invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GlnError {
    /// Not 13 ASCII digits.
    Format,
    /// The 13th digit is not the mod-10 check digit.
    CheckDigit,
}

/// Validates a 13-digit GLN.
pub fn validate_gln(gln: &[u8]) -> Result<(), GlnError> {
    if gln.len() != GLN_LEN || !gln.iter().all(u8::is_ascii_digit) {
        return Err(GlnError::Format);
    }
    if !check_digit_valid(gln) {
        return Err(GlnError::CheckDigit);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gs1_spec_examples() {
        // GTIN-14 from the GS1 General Specifications example (01)09501101020917.
        assert!(check_digit_valid(b"09501101020917"));
        assert!(!check_digit_valid(b"09501101020918"));
        // GLN example 0614141000005 (GS1 US).
        assert_eq!(validate_gln(b"0614141000005"), Ok(()));
        assert_eq!(validate_gln(b"0614141000006"), Err(GlnError::CheckDigit));
        // SSCC example (00)106141411234567897.
        assert!(check_digit_valid(b"106141411234567897"));
    }

    #[test]
    fn gln_format_errors() {
        assert_eq!(validate_gln(b"061414100000"), Err(GlnError::Format));
        assert_eq!(validate_gln(b"06141410000A5"), Err(GlnError::Format));
        assert_eq!(validate_gln(b"06141410000055"), Err(GlnError::Format));
        assert_eq!(compute_check_digit(b"12a"), None);
    }
}
