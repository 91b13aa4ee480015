//! Claims events (amounts, codes, hashes, pubkeys, timestamps: no PHI).

use anchor_lang::prelude::*;

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerInitialized {
    pub payer: Pubkey,
    pub authority: Pubkey,
    pub mint: Pubkey,
    pub vault: Pubkey,
    pub auto_approve_limit: u64,
    pub daily_limit: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultFunded {
    pub payer: Pubkey,
    pub funder: Pubkey,
    pub amount: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageEnrolled {
    pub coverage: Pubkey,
    pub payer: Pubkey,
    pub patient: Pubkey,
    pub period_start: i64,
    pub period_end: i64,
    pub annual_max: u64,
    pub deductible: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimSubmitted {
    pub claim: Pubkey,
    pub payer: Pubkey,
    pub provider: Pubkey,
    pub coverage: Pubkey,
    pub claim_id_hash: [u8; 32],
    pub document_hash: [u8; 32],
    pub billed: u64,
    pub frequency: u8,
    /// The claim this one replaces (default when none).
    pub replaces: Pubkey,
    pub consent_grant: Pubkey,
    pub unit: Pubkey,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimStatusChanged {
    pub claim: Pubkey,
    /// `ClaimStatus` as its index.
    pub status: u8,
    pub by: Pubkey,
    pub carc: u16,
    pub approved: u64,
    pub patient_share: u64,
    pub timestamp: i64,
}

#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimPaid {
    pub claim: Pubkey,
    pub payer: Pubkey,
    pub provider: Pubkey,
    pub amount: u64,
    pub timestamp: i64,
}

/// 835 CLP02 = 22: a reversal of a previous payment (funds returned to the vault).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentReversed {
    pub claim: Pubkey,
    pub payer: Pubkey,
    pub provider: Pubkey,
    pub amount: u64,
    pub carc: u16,
    pub timestamp: i64,
}

/// The payer authority changed its settings.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerUpdated {
    pub payer: Pubkey,
    pub auto_approve_limit: u64,
    pub daily_limit: u64,
    pub appeal_window: i64,
    pub adjudicator_count: u8,
    pub requirements: u8,
    pub paused: bool,
    pub timestamp: i64,
}

/// A payer authority handover step: proposed (`pending_authority` set) or accepted (the new
/// `authority`, nothing pending).
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayerAuthorityChanged {
    pub payer: Pubkey,
    pub authority: Pubkey,
    pub pending_authority: Pubkey,
    pub timestamp: i64,
}

/// The authority withdrew vault funds no claim needed.
#[event]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VaultWithdrawn {
    pub payer: Pubkey,
    pub destination: Pubkey,
    pub amount: u64,
    pub timestamp: i64,
}
