//! Custody at national scale: the cost model of docs/SCALE.md (issue 20), from the runtime's
//! `Rent`, the programs' account sizes and the sizes of concurrent Merkle tree accounts (the
//! `spl-concurrent-merkle-tree` layout, the library behind SPL account compression).
//!
//! The baseline is the design the issue started from: a `Unit` account per package, case and
//! pallet and a 120-byte `Hop` per hop, none ever closed. The compressed design is priced from
//! the accounts the custody program now creates for it (a package tree per lot; cases, pallets
//! and hops closed when done); `compressed.rs` measures it running.

use crate::Table;
use caretrail_sdk::Ledger;
use caretrail_tests::Harness;
use spl_concurrent_merkle_tree::concurrent_merkle_tree::ConcurrentMerkleTree;

/// The planning volume: serialized packages a year in the US channel. IQVIA counted 5.8
/// billion prescriptions (30-day equivalents) dispensed in the US in 2018 ("Medicine Use and
/// Spending in the U.S.: A Review of 2018 and Outlook to 2023"); the model takes one package per
/// prescription.
pub(crate) const PACKAGES_PER_YEAR: u64 = 5_800_000_000;
/// The amortization basis: a lot of 10,000 packages.
pub(crate) const LOT: u64 = 10_000;
/// Packing: cases of 20, pallets of 1,000 (the receiving bench's shapes).
const CASE: u64 = 20;
const PALLET: u64 = 1_000;
/// Signature fee per transaction.
const FEE: u64 = 5_000;
/// Bytes of a `Hop` account in the baseline (before it gained its payer and closed).
const BASELINE_HOP_BYTES: usize = 120;
/// The rent-exemption target of the issue: 1% of a `Unit` account's rent.
pub(crate) const TARGET_PERCENT: u64 = 1;

/// Bytes of a tree account: an 8-byte discriminator and a 56-byte header (lot, bump, sizes,
/// authority, as SPL account compression's header), the tree, and a canopy of `canopy` levels.
fn tree_account_bytes<const D: usize, const B: usize>(canopy: u32) -> usize {
    let tree = std::mem::size_of::<ConcurrentMerkleTree<D, B>>();
    // The layout the library's repr(C) gives (sequence number, active index, buffer size,
    // B change logs of a root, D nodes and an index; the rightmost path).
    assert_eq!(tree, 24 + B * (32 + 32 * D + 8) + (32 * D + 32 + 8));
    let canopy_nodes = (1usize << (canopy + 1)) - 2;
    8 + 56 + tree + 32 * canopy_nodes
}

struct TreeShape {
    depth: u32,
    buffer: usize,
    canopy: u32,
    bytes: usize,
}

fn shapes() -> Vec<TreeShape> {
    let s = |depth, buffer, canopy, bytes| TreeShape {
        depth,
        buffer,
        canopy,
        bytes,
    };
    vec![
        s(14, 8, 8, tree_account_bytes::<14, 8>(8)),
        s(14, 64, 8, tree_account_bytes::<14, 64>(8)),
        s(17, 64, 10, tree_account_bytes::<17, 64>(10)),
        s(20, 256, 10, tree_account_bytes::<20, 256>(10)),
    ]
}

