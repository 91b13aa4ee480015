//! Prefunded addresses (audit finding 1): every address a caretrail instruction creates is
//! predictable, so an outsider can send it lamports before its owner creates it. Anchor's
//! `init` then calls `CreateAccountAllowPrefund`, which the Agave 3.1 bank rejects with
//! "invalid instruction data", and the address would be blocked for ever. Each test funds the
//! address first, as an attacker would, then runs the creating instruction and asserts the
//! account was created whole: owned by the program, rent exempt, with its data.

use caretrail_sdk::claims::{self as clm, ClaimRefs, EnrollArgs, PayerArgs};
use caretrail_sdk::consent::{self as con, EmergencyArgs, GrantArgs, Scope};
use caretrail_sdk::custody::{self as cus, UnitKind};
use caretrail_sdk::ledger::Ledger;
use caretrail_sdk::registry::{self as reg, roles};
use caretrail_tests::*;
use solana_sdk::instruction::InstructionError;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

/// What an attacker sends first: 0.001 SOL, less than any account's rent.
const GRIEF: u64 = 1_000_000;

/// The attacker funds `address` (a plain system transfer from an unrelated wallet).
fn prefund(h: &Harness, address: &Pubkey, lamports: u64) {
    h.ledger
        .request_airdrop(address, lamports)
        .expect("attacker funds the address");
    let a = h.ledger_account(address);
    assert_eq!(a.owner, anchor_lang::system_program::ID);
    assert_eq!(a.lamports, lamports);
}

/// The account exists, is owned by `program`, holds data and is rent exempt (the attacker's
/// lamports are kept, the rest topped up by the payer).
#[track_caller]
fn assert_created(h: &Harness, address: &Pubkey, program: &Pubkey) {
    let a = h.ledger_account(address);
    assert_eq!(a.owner, *program, "{address} not created by {program}");
    assert!(!a.data.is_empty());
    let rent = h
        .ledger
        .minimum_balance_for_rent_exemption(a.data.len())
        .unwrap();
    assert!(a.lamports >= rent, "{} < rent {}", a.lamports, rent);
}

// ----------------------------------------------------------------------------- registry

#[test]
fn registry_initialize_works_on_a_prefunded_config() {
    let h = Harness::new();
    let config = reg::config_pda().0;
    prefund(&h, &config, GRIEF);
    h.init_registry();
    assert_created(&h, &config, &registry::ID);
}

#[test]
fn register_participant_works_on_a_prefunded_address() {
    let h = Harness::new();
    let authority = h.init_registry();
    let wallet = Keypair::new();
    let participant = reg::participant_pda(&wallet.pubkey()).0;
    prefund(&h, &participant, GRIEF);
    h.registry()
        .register(
            &authority,
            participant_args(&wallet.pubkey(), roles::PROVIDER, h.now() + 30 * DAY),
        )
        .expect("register over a prefunded address");
    assert_created(&h, &participant, &registry::ID);
    let p = reg::fetch_participant(&h.ledger, &wallet.pubkey())
        .unwrap()
        .expect("participant");
    assert_eq!(p.wallet, wallet.pubkey());
    assert_eq!(p.roles, roles::PROVIDER);
}

// ----------------------------------------------------------------------------- custody

#[test]
fn register_lot_works_on_a_prefunded_address() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let lot = cus::lot_pda(&sc.gtin, "LOT-B2").0;
    prefund(&h, &lot, GRIEF);
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "LOT-B2", (2027, 12, 31)),
        )
        .expect("register lot");
    assert_created(&h, &lot, &custody::ID);
    let l = cus::fetch_lot(&h.ledger, &lot).unwrap().expect("lot");
    assert_eq!(l.manufacturer, sc.manufacturer.pubkey());
    // A second registration is refused with a named error, not the system program's.
    expect_error(
        h.custody().register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "LOT-B2", (2027, 12, 31)),
        ),
        &custody::ID,
        custody::error::CustodyError::LotAlreadyRegistered,
    );
}

#[test]
fn commission_works_on_a_prefunded_unit() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let unit = cus::unit_pda(&sc.gtin, "S-PRE").0;
    prefund(&h, &unit, GRIEF);
    h.commission(&sc, &["S-PRE"]);
    assert_created(&h, &unit, &custody::ID);
}

