use super::*;

#[test]
fn enrolment_needs_the_patient_and_the_payer() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let args = EnrollArgs {
        member_commitment: [8; 32],
        period_start: T0,
        period_end: T0 + DAY,
        annual_max: 10,
        deductible: 0,
    };
    let mut ix = clm::enroll_ix(&p.insurer.pubkey(), &p.patient.pubkey(), args.clone());
    meta(&mut ix, "patient").is_signer = false; // the patient
    expect_error(
        h.send(&[&p.insurer], &[ix]),
        &CLAIMS,
        AnchorError::AccountNotSigner,
    );
    // Another registered payer cannot enrol members at this payer.
    let stranger = h.participant(&p.authority, roles::PAYER);
    let mut ix = clm::enroll_ix(&stranger.pubkey(), &p.patient.pubkey(), args.clone());
    meta(&mut ix, "coverage").pubkey = clm::coverage_pda(&p.payer, &args.member_commitment).0;
    meta(&mut ix, "payer").pubkey = p.payer;
    expect_error(
        h.send(&[&stranger, &p.patient], &[ix]),
        &CLAIMS,
        ClaimsError::Unauthorized,
    );
    let mut again = args;
    again.member_commitment = caretrail_sdk::hash::commit(&[3; 32], b"member 123456");
    expect_error(
        h.claims().enroll(&p.insurer, &p.patient, again),
        &CLAIMS,
        ClaimsError::AlreadyEnrolled,
    );
}

#[test]
fn enrolment_terms_are_validated() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let bad = |start: i64, end: i64, max: u64, member: [u8; 32]| {
        h.claims().enroll(
            &p.insurer,
            &p.patient,
            EnrollArgs {
                member_commitment: member,
                period_start: start,
                period_end: end,
                annual_max: max,
                deductible: 0,
            },
        )
    };
    expect_error(
        bad(T0, T0, 10, [1; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
    );
    expect_error(
        bad(T0, T0 + DAY, 0, [1; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
    );
    expect_error(
        bad(T0, T0 + DAY, 10, [0; 32]),
        &CLAIMS,
        ClaimsError::InvalidCoverage,
    );
}
