use super::*;

#[test]
fn submit_stores_the_exact_claim() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "CLM-1", 12_000);
    let x = claim(&h, &c);
    assert_eq!(
        (x.status, x.frequency, x.carc, x.appeal_count),
        (ClaimStatus::Submitted, 1, 0, 0)
    );
    assert_eq!(
        (x.payer, x.provider, x.coverage),
        (p.payer, p.provider.pubkey(), p.coverage)
    );
    assert_eq!(
        (x.billed, x.approved, x.paid, x.patient_share),
        (12_000, 0, 0, 0)
    );
    assert_eq!(
        (x.submitted_at, x.decided_at, x.document_hash),
        (T0, 0, [5; 32])
    );
}

#[test]
fn a_duplicate_claim_id_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    h.submit(&p, "CLM-1", 12_000);
    let r = h
        .claims()
        .submit(&p.provider, "CLM-1", &p.claim([6; 32], 99));
    expect_error(r, &CLAIMS, ClaimsError::DuplicateClaim);
}

#[test]
fn only_registered_billing_parties_submit() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let stranger = h.funded();
    let r = h.claims().submit(&stranger, "X", &p.claim([6; 32], 99));
    expect_error(r, &CLAIMS, AnchorError::AccountNotInitialized);
    let distributor = h.participant(&p.authority, roles::DISTRIBUTOR);
    let r = h.claims().submit(&distributor, "X", &p.claim([6; 32], 99));
    expect_error(r, &CLAIMS, ClaimsError::RoleNotAllowed);
    let r = h.claims().submit(&p.provider, "X", &p.claim([6; 32], 0));
    expect_error(r, &CLAIMS, ClaimsError::InvalidAmount);
}

#[test]
fn claims_outside_the_coverage_period_are_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let short = EnrollArgs {
        member_commitment: [4; 32],
        period_start: T0 + DAY,
        period_end: T0 + 10 * DAY,
        annual_max: 10_000,
        deductible: 0,
    };
    h.claims().enroll(&p.insurer, &p.patient, short).unwrap();
    let coverage = clm::coverage_pda(&p.payer, &[4; 32]).0;
    let r = h.claims().submit(
        &p.provider,
        "EARLY",
        &clm::SubmitClaim {
            coverage: &coverage,
            ..p.claim([6; 32], 99)
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageInactive);
    h.warp(10 * DAY);
    let r = h.claims().submit(
        &p.provider,
        "LATE",
        &clm::SubmitClaim {
            coverage: &coverage,
            ..p.claim([6; 32], 99)
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::CoverageInactive);
}

#[test]
fn a_pharmacy_claim_naming_a_unit_needs_it_dispensed_by_that_pharmacy() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    // The pharmacy from the plan dispenses a unit of a supply chain sharing the registry.
    let manufacturer = h.participant(&p.authority, roles::MANUFACTURER);
    h.license_prefix(&p.authority, GTIN_PREFIX, &manufacturer.pubkey());
    let gtin = caretrail_sdk::custody::parse_gtin(GTIN).unwrap();
    h.custody()
        .register_lot(
            &manufacturer,
            caretrail_sdk::custody::lot_args(&gtin, LOT, (2027, 12, 31)),
        )
        .unwrap();
    let lot = caretrail_sdk::custody::lot_pda(&gtin, LOT).0;
    h.custody()
        .commission(
            &manufacturer,
            &lot,
            vec![
                caretrail_sdk::custody::serial_hash(&gtin, "RX1"),
                caretrail_sdk::custody::serial_hash(&gtin, "RX2"),
            ],
        )
        .unwrap();
    let (u1, u2) = (
        caretrail_sdk::custody::unit_pda(&gtin, "RX1").0,
        caretrail_sdk::custody::unit_pda(&gtin, "RX2").0,
    );
    h.hop(&manufacturer, &p.pharmacy, &u1);
    h.hop(&manufacturer, &p.pharmacy, &u2);
    h.custody().dispense(&p.pharmacy, &u1).unwrap();
    let submit = |who: &Keypair, id: &str, unit| {
        h.claims().submit(
            who,
            id,
            &clm::SubmitClaim {
                refs: &ClaimRefs {
                    unit: Some(unit),
                    ..Default::default()
                },
                ..p.claim([1; 32], 700)
            },
        )
    };
    submit(&p.pharmacy, "RX1", u1).unwrap();
    expect_error(
        submit(&p.pharmacy, "RX2", u2),
        &CLAIMS,
        ClaimsError::UnitNotDispensed,
    );
    expect_error(
        submit(&p.provider, "RX1-BY-OTHER", u1),
        &CLAIMS,
        ClaimsError::UnitNotDispensed,
    );
}

