//! claims: the state machine, payouts in SPL Token and Token-2022, fraud and safety rules.

mod adjudicate;
mod appeal;
mod enroll;
mod intake;
mod pay;
mod payer;
mod reads;
mod remit;
mod submit;
mod void;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimStatus, EnrollArgs, PayerArgs};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use claims::error::ClaimsError;
use solana_sdk::signature::{Keypair, Signer};

const CLAIMS: Pubkey = claims::ID;

fn claim(h: &Harness, c: &Pubkey) -> clm::Claim {
    clm::fetch_claim(&h.ledger, c).unwrap().expect("claim")
}

fn payer(h: &Harness, p: &Plan) -> clm::Payer {
    clm::fetch_payer(&h.ledger, &p.payer)
        .unwrap()
        .expect("payer")
}

/// The claims of a project fixture 837 (`tests/fixtures/x12/NAME`).
fn x12_fixture(name: &str) -> Vec<caretrail_sdk::x12::Claim837> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/x12")
            .join(name),
    )
    .unwrap();
    caretrail_sdk::x12::claims_837(&caretrail_sdk::x12::parse(&text).unwrap()).unwrap()
}

/// A member file mapping the member ids `ids` to the plan's coverage.
fn members(p: &Plan, ids: &[&str]) -> clm::intake::MemberFile {
    let mut csv = String::from("member_id,coverage\n");
    for id in ids {
        csv.push_str(&format!("{id},{}\n", p.coverage));
    }
    clm::intake::MemberFile::from_csv(&csv).unwrap()
}

/// `scripts/validate-x12.sh` (pyx12's x12valid) on `x12` written as `name`: it must accept
/// it; what it said.
fn x12_validated(name: &str, x12: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(name);
    std::fs::write(&file, x12).unwrap();
    let out = std::process::Command::new("bash")
        .arg(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-x12.sh"))
        .arg(&file)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{said}\n{}\n{x12}",
        String::from_utf8_lossy(&out.stderr)
    );
    said
}
