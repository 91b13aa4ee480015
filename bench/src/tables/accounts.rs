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
    let list: [(&str, &str, usize); 18] = [
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
        (
            "records",
            "RecordBatch",
            records::state::RecordBatch::INIT_SPACE,
        ),
        (
            "records",
            "Superseded",
            records::state::Superseded::INIT_SPACE,
        ),
        ("trials", "Trial", trials::state::Trial::INIT_SPACE),
        ("trials", "Amendment", trials::state::Amendment::INIT_SPACE),
        ("trials", "Site", trials::state::Site::INIT_SPACE),
        ("trials", "Enrolment", trials::state::Enrolment::INIT_SPACE),
        ("trials", "DataLock", trials::state::DataLock::INIT_SPACE),
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

/// Anchoring health records in batches: what one record costs at each batch size (one
/// `RecordBatch` account and one transaction per batch, whatever its size), the proof each
/// record carries, and the time to build the tree; measured by anchoring in the bank.
pub(crate) fn records(quick: bool) -> Table {
    use caretrail_sdk::records::{self as rec, RecordVersion};
    use solana_sdk::signature::Signer;
    let h = Harness::new();
    let c = h.clinic();
    let mut t = Table::new(
        "Anchoring records (one account and one transaction per batch)",
        &[
            "records per batch",
            "transactions",
            "rent lamports per record",
            "fee lamports per record",
            "proof nodes (bytes)",
            "tree + proofs (ms)",
            "anchor (ms)",
        ],
    );
    let sizes: &[usize] = if quick {
        &[1, 100, 10_000]
    } else {
        &[1, 10, 100, 1_000, 10_000, 100_000]
    };
    let rent = h
        .ledger
        .minimum_balance_for_rent_exemption(
            8 + <rec::RecordBatch as anchor_lang::Space>::INIT_SPACE,
        )
        .unwrap();
    for &n in sizes {
        let versions: Vec<RecordVersion> = (0..n)
            .map(|i| {
                RecordVersion::first_salted(
                    &format!("Observation/{n}-{i}"),
                    [7; 32],
                    &i.to_le_bytes(),
                )
            })
            .collect();
        let start = std::time::Instant::now();
        let (_, _, proofs) = rec::build_batch(&c.provider.pubkey(), &versions).unwrap();
        let build = start.elapsed();
        let start = std::time::Instant::now();
        let a = h.records().anchor_records(&c.provider, &versions).unwrap();
        let anchor = start.elapsed();
        // Two signatures (the fee payer and the provider) at 5,000 lamports each.
        let fee = a.outcome.as_ref().map_or(0, |_| 5_000 * 2);
        let nodes = proofs.iter().map(|p| p.path.len()).max().unwrap_or(0);
        t.row(vec![
            n.to_string(),
            "1".into(),
            format!("{:.1}", rent as f64 / n as f64),
            format!("{:.2}", fee as f64 / n as f64),
            format!("{nodes} ({})", nodes * 32),
            format!("{:.1}", build.as_secs_f64() * 1e3),
            format!("{:.1}", anchor.as_secs_f64() * 1e3),
        ]);
    }
    t
}
