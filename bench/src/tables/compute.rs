//! Compute units the bank meters (SPL Token CPIs; caretrail's programs in SBF builds).

use crate::Table;
use caretrail_sdk::claims::{self as clm, ClaimRefs};
use caretrail_sdk::consent::{self as con, GrantArgs};
use caretrail_sdk::custody::{self as cus};
use caretrail_tests::{access, ship_args, treatment_scope, Harness, DAY, GTIN, LOT};
use solana_sdk::signature::Signer;

/// What the bank meters: caretrail's native programs count 1 CU per invocation; the SPL Token
/// program they call runs as SBF and is metered for real.
pub(crate) fn compute_units() -> Table {
    let mut t = Table::new(
        "Compute units metered by the bank (native caretrail programs + SBF SPL Token)",
        &["transaction", "CU", "note"],
    );
    for (name, program) in [
        ("Token", caretrail_sdk::tokens::TOKEN),
        ("Token-2022", caretrail_sdk::tokens::TOKEN_2022),
    ] {
        let h = Harness::new();
        let p = h.plan(&program);
        let c = h.submit(&p, "CU", 1_500);
        h.claims()
            .adjudicate(&p.insurer, None, &c, 1_500, 0)
            .unwrap();
        let out = h.claims().pay(&p.insurer, &c, &p.provider_token).unwrap();
        t.row(vec![
            format!("claims pay ({name} transfer_checked CPI)"),
            out.compute_units.to_string(),
            "≈ the token program's own units".into(),
        ]);
    }
    t.row(vec![
        "caretrail instructions (SBF)".into(),
        "n/a here".into(),
        "see \"Compute units on a real validator\" below (SBF builds, scripts/e2e-validator.sh)"
            .into(),
    ]);
    t
}

