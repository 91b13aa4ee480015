//! Per-relationship patient keys (audit finding 8): a patient uses a different pubkey for every
//! relationship (each grantee it consents to, each payer that covers it), so public data does
//! not join its treatment consents, its coverage and the drugs dispensed to it.
//!
//! A relationship key is derived, never stored: its ed25519 secret is
//! `sha256("caretrail relationship key v1" ‖ signature)` where `signature` is the patient
//! wallet's signature over [`message`] (a fixed text naming the relationship). Ed25519
//! signatures are deterministic, so the same wallet derives the same key on any machine: a
//! browser or mobile wallet does it through Wallet Standard `signMessage` (the app hashes the
//! returned signature with [`key_from_signature`]), the CLI and SDK through the wallet's
//! keypair ([`derive`]).
//!
//! Where the key lives and who controls it: only in memory, for as long as it signs; whoever
//! can make the wallet sign that message can re-derive it, so the wallet stays the one secret
//! to protect and back up (losing it loses every relationship key; a guardian `Delegate` named
//! by a relationship key is the recovery path for that relationship). The message says what it
//! is, so a wallet showing it before signing lets the user see which relationship is unlocked.
//! A relationship key holds no SOL: the clinic, payer or pharmacy pays fees and rent (it is the
//! transaction's fee payer), because funding the key from the patient's main wallet would join
//! the two on chain again.

use crate::hash::sha256;
use solana_sdk::{
    pubkey::Pubkey,
    signature::{Keypair, Signer},
};

/// Whom a patient key is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    /// Consent to one grantee (a provider, researcher or other registered party).
    Consent { grantee: Pubkey },
    /// Coverage by one payer (its enrolment, its claims, and the HPAYMT consents that back
    /// those claims: the claims program requires the consent and the coverage of a claim to be
    /// the same patient key).
    Coverage { payer: Pubkey },
    /// Research in one clinical trial (the HRESCH grant to its investigator that enrols the
    /// patient: a key per trial, so trials do not join with each other or with care).
    Trial { trial: Pubkey },
}

/// The text the wallet signs to unlock a relationship key (shown by the wallet before it
/// signs).
pub fn message(relationship: &Relationship) -> Vec<u8> {
    let (kind, counterparty) = match relationship {
        Relationship::Consent { grantee } => ("consent to", grantee),
        Relationship::Coverage { payer } => ("coverage by", payer),
        Relationship::Trial { trial } => ("research in trial", trial),
    };
    format!(
        "caretrail relationship key v1\nThis signature unlocks your private key for {kind} {counterparty}.\nIt moves no funds."
    )
    .into_bytes()
}

/// The relationship key of the wallet's `signature` over [`message`].
pub fn key_from_signature(signature: &[u8]) -> Keypair {
    Keypair::new_from_array(sha256(&[b"caretrail relationship key v1", signature]))
}

/// The patient's key for `relationship`, derived from its wallet.
pub fn derive(wallet: &Keypair, relationship: &Relationship) -> Keypair {
    let signature = wallet.sign_message(&message(relationship));
    key_from_signature(signature.as_ref())
}

/// The pubkey of the patient's key for `relationship`.
pub fn derive_pubkey(wallet: &Keypair, relationship: &Relationship) -> Pubkey {
    derive(wallet, relationship).pubkey()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_deterministic_and_distinct_per_relationship() {
        let wallet = Keypair::new_from_array([7; 32]);
        let provider = Pubkey::new_from_array([1; 32]);
        let other = Pubkey::new_from_array([2; 32]);
        let a = derive(&wallet, &Relationship::Consent { grantee: provider });
        let again = derive(&wallet, &Relationship::Consent { grantee: provider });
        assert_eq!(a.pubkey(), again.pubkey());
        let b = derive(&wallet, &Relationship::Consent { grantee: other });
        let c = derive(&wallet, &Relationship::Coverage { payer: provider });
        assert_ne!(a.pubkey(), b.pubkey());
        assert_ne!(a.pubkey(), c.pubkey());
        assert_ne!(a.pubkey(), wallet.pubkey());
        // Another wallet derives other keys for the same relationship.
        let stranger = Keypair::new_from_array([8; 32]);
        assert_ne!(
            derive(&stranger, &Relationship::Consent { grantee: provider }).pubkey(),
            a.pubkey()
        );
    }

    #[test]
    fn a_wallet_signing_the_message_itself_gets_the_same_key() {
        let wallet = Keypair::new_from_array([9; 32]);
        let r = Relationship::Coverage {
            payer: Pubkey::new_from_array([3; 32]),
        };
        let signature = wallet.sign_message(&message(&r));
        assert_eq!(
            key_from_signature(signature.as_ref()).pubkey(),
            derive_pubkey(&wallet, &r)
        );
        assert!(String::from_utf8(message(&r))
            .unwrap()
            .contains("coverage by"));
    }
}