#[test]
fn the_claim_account_stays_within_272_bytes() {
    // 199 bytes before the audit; + 64 for the consent grant and unit it names (finding 7).
    use anchor_lang::Space;
    let size = 8 + clm::Claim::INIT_SPACE;
    println!("Claim: {size} bytes of data");
    assert!(size <= 272, "{size}");
}

#[test]
fn a_suspended_provider_cannot_bill() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    h.registry()
        .suspend(&p.authority, &p.provider.pubkey(), 9)
        .unwrap();
    let r = h.claims().submit(&p.provider, "S", &p.claim([1; 32], 100));
    expect_error(r, &CLAIMS, ClaimsError::ParticipantSuspended);
}

#[test]
fn a_coverage_account_passed_as_a_claim_is_rejected() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let c = h.submit(&p, "C", 2_000);
    let x = claim(&h, &c);
    let mut ix = clm::void_ix(&c, &x);
    meta(&mut ix, "claim").pubkey = p.coverage;
    expect_error(
        h.send(&[&p.provider], &[ix]),
        &CLAIMS,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

#[test]
fn an_expired_or_misdirected_consent_grant_is_rejected() {
    use caretrail_sdk::consent::{self as con, GrantArgs, Scope};
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let scope = Scope {
        classes: con::class::MEDICATIONS,
        actions: con::action::DISCLOSE,
        purposes: con::purpose::HPAYMT,
    };
    let args = GrantArgs {
        scope,
        not_before: T0,
        expires_at: T0 + DAY,
        policy_hash: [1; 32],
    };
    h.consent()
        .grant(
            &p.patient,
            &p.patient.pubkey(),
            &p.provider.pubkey(),
            1,
            args.clone(),
        )
        .unwrap();
    h.consent()
        .grant(
            &p.patient,
            &p.patient.pubkey(),
            &p.pharmacy.pubkey(),
            1,
            args,
        )
        .unwrap();
    let to_provider = con::grant_pda(&p.patient.pubkey(), &p.provider.pubkey(), 1).0;
    let to_pharmacy = con::grant_pda(&p.patient.pubkey(), &p.pharmacy.pubkey(), 1).0;
    let refs = |g| ClaimRefs {
        consent_grant: Some(g),
        ..Default::default()
    };
    let r = h.claims().submit(
        &p.provider,
        "OTHER",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,
            document_hash: [1; 32],
            billed: 100,
            refs: &refs(to_pharmacy),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::ConsentNotValid);
    h.warp(DAY);
    let r = h.claims().submit(
        &p.provider,
        "LATE",
        &caretrail_sdk::claims::SubmitClaim {
            payer: &p.payer,
            coverage: &p.coverage,
            document_hash: [1; 32],
            billed: 100,
            refs: &refs(to_provider),
        },
    );
    expect_error(r, &CLAIMS, ClaimsError::ConsentNotValid);
}

/// Audit finding 9: claim ids are keyed per provider, so provider B cannot take provider A's
/// (predictable) claim id; and they are salted with the provider's own key.
#[test]
fn claim_ids_belong_to_their_provider() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let a = h.submit(&p, "RX-0001", 1_000);
    let other = h.participant(&p.authority, roles::PROVIDER);
    h.claims()
        .submit(&other, "RX-0001", &p.claim([1; 32], 1_000))
        .expect("another provider's own claim RX-0001");
    let b = clm::claim_address(&p.payer, &other, "RX-0001");
    assert_ne!(a, b);
    assert_eq!(claim(&h, &a).provider, p.provider.pubkey());
    assert_eq!(claim(&h, &b).provider, other.pubkey());
    // The id hash on chain is salted: not sha256 of the id.
    let event_hash = clm::claim_id_hash(&clm::claim_salt(&p.provider), "RX-0001");
    assert_ne!(event_hash, caretrail_sdk::hash::sha256(&[b"RX-0001"]));
    // The same provider cannot submit the same id twice.
    expect_error(
        h.claims()
            .submit(&p.provider, "RX-0001", &p.claim([1; 32], 1_000)),
        &CLAIMS,
        ClaimsError::DuplicateClaim,
    );
}
