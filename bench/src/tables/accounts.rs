//! Account sizes and the rent they lock, from the runtime's `Rent`.

use crate::Table;
use caretrail_sdk::Ledger;
use caretrail_tests::Harness;

/// Account sizes and rent-exempt minimums from the bank's `Rent`.
pub(crate) fn accounts() -> Table {
    use anchor_lang::Space;
    let h = Harness::new();
    let mut t = Table::new(
        "Account cost (rent from the runtime)",
        &[
            "program",
            "account",
            "data bytes",
            "rent-exempt lamports",
            "SOL",
        ],
    );
    let list: [(&str, &str, usize); 11] = [
        (
            "registry",
            "RegistryConfig",
            registry::state::RegistryConfig::INIT_SPACE,
        ),
        (
            "registry",
            "Participant",
            registry::state::Participant::INIT_SPACE,
        ),
        ("custody", "Lot", custody::state::Lot::INIT_SPACE),
        ("custody", "Unit", custody::state::Unit::INIT_SPACE),
        ("custody", "Hop", custody::state::Hop::INIT_SPACE),
        (
            "consent",
            "ConsentGrant",
            consent::state::ConsentGrant::INIT_SPACE,
        ),
        ("consent", "Delegate", consent::state::Delegate::INIT_SPACE),
        (
            "consent",
            "PatientRecord",
            consent::state::PatientRecord::INIT_SPACE,
        ),
        ("claims", "Payer", claims::state::Payer::INIT_SPACE),
        ("claims", "Coverage", claims::state::Coverage::INIT_SPACE),
        ("claims", "Claim", claims::state::Claim::INIT_SPACE),
    ];
    for (program, name, space) in list {
        let bytes = 8 + space;
        let lamports = h.ledger.minimum_balance_for_rent_exemption(bytes).unwrap();
        t.row(vec![
            program.into(),
            name.into(),
            bytes.to_string(),
            lamports.to_string(),
            format!("{:.6}", lamports as f64 / 1e9),
        ]);
    }
    t
}
