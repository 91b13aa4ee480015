//! Compressed custody measured on the embedded ledger (issue 20): a lot's packages
//! commissioned straight into cases of 20 in package trees, cases packed on pallets of 1,000,
//! every pallet shipped to the distributor and received, then one pallet broken down, one case
//! sent on to the pharmacy, emptied and closed there, and one package dispensed. Rent is read
//! from the accounts the custody program owns at each stage, not computed.

use crate::tables::scale::{LOT, TARGET_PERCENT};
use crate::Table;
use anchor_lang::Space;
use caretrail_sdk::custody::{self as cus, PackageTree, PackageTreeIndex, UnitKind};
use caretrail_sdk::Ledger;
use caretrail_tests::{sscc, Harness, SupplyChain};
use solana_sdk::pubkey::Pubkey;
use std::time::Instant;

const CASE: usize = 20;
const PALLET: usize = 1_000;

/// Lamports held by custody accounts now: (trees, aggregates, everything else).
fn locked(h: &Harness) -> (u64, u64, u64) {
    let accounts = h
        .ledger
        .get_program_accounts(&custody::ID, &[])
        .expect("custody accounts");
    let unit_len = 8 + custody::state::Unit::INIT_SPACE;
    let (mut trees, mut aggregates, mut other) = (0, 0, 0);
    for (_, a) in accounts {
        if a.data.len() == PackageTree::ACCOUNT_LEN {
            trees += a.lamports;
        } else if a.data.len() == unit_len {
            aggregates += a.lamports;
        } else {
            other += a.lamports;
        }
    }
    (trees, aggregates, other)
}

struct Journey {
    packages: usize,
    trees: usize,
    commission_txs: usize,
    commission_secs: f64,
    pallet_hop_txs: u64,
    in_transit: f64,
    emptied: f64,
    unpack_txs: usize,
    index_secs: f64,
    kept_secs: f64,
}

fn journey(n: usize) -> Journey {
    let h = Harness::new();
    let sc: SupplyChain = h.supply_chain();
    let c = h.custody();
    // Serial hashes in the ascending order a tree takes them.
    let mut hashes: Vec<[u8; 32]> = (0..n)
        .map(|i| cus::serial_hash(&sc.gtin, &format!("S{i:08}")))
        .collect();
    hashes.sort_unstable();
    let per_tree = cus::TREE_CAPACITY as usize;
    let t0 = Instant::now();
    let mut trees = Vec::new();
    let mut cases = Vec::new();
    let mut commission_txs = 0;
    let mut in_tree = per_tree;
    for (k, chunk) in hashes.chunks(CASE).enumerate() {
        // A case's packages share a tree: a new tree when the current one cannot take a case.
        if in_tree + chunk.len() > per_tree {
            trees.push(c.create_package_tree(&sc.manufacturer, &sc.lot).unwrap().0);
            in_tree = 0;
        }
        in_tree += chunk.len();
        let code = sscc(&format!("{}", 10_000_000 + k));
        c.create_aggregate(&sc.manufacturer, code, UnitKind::Case)
            .unwrap();
        let case = cus::sscc_pda(&code).0;
        commission_txs += c
            .commission_packages(
                &sc.manufacturer,
                trees.last().unwrap(),
                Some(&case),
                chunk.to_vec(),
            )
            .unwrap()
            .len();
        cases.push((code, case));
    }
    let commission_secs = t0.elapsed().as_secs_f64();
    let mut pallets = Vec::new();
    for (p, group) in cases.chunks(PALLET / CASE).enumerate() {
        let code = sscc(&format!("{}", 20_000_000 + p));
        c.create_aggregate(&sc.manufacturer, code, UnitKind::Pallet)
            .unwrap();
        let pallet = cus::sscc_pda(&code).0;
        let keys: Vec<Pubkey> = group.iter().map(|(_, k)| *k).collect();
        for chunk in keys.chunks(24) {
            c.aggregate(&sc.manufacturer, &pallet, chunk).unwrap();
        }
        pallets.push((code, pallet));
    }
    let before = h.ledger.transaction_count().unwrap();
    for (_, pallet) in &pallets {
        h.hop(&sc.manufacturer, &sc.distributor, pallet);
    }
    let pallet_hop_txs = (h.ledger.transaction_count().unwrap() - before) / pallets.len() as u64;
    let (trees_l, aggregates_l, other_l) = locked(&h);
    let in_transit = (trees_l + aggregates_l + other_l) as f64 / n as f64;

    // One pallet broken down, one case to the pharmacy, emptied and closed, one dispensed.
    let (pallet_code, pallet) = pallets[0];
    let (case_code, case) = cases[0];
    let inner: Vec<Pubkey> = cases[..PALLET / CASE].iter().map(|(_, k)| *k).collect();
    for chunk in inner.chunks(24) {
        c.disaggregate(&sc.distributor, &pallet, chunk).unwrap();
    }
    c.close_aggregate(&sc.distributor, pallet_code).unwrap();
    h.hop(&sc.distributor, &sc.pharmacy, &case);
    let unpack_txs = c
        .unpack_packages(&sc.pharmacy, &trees[0], &case, &hashes[..CASE])
        .unwrap()
        .len();
    c.close_aggregate(&sc.pharmacy, case_code).unwrap();
    c.dispense_package(&sc.pharmacy, &trees[0], &hashes[0])
        .unwrap();
    // What stays when every case and pallet has been emptied and closed like these: the trees
    // and the lot (every other custody account of the journey is a case or a pallet).
    let (trees_l, _, other_l) = locked(&h);
    let emptied = (trees_l + other_l) as f64 / n as f64;
    let t = Instant::now();
    let index = PackageTreeIndex::sync(&h.ledger, &trees[0]).unwrap();
    let index_secs = t.elapsed().as_secs_f64();
    // The same tree's index kept in a directory: written once, then opened and checked.
    let kept =
        std::env::temp_dir().join(format!("caretrail-bench-index-{}-{n}", std::process::id()));
    PackageTreeIndex::open(&h.ledger, &trees[0], &kept).unwrap();
    let t = Instant::now();
    PackageTreeIndex::open(&h.ledger, &trees[0], &kept).unwrap();
    let kept_secs = t.elapsed().as_secs_f64();
    std::fs::remove_dir_all(&kept).ok();
    assert_eq!(index.len() as usize, n.min(per_tree / CASE * CASE));
    Journey {
        packages: n,
        trees: trees.len(),
        commission_txs,
        commission_secs,
        pallet_hop_txs,
        in_transit,
        emptied,
        unpack_txs,
        index_secs,
        kept_secs,
    }
}