pub(crate) fn scale() -> Vec<Table> {
    use anchor_lang::Space;
    let h = Harness::new();
    let rent = |bytes: usize| h.ledger.minimum_balance_for_rent_exemption(bytes).unwrap();
    let unit_bytes = 8 + custody::state::Unit::INIT_SPACE;
    let hop_bytes = BASELINE_HOP_BYTES;
    let lot_bytes = 8 + custody::state::Lot::INIT_SPACE;
    let (unit, lot) = (rent(unit_bytes), rent(lot_bytes));
    let target = unit * TARGET_PERCENT / 100;

    // The baseline: every package, case and pallet a Unit account, every hop a Hop account,
    // none ever closed; a package travels manufacturer → distributor on a pallet and distributor →
    // pharmacy in a case. (what, account bytes, packages sharing the account)
    let today = [
        ("the package's Unit account", unit_bytes, 1),
        ("its share of the case's Unit (1/20)", unit_bytes, CASE),
        (
            "its share of the pallet's Unit (1/1,000)",
            unit_bytes,
            PALLET,
        ),
        ("its share of the pallet's Hop (1/1,000)", hop_bytes, PALLET),
        ("its share of the case's Hop (1/20)", hop_bytes, CASE),
        ("its share of the Lot (1/10,000)", lot_bytes, LOT),
    ]
    .map(|(what, bytes, shared)| {
        let share = |v: f64| v / shared as f64;
        // Every account also costs the validators 128 bytes of metadata.
        (what, share(rent(bytes) as f64), share((bytes + 128) as f64))
    });
    let today_total: f64 = today.iter().map(|(_, l, _)| l).sum();
    let today_bytes: f64 = today.iter().map(|(_, _, b)| b).sum();
    let mut t = Table::new(
        "Rent locked for ever per package, the design before issue 20 (runtime rent; a pallet to the distributor, a case to the pharmacy)",
        &["what", "lamports per package"],
    );
    for (what, l, _) in today {
        t.row(vec![what.into(), format!("{l:.0}")]);
    }
    t.row(vec!["**total**".into(), format!("**{today_total:.0}**")]);

    let mut trees = Table::new(
        "Compressed design: a concurrent Merkle tree account per lot (packages as leaves; cases, pallets and hops closed when done, their rent returned)",
        &[
            "depth (capacity)",
            "buffer",
            "canopy levels",
            "proof nodes in a transaction",
            "account bytes",
            "rent lamports",
            "per package at a 10,000 lot",
            "per package, tree full",
            "≤ 1% of a Unit's rent",
        ],
    );
    let shapes = shapes();
    for s in &shapes {
        let r = rent(s.bytes);
        let capacity = 1u64 << s.depth;
        let per_lot = (r + lot) as f64 / LOT.min(capacity) as f64;
        let per_full = (r + lot) as f64 / capacity as f64;
        trees.row(vec![
            format!("{} ({capacity})", s.depth),
            s.buffer.to_string(),
            s.canopy.to_string(),
            (s.depth - s.canopy).to_string(),
            s.bytes.to_string(),
            r.to_string(),
            format!("{per_lot:.0}"),
            format!("{per_full:.0}"),
            if per_lot <= target as f64 {
                format!("yes (≤ {target})")
            } else {
                format!("no (> {target})")
            },
        ]);
    }

    // The program's package tree (depth 14, buffer 8, canopy 8, and its 112-byte header).
    let tree_bytes = caretrail_sdk::custody::PackageTree::ACCOUNT_LEN;
    {
        let r = rent(tree_bytes);
        let per_lot = (r + lot) as f64 / LOT as f64;
        trees.row(vec![
            "**the custody program's `PackageTree`: 14 (16384)**".into(),
            "8".into(),
            "8".into(),
            "6".into(),
            tree_bytes.to_string(),
            r.to_string(),
            format!("{per_lot:.0}"),
            format!("{:.0}", (r + lot) as f64 / 16_384.0),
            if per_lot <= target as f64 {
                format!("yes (≤ {target})")
            } else {
                format!("no (> {target})")
            },
        ]);
    }

    // A year at the planning volume.
    let tree_rent = rent(tree_bytes);
    let new_per_package = (tree_rent + lot) as f64 / LOT as f64;
    let sol = |lamports_per_package: f64| lamports_per_package * PACKAGES_PER_YEAR as f64 / 1e9;
    // Transactions a package needs: commissioning 14 per transaction (the packing table),
    // packing 8 children per transaction, a hop (ship + receive) per pallet and per case,
    // dispensing 21 per transaction.
    let tx_per_package = 1.0 / 14.0
        + 1.0 / 8.0 * (1.0 + 1.0 / CASE as f64)
        + 2.0 / PALLET as f64
        + 2.0 / CASE as f64
        + 1.0 / 21.0;
    let per_day = PACKAGES_PER_YEAR as f64 / 365.0;
    let mut year = Table::new(
        &format!(
            "A year at the planning volume ({} packages; IQVIA: 5.8 billion US prescriptions dispensed in 2018)",
            PACKAGES_PER_YEAR
        ),
        &[
            "",
            "before issue 20",
            "compressed (the program's PackageTree: depth 14, buffer 8, canopy 8)",
        ],
    );
    year.row(vec![
        "rent locked per package (lamports)".into(),
        format!("{today_total:.0}"),
        format!("{new_per_package:.0}"),
    ]);
    year.row(vec![
        "rent locked per year (SOL)".into(),
        format!("{:.0}", sol(today_total)),
        format!("{:.0}", sol(new_per_package)),
    ]);
    year.row(vec![
        "account state per package (bytes, 128 bytes of metadata per account included)".into(),
        format!("{today_bytes:.1}"),
        format!(
            "{:.1}",
            (tree_bytes + 128 + lot_bytes + 128) as f64 / LOT as f64
        ),
    ]);
    // The compressed design's transactions per package, as the program and SDK make them
    // (the compressed bench runs them): commissioning a case of 20 in one transaction after
    // creating the case, a pallet created and packed in 4 and moved in 2, broken down in 3 and
    // closed in 1; a case moved in 2, unpacked two packages a transaction (each carries its
    // proof) and closed in 1; a package dispensed with its proof; a tree per 10,000.
    let per_case = caretrail_sdk::custody::PROOFS_PER_TRANSACTION as f64;
    let new_tx_per_package = 1.0 / CASE as f64
        + 1.0 / CASE as f64
        + (4.0 + 2.0 + 3.0 + 1.0) / PALLET as f64
        + (2.0 + 1.0) / CASE as f64
        + 1.0 / per_case
        + 1.0
        + 1.0 / LOT as f64;
    year.row(vec![
        "fees per package (lamports, 5,000 per signature)".into(),
        format!("{:.0}", tx_per_package * FEE as f64),
        format!("{:.0}", new_tx_per_package * FEE as f64),
    ]);
    year.row(vec![
        "transactions per day".into(),
        format!("{:.0}", tx_per_package * per_day),
        format!("{:.0}", new_tx_per_package * per_day),
    ]);
    year.row(vec![
        "transactions per second, averaged over the year".into(),
        format!("{:.0}", tx_per_package * per_day / 86_400.0),
        format!("{:.0}", new_tx_per_package * per_day / 86_400.0),
    ]);
    let unique = uniqueness(&rent, new_per_package, target);
    vec![t, trees, year, unique]
}