#[test]
fn create_aggregate_works_on_a_prefunded_sscc() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let case_id = sscc("77");
    let case = cus::sscc_pda(&case_id).0;
    prefund(&h, &case, GRIEF);
    h.custody()
        .create_aggregate(&sc.manufacturer, case_id, UnitKind::Case)
        .expect("create aggregate");
    assert_created(&h, &case, &custody::ID);
    expect_error(
        h.custody()
            .create_aggregate(&sc.manufacturer, case_id, UnitKind::Case),
        &custody::ID,
        custody::error::CustodyError::AggregateExists,
    );
}

/// The audit's reproduction: the next hop of a package the distributor holds is funded by an
/// outsider; shipping it must still work (it failed for ever with "invalid instruction data").
#[test]
fn ship_works_when_the_next_hop_was_prefunded() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S-HOP"])[0];
    h.hop(&sc.manufacturer, &sc.distributor, &u);
    let next = cus::hop_pda(&u, 1).0;
    prefund(&h, &next, GRIEF);
    h.custody()
        .ship(&sc.distributor, &sc.pharmacy.pubkey(), &u, ship_args())
        .expect("ship over a prefunded hop");
    assert_created(&h, &next, &custody::ID);
    h.custody().receive(&sc.pharmacy, &u).expect("receive");
    let unit = cus::fetch_unit(&h.ledger, &u).unwrap().unwrap();
    assert_eq!(unit.holder, sc.pharmacy.pubkey());
    assert_eq!(unit.hop_count, 2);
    // More than rent already there: nothing is topped up, the account is still created.
    let after = cus::hop_pda(&u, 2).0;
    prefund(&h, &after, 2 * solana_sdk::native_token::LAMPORTS_PER_SOL);
    h.custody()
        .ship(&sc.pharmacy, &sc.distributor.pubkey(), &u, ship_args())
        .expect("ship over an overfunded hop");
    assert_created(&h, &after, &custody::ID);
}

// ----------------------------------------------------------------------------- consent

fn grant_args(h: &Harness) -> GrantArgs {
    GrantArgs {
        scope: treatment_scope(),
        not_before: h.now(),
        expires_at: h.now() + 30 * DAY,
        policy_hash: [7; 32],
    }
}

#[test]
fn grant_and_request_work_on_prefunded_addresses() {
    let h = Harness::new();
    let t = h.care_team();
    let patient = t.patient.pubkey();
    let granted = con::grant_pda(&patient, &t.provider.pubkey(), 1).0;
    prefund(&h, &granted, GRIEF);
    h.consent()
        .grant(
            &t.patient,
            &patient,
            &t.provider.pubkey(),
            1,
            grant_args(&h),
        )
        .expect("grant");
    assert_created(&h, &granted, &consent::ID);
    let requested = con::grant_pda(&patient, &t.researcher.pubkey(), 2).0;
    prefund(&h, &requested, GRIEF);
    h.consent()
        .request(&t.researcher, &patient, 2, grant_args(&h))
        .expect("request");
    assert_created(&h, &requested, &consent::ID);
}

#[test]
fn set_delegate_works_on_a_prefunded_address() {
    let h = Harness::new();
    let t = h.care_team();
    let d = con::delegate_pda(&t.patient.pubkey(), &t.guardian.pubkey()).0;
    prefund(&h, &d, GRIEF);
    h.consent()
        .set_delegate(
            &t.patient,
            &t.guardian.pubkey(),
            treatment_scope(),
            h.now() + 30 * DAY,
        )
        .expect("set delegate");
    assert_created(&h, &d, &consent::ID);
}

#[test]
fn break_glass_works_on_prefunded_grant_record_and_log() {
    let h = Harness::new();
    let t = h.care_team();
    let patient = t.patient.pubkey();
    let provider = t.provider.pubkey();
    let addresses = [
        con::grant_pda(&patient, &provider, 1).0,
        con::patient_record_pda(&patient).0,
        con::breakglass_pda(&patient, &provider).0,
    ];
    for a in &addresses {
        prefund(&h, a, GRIEF);
    }
    let args = EmergencyArgs {
        scope: Scope {
            classes: con::class::ALLERGIES,
            actions: con::action::ACCESS,
            purposes: con::purpose::ETREAT,
        },
        duration_seconds: 3_600,
        justification_hash: [9; 32],
    };
    h.consent()
        .emergency(&t.provider, &patient, 1, args)
        .expect("break-glass");
    for a in &addresses {
        assert_created(&h, a, &consent::ID);
    }
}

