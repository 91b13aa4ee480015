//! custody: every instruction's happy path and its rejections, with exact error codes, the
//! manufacturer → distributor → pharmacy story, and a 1,000-unit pallet moved in one hop.

mod aggregate;
mod cold_chain;
mod commission;
mod dispense;
mod lot;
mod package_cold_chain;
mod package_epcis;
mod packages;
mod recall;
mod returns;
mod ship;
mod suspect;
mod verify;
use anchor_lang::error::ErrorCode as AnchorError;
use anchor_lang::prelude::Pubkey;
use caretrail_sdk::custody::{self as cus, HopStatus, LotStatus, UnitKind, UnitStatus};
use caretrail_sdk::events::{CaretrailEvent, CustodyEvent};
use caretrail_sdk::registry::roles;
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use custody::error::CustodyError;
use solana_sdk::signature::{Keypair, Signer};

const CUSTODY: Pubkey = custody::ID;

fn unit(h: &Harness, u: &Pubkey) -> cus::Unit {
    cus::fetch_unit(&h.ledger, u).unwrap().expect("unit")
}

fn lot(h: &Harness, l: &Pubkey) -> cus::Lot {
    cus::fetch_lot(&h.ledger, l).unwrap().expect("lot")
}

fn code(serial: &str) -> caretrail_sdk::gs1::Gs1Code {
    caretrail_sdk::gs1::parse_with_year(
        &format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{serial}"),
        2026,
    )
    .unwrap()
}

fn verify(
    h: &Harness,
    code: &caretrail_sdk::gs1::Gs1Code,
    expected: Option<&Keypair>,
) -> cus::Verification {
    cus::verify(&h.ledger, code, expected.map(|k| k.pubkey()).as_ref()).unwrap()
}

fn return_args() -> cus::ShipArgs {
    cus::ShipArgs {
        is_return: true,
        ..ship_args()
    }
}
