//! consent: every instruction's happy path and rejections with exact error codes.

mod access;
mod break_glass;
mod change;
mod delegate;
mod grant;
mod offline;
mod reads;
mod request;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::consent::{
    self as con, action, class, purpose, AmendArgs, EmergencyArgs, GrantArgs, GrantStatus, Scope,
};
use caretrail_sdk::events::{CaretrailEvent, ConsentEvent};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use consent::error::ConsentError;
use solana_sdk::signature::{Keypair, Signer};

const CONSENT: Pubkey = consent::ID;

fn grant(h: &Harness, g: &Pubkey) -> con::ConsentGrant {
    con::fetch_grant(&h.ledger, g).unwrap().expect("grant")
}

fn args(h: &Harness, scope: Scope, days: i64) -> GrantArgs {
    GrantArgs {
        scope,
        not_before: h.now(),
        expires_at: h.now() + days * DAY,
        policy_hash: [7; 32],
    }
}

fn med_access() -> con::AccessArgs {
    access(class::MEDICATIONS, action::ACCESS, purpose::TREAT)
}

fn guardian_scope() -> Scope {
    Scope {
        classes: class::MEDICATIONS | class::LABS | class::IMMUNIZATIONS,
        actions: action::ACCESS | action::USE,
        purposes: purpose::TREAT | purpose::HPAYMT,
    }
}

/// The patient names the care team's guardian, within [`guardian_scope`], for a year.
fn name_guardian(h: &Harness, t: &CareTeam) {
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            guardian_scope(),
            T0 + 365 * DAY,
        )
        .unwrap();
}

fn emergency(days: i64, hours: i64) -> EmergencyArgs {
    EmergencyArgs {
        scope: Scope {
            classes: class::ALLERGIES | class::MEDICATIONS,
            actions: action::ACCESS,
            purposes: purpose::ETREAT,
        },
        duration_seconds: days * DAY + hours * 3600,
        justification_hash: [9; 32],
    }
}

fn expect_instruction_error_free_submit_refused(
    h: &Harness,
    tx: &solana_sdk::transaction::Transaction,
) {
    let err = caretrail_sdk::offline::submit(&h.ledger, tx).unwrap_err();
    assert!(err.to_string().contains("missing signatures"), "{err}");
}