// ----------------------------------------------------------------------------- claims

#[test]
fn init_payer_works_on_a_prefunded_payer_and_vault() {
    for token_program in token_program_ids() {
        let h = Harness::new();
        let authority = h.init_registry();
        let insurer = h.participant(&authority, roles::PAYER);
        let mint = h.create_mint(&token_program, &insurer.pubkey(), 2);
        let payer = clm::payer_pda(&insurer.pubkey()).0;
        let vault = clm::vault_pda(&payer).0;
        prefund(&h, &payer, GRIEF);
        prefund(&h, &vault, GRIEF);
        let args = PayerArgs {
            auto_approve_limit: 10,
            daily_limit: 10,
            appeal_window: 0,
            adjudicators: vec![],
        };
        h.claims()
            .init_payer(&insurer, &mint, &token_program, args)
            .expect("init payer");
        assert_created(&h, &payer, &claims::ID);
        assert_created(&h, &vault, &token_program);
        // The vault is a real token account of the mint owned by the payer PDA.
        assert_eq!(h.token_balance(&vault), 0);
        let state = <anchor_spl::token_interface::TokenAccount as anchor_lang::AccountDeserialize>::try_deserialize(
            &mut h.ledger_account(&vault).data.as_slice(),
        )
        .unwrap();
        assert_eq!(state.owner, payer);
        assert_eq!(state.mint, mint);
    }
}

#[test]
fn enroll_and_submit_work_on_prefunded_addresses() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let member = caretrail_sdk::hash::commit(&[4; 32], b"member 654321");
    let coverage = clm::coverage_pda(&p.payer, &member).0;
    prefund(&h, &coverage, GRIEF);
    let enroll = EnrollArgs {
        member_commitment: member,
        period_start: T0,
        period_end: T0 + 365 * DAY,
        annual_max: 1_000,
        deductible: 0,
    };
    h.claims()
        .enroll(&p.insurer, &p.patient, enroll)
        .expect("enroll");
    assert_created(&h, &coverage, &claims::ID);
    let claim = clm::claim_address(&p.payer, &p.provider, "CLM-PRE");
    prefund(&h, &claim, GRIEF);
    h.claims()
        .submit(&p.provider, "CLM-PRE", &p.claim([5; 32], 100))
        .expect("submit");
    assert_created(&h, &claim, &claims::ID);
}

// ----------------------------------------------------------------------------- errors

/// A payer that cannot pay the rent gets `InsufficientFunds` (on SBF also a log line naming
/// the accounts and amounts; native `msg!` goes to stdout), never "invalid instruction data".
#[test]
fn a_payer_without_rent_gets_insufficient_funds() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let poor = Keypair::new();
    h.ledger.request_airdrop(&poor.pubkey(), 1_000_000).unwrap();
    let prefix = reg::prefix_pda(&reg::parse_prefix(GTIN_PREFIX).unwrap()).0;
    let ix = cus::register_lot_ix(
        &sc.manufacturer.pubkey(),
        &poor.pubkey(),
        &prefix,
        cus::lot_args(&sc.gtin, "LOT-POOR", (2027, 12, 31)),
    );
    let r = caretrail_sdk::ledger::send_instructions(
        &h.ledger,
        &h.payer,
        &[&sc.manufacturer, &poor],
        &[ix],
    );
    expect_instruction_error(r, InstructionError::InsufficientFunds);
}

#[test]
fn assign_prefix_works_on_a_prefunded_address() {
    let h = Harness::new();
    let authority = h.init_registry();
    let holder = h.participant(&authority, roles::MANUFACTURER);
    let record = reg::prefix_pda(&reg::parse_prefix("0614146").unwrap()).0;
    prefund(&h, &record, GRIEF);
    h.license_prefix(&authority, "0614146", &holder.pubkey());
    assert_created(&h, &record, &registry::ID);
}

