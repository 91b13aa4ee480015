//! Commitments: the only form in which anything sensitive reaches the chain.
//!
//! `commitment = sha256(salt ‖ data)` with a random 32-byte salt kept off chain by whoever
//! must later prove the data. Without the salt, a commitment to a low-entropy value (a licence
//! number, a member id) cannot be brute-forced.

use sha2::{Digest, Sha256};

/// `sha256(parts[0] ‖ parts[1] ‖ …)`.
pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// `sha256(salt ‖ data)`.
pub fn commit(salt: &[u8; 32], data: &[u8]) -> [u8; 32] {
    sha256(&[salt, data])
}

/// A fresh random salt.
pub fn random_salt() -> [u8; 32] {
    let kp = solana_sdk::signature::Keypair::new();
    sha256(&[&kp.to_bytes()])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commitment_depends_on_salt_and_data() {
        let a = commit(&[1; 32], b"licence 42");
        assert_eq!(a, commit(&[1; 32], b"licence 42"));
        assert_ne!(a, commit(&[2; 32], b"licence 42"));
        assert_ne!(a, commit(&[1; 32], b"licence 43"));
        assert_ne!(random_salt(), random_salt());
        // sha256("abc")
        assert_eq!(
            crate::util::hex(&sha256(&[b"abc"])),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