/// Refusing a duplicate serial GTIN-wide (docs/SCALE.md): what each way of doing it on chain
/// would add to the rent per package and to a commissioning transaction. The indexed trees
/// are priced from the library's layout like the package tree; an insertion carries the
/// serial hash, its low leaf (value, next value, next index, its index: 72 bytes) and the
/// proof nodes below the canopy. The transaction sizes are measured on the program's own
/// `commission_packages` instruction.
fn uniqueness(rent: &dyn Fn(usize) -> u64, package_tree: f64, target: u64) -> Table {
    use caretrail_sdk::custody as cus;
    use solana_sdk::pubkey::Pubkey;
    let mut t = Table::new(
        "Refusing a duplicate serial GTIN-wide: the options priced (rent from the runtime, transaction sizes from the program's commission_packages)",
        &[
            "option",
            "exact, GTIN-wide",
            "rent added per package, a GTIN of one 10,000 lot",
            "rent added per package, a GTIN of 1,000,000",
            "total per package at a 10,000 lot",
            "≤ 1% of a Unit's rent",
            "bytes per package in the commissioning transaction",
            "packages per commissioning transaction",
        ],
    );
    let key = Pubkey::new_unique();
    let size = |n: usize| {
        let hashes = (0..n).map(|i| [i as u8 + 1; 32]).collect();
        let ix = cus::commission_packages_ix(&key, &Pubkey::new_unique(), &key, None, hashes);
        cus::scan::transaction_size(&[ix], &key)
    };
    let per_hash = size(2) - size(1);
    // The transaction without any package, plus the registry account (or accounts) it names.
    let fixed = size(1) - per_hash;
    let fit = |extra_fixed: usize, per_package: usize| {
        (cus::scan::MAX_TX_SIZE.saturating_sub(fixed + extra_fixed) / per_package).min(32)
    };
    let verdict = |total: f64| {
        if total <= target as f64 {
            format!("yes (≤ {target})")
        } else {
            format!("no (> {target})")
        }
    };
    // Built: strictly ascending serial hashes per tree.
    t.row(vec![
        "**built: a tree takes serial hashes in ascending order**".into(),
        "no: within a tree".into(),
        "0".into(),
        "0".into(),
        format!("{package_tree:.0}"),
        verdict(package_tree),
        per_hash.to_string(),
        cus::PACKAGES_PER_TRANSACTION.to_string(),
    ]);
    // An indexed Merkle tree of the GTIN's serial hashes, its own account (over 10 KiB, as a
    // package tree), found from a small PDA per GTIN (priced as a Lot-sized account).
    let pointer = rent(8 + 32 + 8);
    let indexed = |name: String, bytes: usize, depth: u32, canopy: u32| {
        let r = (rent(bytes) + pointer) as f64;
        let per_package = per_hash + 72 + 32 * (depth - canopy) as usize;
        let one_lot = r / LOT as f64;
        let total = package_tree + one_lot;
        vec![
            name,
            "yes".into(),
            format!("{one_lot:.0}"),
            format!("{:.0}", r / 1_000_000f64),
            format!("{total:.0}"),
            verdict(total),
            per_package.to_string(),
            fit(32, per_package).to_string(),
        ]
    };
    for (canopy, bytes) in [
        (6, tree_account_bytes::<20, 16>(6)),
        (8, tree_account_bytes::<20, 16>(8)),
        (10, tree_account_bytes::<20, 16>(10)),
    ] {
        t.row(indexed(
            format!("an indexed Merkle tree per GTIN: depth 20, buffer 16, canopy {canopy}"),
            bytes,
            20,
            canopy,
        ));
    }
    // One registry shared by every GTIN, sharded by the serial hash's first byte so parties do
    // not contend for one account: 256 trees of depth 24 (4 billion serials), canopy 14.
    {
        let shard = tree_account_bytes::<24, 64>(14);
        let all = (256 * rent(shard)) as f64;
        let per_package = per_hash + 72 + 32 * 10 + 33;
        let year_one = all / PACKAGES_PER_YEAR as f64;
        let total = package_tree + year_one;
        t.row(vec![
            "one registry for every GTIN: 256 shards by serial hash, depth 24, buffer 64, canopy 14 (rent shared by a year's 5.8 billion packages)".into(),
            "yes".into(),
            format!("{year_one:.0}"),
            format!("{year_one:.0}"),
            format!("{total:.0}"),
            verdict(total),
            per_package.to_string(),
            fit(0, per_package).to_string(),
        ]);
    }
    // Disjoint hash ranges: a GTIN's account keeps a bitmap of 2^13 serial-hash prefixes, a
    // tree claims one, and takes only serial hashes under it (ascending, as now). No proof,
    // but a serialization system must generate serials whose hash has the tree's prefix
    // (about 8,192 hashes a serial).
    {
        let bitmap = rent(8 + 16 + (1 << 13) / 8) as f64;
        let one_lot = bitmap / LOT as f64;
        let total = package_tree + one_lot;
        t.row(vec![
            "disjoint hash ranges: a bitmap of 8,192 serial-hash prefixes per GTIN, a tree takes serials under the prefix it claims (serials must be generated to it)".into(),
            "yes".into(),
            format!("{one_lot:.0}"),
            format!("{:.0}", bitmap / 1_000_000f64),
            format!("{total:.0}"),
            verdict(total),
            per_hash.to_string(),
            cus::PACKAGES_PER_TRANSACTION.to_string(),
        ]);
    }
    // A marker account per serial (no data: only the account's 128 bytes of metadata).
    let marker = rent(0) as f64;
    t.row(vec![
        "an empty marker account per serial (`[\"serial\", hash]`)".into(),
        "yes".into(),
        format!("{marker:.0}"),
        format!("{marker:.0}"),
        format!("{:.0}", package_tree + marker),
        verdict(package_tree + marker),
        (per_hash + 33).to_string(),
        fit(0, per_hash + 33).to_string(),
    ]);
    t
}