#[test]
fn flag_suspect_works_on_a_prefunded_quarantine_record() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S-Q"])[0];
    let record = cus::quarantine_pda(&u).0;
    prefund(&h, &record, GRIEF);
    h.custody().flag_suspect(&sc.manufacturer, &u, 1).unwrap();
    assert_created(&h, &record, &custody::ID);
    // Cleared: the record is closed (its lamports back to the flagger) and can be created
    // again by the next quarantine.
    h.custody().clear_suspect(&sc.manufacturer, &u).unwrap();
    assert!(h.ledger.get_account(&record).unwrap().is_none());
    h.custody().flag_suspect(&sc.manufacturer, &u, 2).unwrap();
    assert_created(&h, &record, &custody::ID);
}

#[test]
fn a_claim_naming_a_unit_works_on_a_prefunded_evidence_record() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let u = h.pharmacy_units(&p, &["E1"], 1)[0];
    let record = clm::evidence_pda(&u).0;
    prefund(&h, &record, GRIEF);
    h.claims()
        .submit(
            &p.pharmacy,
            "E-1",
            &clm::SubmitClaim {
                refs: &ClaimRefs {
                    unit: Some(u),
                    ..Default::default()
                },
                ..p.claim([5; 32], 100)
            },
        )
        .expect("submit naming the unit");
    assert_created(&h, &record, &claims::ID);
}

// ----------------------------------------------------------------------------- records, trials

#[test]
fn records_batches_and_links_work_on_prefunded_addresses() {
    use caretrail_sdk::records::{self as rec, RecordVersion};
    let h = Harness::new();
    let c = h.clinic();
    let v1 = RecordVersion::first("MedicationStatement/ms-1", b"v1");
    let (batch, _, _) = rec::build_batch(&c.provider.pubkey(), std::slice::from_ref(&v1)).unwrap();
    prefund(&h, &batch, GRIEF);
    let a = h
        .records()
        .anchor_records(&c.provider, &[v1])
        .expect("anchor over a prefunded batch");
    assert_created(&h, &batch, &records::ID);
    let link = rec::link_pda(&a.batch, &a.proofs[0].leaf_hash().unwrap()).0;
    prefund(&h, &link, GRIEF);
    h.records()
        .supersede_records(&c.provider, &a.proofs, &[b"v2"])
        .expect("supersede over a prefunded link");
    assert_created(&h, &link, &records::ID);
}

#[test]
fn trials_accounts_work_on_prefunded_addresses() {
    use caretrail_sdk::trials::{self as tri, LockKind, RegisterTrialArgs};
    let h = Harness::new();
    let s = h.study(5);
    let c = h.trials();
    let next = tri::trial_pda(&s.sponsor.pubkey(), 2).0;
    prefund(&h, &next, GRIEF);
    let args = RegisterTrialArgs {
        hashes: trial_hashes("b"),
        planned_enrolment: 5,
    };
    c.register(&s.sponsor, &s.investigator.pubkey(), 2, args)
        .expect("register over a prefunded trial");
    assert_created(&h, &next, &trials::ID);
    let site = tri::site_pda(&s.trial, &s.site_investigator.pubkey()).0;
    prefund(&h, &site, GRIEF);
    c.add_site(&s.sponsor, &s.trial, &s.site_investigator.pubkey())
        .unwrap();
    assert_created(&h, &site, &trials::ID);
    let amendment = tri::amendment_pda(&s.trial, 1).0;
    prefund(&h, &amendment, GRIEF);
    c.amend(
        &s.sponsor,
        &s.trial,
        tri::AmendTrialArgs {
            reason: 1,
            hashes: trial_hashes("c"),
            planned_enrolment: 5,
        },
    )
    .unwrap();
    assert_created(&h, &amendment, &trials::ID);
    c.open_enrolment(&s.sponsor, &s.trial).unwrap();
    let patient = h.funded();
    let grant = h.research_grant(&patient, &s.investigator.pubkey(), 1);
    let enrolment = tri::enrolment_pda(&s.trial, &grant).0;
    prefund(&h, &enrolment, GRIEF);
    c.enroll(&s.investigator, &s.trial, &grant).unwrap();
    assert_created(&h, &enrolment, &trials::ID);
    let lock = tri::lock_pda(&s.trial, 0).0;
    prefund(&h, &lock, GRIEF);
    let rows: Vec<&[u8]> = vec![b"row"];
    c.lock_data(&s.sponsor, &s.trial, LockKind::Final, &rows)
        .unwrap();
    assert_created(&h, &lock, &trials::ID);
}
