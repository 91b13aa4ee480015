//! The attack classes against the records and trials programs (the other programs' are in the
//! class modules beside this one): missing signers, wrong authorities, accounts of another
//! program or type, substituted PDAs, a fake system program, re-creation.

use crate::records::pending_correction;
use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::records as rec;
use caretrail_sdk::trials::{self as tri, LockKind};
use caretrail_tests::*;
use records::error::RecordsError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;
use trials::error::TrialsError;

#[test]
fn missing_signer_records_provider_and_trials_sponsor_and_investigator() {
    let h = Harness::new();
    let s = h.study(5);
    let c = h.clinic_in(&s.authority);
    let mut ix = rec::anchor_batch_ix(&c.provider.pubkey(), [3; 32], 1);
    meta(&mut ix, "provider").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &records::ID,
        AnchorError::AccountNotSigner,
    );
    let mut ix = tri::open_enrolment_ix(&s.trial, &s.sponsor.pubkey());
    meta(&mut ix, "sponsor").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &trials::ID,
        AnchorError::AccountNotSigner,
    );
    h.trials().open_enrolment(&s.sponsor, &s.trial).unwrap();
    let patient = h.funded();
    let grant = h.research_grant(&patient, &s.investigator.pubkey(), 1);
    let mut ix = tri::enroll_ix(&s.trial, &grant, &s.investigator.pubkey(), false, None);
    meta(&mut ix, "investigator").is_signer = false;
    expect_error(
        h.send(&[], &[ix]),
        &trials::ID,
        AnchorError::AccountNotSigner,
    );
}

#[test]
fn wrong_authority_another_sponsor_or_a_rival_provider() {
    let h = Harness::new();
    let s = h.study(5);
    let rival = h.participant(&s.authority, caretrail_sdk::registry::roles::SPONSOR);
    // The rival signs as itself with the trial's sponsor account slot pointing at itself.
    let ix = tri::open_enrolment_ix(&s.trial, &rival.pubkey());
    expect_error(
        h.send(&[&rival], &[ix]),
        &trials::ID,
        TrialsError::Unauthorized,
    );
    // The real sponsor's key with the rival's participant account.
    let mut ix = tri::open_enrolment_ix(&s.trial, &s.sponsor.pubkey());
    meta(&mut ix, "sponsor_participant").pubkey =
        caretrail_sdk::registry::participant_pda(&rival.pubkey()).0;
    expect_error(
        h.send(&[&s.sponsor], &[ix]),
        &trials::ID,
        TrialsError::ParticipantMismatch,
    );
    let c = h.clinic_in(&s.authority);
    let (_, _, mut ix) = pending_correction(&h, &c.provider);
    meta(&mut ix, "provider_participant").pubkey =
        caretrail_sdk::registry::participant_pda(&c.other_provider.pubkey()).0;
    expect_error(
        h.send(&[&c.provider], &[ix]),
        &records::ID,
        RecordsError::ParticipantMismatch,
    );
}

#[test]
fn type_cosplay_and_owner_checks_a_trial_as_a_batch_a_fake_grant() {
    let h = Harness::new();
    let s = h.study(5);
    h.trials().open_enrolment(&s.sponsor, &s.trial).unwrap();
    // A trial account passed where consent expects a record batch.
    let c = h.clinic_in(&s.authority);
    let (a, _, mut ix) = pending_correction(&h, &c.provider);
    meta(&mut ix, "new_batch").pubkey = s.trial;
    expect_error(
        h.send(&[&c.provider], &[ix]),
        &records::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // A "grant" that is the trial itself (owned by trials, not consent).
    let ix = tri::enroll_ix(&s.trial, &s.trial, &s.investigator.pubkey(), false, None);
    expect_error(
        h.send(&[&s.investigator], &[ix]),
        &trials::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // A records batch passed as the trial's site (right owner program? no: records owns it).
    let patient = h.funded();
    let grant = h.research_grant(&patient, &s.investigator.pubkey(), 1);
    let mut ix = tri::enroll_ix(&s.trial, &grant, &s.investigator.pubkey(), true, None);
    meta(&mut ix, "site").pubkey = a.batch;
    expect_error(
        h.send(&[&s.investigator], &[ix]),
        &trials::ID,
        AnchorError::AccountOwnedByWrongProgram,
    );
}

#[test]
fn pda_substitution_links_enrolments_and_locks() {
    let h = Harness::new();
    let s = h.study(5);
    let c = h.clinic_in(&s.authority);
    let (a, b, mut ix) = pending_correction(&h, &c.provider);
    // The link under the new batch instead of the old: another version's address.
    meta(&mut ix, "link").pubkey = rec::link_pda(&b.batch, &a.proofs[0].leaf_hash().unwrap()).0;
    expect_error(
        h.send(&[&c.provider], &[ix]),
        &records::ID,
        RecordsError::InvariantViolation,
    );
    let mut ix = rec::anchor_batch_ix(&c.provider.pubkey(), [8; 32], 1);
    meta(&mut ix, "batch").pubkey = rec::batch_pda(&c.other_provider.pubkey(), &[8; 32]).0;
    expect_error(
        h.send(&[&c.provider], &[ix]),
        &records::ID,
        AnchorError::ConstraintSeeds,
    );
    h.trials().open_enrolment(&s.sponsor, &s.trial).unwrap();
    let p1 = h.funded();
    let g1 = h.research_grant(&p1, &s.investigator.pubkey(), 1);
    let p2 = h.funded();
    let g2 = h.research_grant(&p2, &s.investigator.pubkey(), 1);
    // An enrolment address of another grant (to count one grant twice).
    let mut ix = tri::enroll_ix(&s.trial, &g1, &s.investigator.pubkey(), false, None);
    meta(&mut ix, "enrolment").pubkey = tri::enrolment_pda(&s.trial, &g2).0;
    expect_error(
        h.send(&[&s.investigator], &[ix]),
        &trials::ID,
        AnchorError::ConstraintSeeds,
    );
    // A lock at an index that is not the next one (to overwrite lock history).
    let args = tri::LockDataArgs {
        kind: LockKind::Interim,
        root: [1; 32],
        records: 1,
    };
    let ix = tri::lock_data_ix(&s.trial, &s.sponsor.pubkey(), 3, args);
    expect_error(
        h.send(&[&s.sponsor], &[ix]),
        &trials::ID,
        AnchorError::ConstraintSeeds,
    );
}

#[test]
fn fake_system_program_is_refused() {
    let h = Harness::new();
    let s = h.study(5);
    let c = h.clinic_in(&s.authority);
    let mut ix = rec::anchor_batch_ix(&c.provider.pubkey(), [4; 32], 1);
    meta(&mut ix, "system_program").pubkey = Pubkey::new_unique();
    expect_error(
        h.send(&[&c.provider], &[ix]),
        &records::ID,
        AnchorError::InvalidProgramId,
    );
    let mut ix = tri::add_site_ix(&s.trial, &s.sponsor.pubkey(), &s.site_investigator.pubkey());
    meta(&mut ix, "system_program").pubkey = Pubkey::new_unique();
    expect_error(
        h.send(&[&s.sponsor], &[ix]),
        &trials::ID,
        AnchorError::InvalidProgramId,
    );
}