pub(crate) fn compressed(quick: bool) -> Table {
    // 10,000 even in quick mode: the target is stated for a lot of that size.
    let sizes: &[usize] = if quick {
        &[1_000, 10_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    let h = Harness::new();
    let unit_rent = h
        .ledger
        .minimum_balance_for_rent_exemption(8 + custody::state::Unit::INIT_SPACE)
        .unwrap();
    let target = unit_rent * TARGET_PERCENT / 100;
    let mut t = Table::new(
        "Compressed custody, measured: packages commissioned into cases of 20 in package trees, pallets of 1,000 shipped and received (rent read from the custody accounts)",
        &[
            "packages",
            "package trees",
            "commissioning transactions (packages each)",
            "commissioning packages/s",
            "transactions per 1,000-package pallet hop",
            "rent per package with every pallet at the distributor (lamports)",
            "rent per package once cases and pallets are emptied and closed (lamports)",
            "≤ 1% of a Unit's rent",
            "unpacking a case of 20 (transactions)",
            "rebuilding a tree's index from its history (s)",
            "opening it kept on disk (s)",
        ],
    );
    for &n in sizes {
        let j = journey(n);
        let ok = j.emptied <= target as f64 && n as u64 >= LOT;
        t.row(vec![
            j.packages.to_string(),
            j.trees.to_string(),
            format!(
                "{} ({:.0})",
                j.commission_txs,
                j.packages as f64 / j.commission_txs as f64
            ),
            crate::rate(j.packages, j.commission_secs),
            j.pallet_hop_txs.to_string(),
            format!("{:.0}", j.in_transit),
            format!("{:.0}", j.emptied),
            if n as u64 >= LOT {
                if ok {
                    format!("yes (≤ {target})")
                } else {
                    format!("no (> {target})")
                }
            } else {
                "(below the 10,000-package lot of the target)".into()
            },
            j.unpack_txs.to_string(),
            format!("{:.3}", j.index_secs),
            format!("{:.3}", j.kept_secs),
        ]);
    }
    t
}