/// Compute units of every instruction, as the bank reports them. With `--sbf-dir DIR` (the
/// `.so` files of `anchor build`), the six programs run as SBF and are metered for real;
/// without it they run natively and only their SPL Token CPIs are metered.
pub(crate) fn per_instruction(sbf_dir: Option<&std::path::Path>) -> Table {
    use caretrail_sdk::registry::roles;
    let title = match sbf_dir {
        Some(d) => format!("Compute units per instruction (SBF builds from {})", d.display()),
        None => "Compute units per instruction (native processors: only SPL Token CPIs are metered; pass --sbf-dir for SBF builds)".to_string(),
    };
    let mut t = Table::new(&title, &["program", "instruction", "CU"]);
    let ledger = match sbf_dir {
        Some(d) => caretrail_sdk::EmbeddedLedger::in_memory_sbf(
            caretrail_sdk::ClockMode::Manual(caretrail_tests::T0),
            d,
        )
        .expect("load the SBF programs"),
        None => caretrail_sdk::EmbeddedLedger::in_memory(caretrail_sdk::ClockMode::Manual(
            caretrail_tests::T0,
        ))
        .expect("bank"),
    };
    let h = Harness::with_ledger(ledger);
    let mut row = |program: &str, ix: &str, out: caretrail_sdk::TxOutcome| {
        t.row(vec![
            program.into(),
            ix.into(),
            out.compute_units.to_string(),
        ])
    };
    let authority = h.funded();
    row(
        "registry",
        "initialize",
        h.registry().initialize(&authority).unwrap(),
    );
    let wallets: Vec<_> = [
        roles::MANUFACTURER,
        roles::DISTRIBUTOR,
        roles::DISPENSER,
        roles::PROVIDER,
        roles::PAYER,
    ]
    .iter()
    .map(|_| h.funded())
    .collect();
    for (w, r) in wallets.iter().zip([
        roles::MANUFACTURER,
        roles::DISTRIBUTOR,
        roles::DISPENSER,
        roles::PROVIDER,
        roles::PAYER,
    ]) {
        let out = h
            .registry()
            .register(
                &authority,
                caretrail_tests::participant_args(&w.pubkey(), r, h.now() + 365 * DAY),
            )
            .unwrap();
        if r == roles::MANUFACTURER {
            row("registry", "register_participant", out);
        }
    }
    let (m, d, ph, pr, payer) = (
        &wallets[0],
        &wallets[1],
        &wallets[2],
        &wallets[3],
        &wallets[4],
    );
    row(
        "registry",
        "suspend_participant",
        h.registry().suspend(&authority, &pr.pubkey(), 1).unwrap(),
    );
    row(
        "registry",
        "reinstate_participant",
        h.registry().reinstate(&authority, &pr.pubkey()).unwrap(),
    );
    row(
        "registry",
        "assign_prefix",
        h.registry()
            .assign_prefix(&authority, caretrail_tests::GTIN_PREFIX, &m.pubkey())
            .unwrap(),
    );
    let gtin = cus::parse_gtin(GTIN).unwrap();
    row(
        "custody",
        "register_lot",
        h.custody()
            .register_lot(m, cus::lot_args(&gtin, LOT, (2027, 12, 31)))
            .unwrap(),
    );
    let lot = cus::lot_pda(&gtin, LOT).0;
    row(
        "custody",
        "commission_units (1)",
        h.custody()
            .commission(m, &lot, vec![cus::serial_hash(&gtin, "CU1")])
            .unwrap(),
    );
    let hashes: Vec<[u8; 32]> = (0..10)
        .map(|i| cus::serial_hash(&gtin, &format!("CUB{i}")))
        .collect();
    row(
        "custody",
        "commission_units (10)",
        h.custody().commission(m, &lot, hashes).unwrap(),
    );
    let u = cus::unit_pda(&gtin, "CU1").0;
    row(
        "custody",
        "ship",
        h.custody().ship(m, &d.pubkey(), &u, ship_args()).unwrap(),
    );
    row("custody", "receive", h.custody().receive(d, &u).unwrap());
    h.custody().ship(d, &ph.pubkey(), &u, ship_args()).unwrap();
    h.custody().receive(ph, &u).unwrap();
    row("custody", "dispense", h.custody().dispense(ph, &u).unwrap());
    let patient = h.funded();
    let args = GrantArgs {
        scope: treatment_scope(),
        not_before: h.now(),
        expires_at: h.now() + 30 * DAY,
        policy_hash: [1; 32],
    };
    row(
        "consent",
        "grant",
        h.consent()
            .grant(&patient, &patient.pubkey(), &pr.pubkey(), 1, args)
            .unwrap(),
    );
    let g = con::grant_pda(&patient.pubkey(), &pr.pubkey(), 1).0;
    row(
        "consent",
        "record_access",
        h.consent()
            .record_access(
                pr,
                &g,
                access(con::class::LABS, con::action::ACCESS, con::purpose::TREAT),
            )
            .unwrap(),
    );
    row(
        "consent",
        "revoke",
        h.consent().revoke(&patient, &g).unwrap(),
    );
    let mint = h.create_mint(&caretrail_sdk::tokens::TOKEN, &payer.pubkey(), 2);
    let payer_token = h.create_ata(&payer.pubkey(), &mint, &caretrail_sdk::tokens::TOKEN);
    h.mint_to(
        &caretrail_sdk::tokens::TOKEN,
        &mint,
        &payer_token,
        payer,
        1_000_000,
    );
    let pargs = clm::PayerArgs {
        auto_approve_limit: 100_000,
        daily_limit: 1_000_000,
        appeal_window: DAY,
        adjudicators: vec![],
    };
    row(
        "claims",
        "init_payer",
        h.claims()
            .init_payer(payer, &mint, &caretrail_sdk::tokens::TOKEN, pargs)
            .unwrap(),
    );
    let payer_pda = clm::payer_pda(&payer.pubkey()).0;
    row(
        "claims",
        "fund_vault",
        h.claims()
            .fund(&payer_pda, payer, &payer_token, 500_000)
            .unwrap(),
    );
    let enroll = clm::EnrollArgs {
        member_commitment: [9; 32],
        period_start: h.now(),
        period_end: h.now() + DAY * 365,
        annual_max: 100_000,
        deductible: 0,
    };
    row(
        "claims",
        "enroll",
        h.claims().enroll(payer, &patient, enroll).unwrap(),
    );
    let coverage = clm::coverage_pda(&payer_pda, &[9; 32]).0;
    row(
        "claims",
        "submit_claim",
        h.claims()
            .submit(
                pr,
                "CU-CLAIM",
                &caretrail_sdk::claims::SubmitClaim {
                    payer: &payer_pda,
                    coverage: &coverage,
                    document_hash: [1; 32],
                    billed: 1_000,
                    refs: &ClaimRefs::default(),
                },
            )
            .unwrap(),
    );
    let c = clm::claim_address(&payer_pda, pr, "CU-CLAIM");
    row(
        "claims",
        "adjudicate",
        h.claims().adjudicate(payer, None, &c, 1_000, 0).unwrap(),
    );
    let provider_token = h.create_ata(&pr.pubkey(), &mint, &caretrail_sdk::tokens::TOKEN);
    row(
        "claims",
        "pay",
        h.claims().pay(payer, &c, &provider_token).unwrap(),
    );
    t
}
