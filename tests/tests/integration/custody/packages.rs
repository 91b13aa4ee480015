//! Compressed packages (issue 20): package trees, commissioning into them, a package's hop with
//! its rent returned, the rules the program enforces on the proven state, and verification
//! agreeing with the unit-per-account design.

use super::*;
use anchor_lang::Space;
use caretrail_sdk::custody::CustodyClient;
use caretrail_sdk::custody::{PackageLeaf, PackageShipment, PackageTree, PackageTreeIndex};
use custody::state::hop::{chain_hop, HopContent};

/// Serial hashes of `serials` of the fixture GTIN, ascending.
fn hashes(sc: &SupplyChain, serials: &[&str]) -> Vec<[u8; 32]> {
    let mut v: Vec<[u8; 32]> = serials
        .iter()
        .map(|s| cus::serial_hash(&sc.gtin, s))
        .collect();
    v.sort();
    v
}

pub(super) fn serials(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("P{i:05}")).collect()
}

/// A tree of the fixture lot holding `n` packages; returns it and their ascending hashes.
pub(super) fn tree_with(h: &Harness, sc: &SupplyChain, n: usize) -> (Pubkey, Vec<[u8; 32]>) {
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let s = serials(n);
    let refs: Vec<&str> = s.iter().map(String::as_str).collect();
    let hs = hashes(sc, &refs);
    h.custody()
        .commission_packages(&sc.manufacturer, &tree, None, hs.clone())
        .unwrap();
    (tree, hs)
}

/// Registers lot `number` of the fixture GTIN (expiring 2027-12-31) and creates a package tree
/// for it; returns the lot and the tree.
fn lot_with_tree(h: &Harness, sc: &SupplyChain, number: &str) -> (Pubkey, Pubkey) {
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, number, (2027, 12, 31)),
        )
        .unwrap();
    let lot = cus::lot_pda(&sc.gtin, number).0;
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &lot)
        .unwrap();
    (lot, tree)
}

pub(super) fn leaf(h: &Harness, tree: &Pubkey, serial_hash: &[u8; 32]) -> (u32, PackageLeaf) {
    let index = PackageTreeIndex::sync(&h.ledger, tree).unwrap();
    let i = index.find(serial_hash).expect("package in the tree");
    (i, *index.leaf(i).unwrap())
}

fn commission_raw(
    h: &Harness,
    sc: &SupplyChain,
    tree: &Pubkey,
    hashes: Vec<[u8; 32]>,
) -> caretrail_sdk::Result<caretrail_sdk::ledger::TxOutcome> {
    h.send(
        &[&sc.manufacturer],
        &[cus::commission_packages_ix(
            &sc.manufacturer.pubkey(),
            tree,
            &sc.lot,
            None,
            hashes,
        )],
    )
}

#[test]
fn a_tree_is_created_for_the_lot_and_takes_packages_in_ascending_order() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, out) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let account = h.ledger_account(&tree);
    assert_eq!(account.owner, CUSTODY);
    assert_eq!(account.data.len(), PackageTree::ACCOUNT_LEN);
    assert_eq!(account.data.len(), 20_856);
    assert_eq!(
        account.lamports,
        h.ledger
            .minimum_balance_for_rent_exemption(PackageTree::ACCOUNT_LEN)
            .unwrap()
    );
    let chain = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap();
    assert_eq!(
        (chain.lot, chain.manufacturer, chain.package_count),
        (sc.lot, sc.manufacturer.pubkey(), 0)
    );
    assert_eq!(chain.root, PackageTreeIndex::new(tree, sc.lot).root());
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageTreeCreated(e))] => {
            assert_eq!((e.tree, e.lot, e.capacity), (tree, sc.lot, 16_384));
        }
        other => panic!("unexpected events {other:?}"),
    }

    let s = serials(60);
    let refs: Vec<&str> = s.iter().map(String::as_str).collect();
    let hs = hashes(&sc, &refs);
    let outs = h
        .custody()
        .commission_packages(&sc.manufacturer, &tree, None, hs.clone())
        .unwrap();
    assert_eq!(outs.len(), 3, "20 packages a transaction");
    let firsts: Vec<u32> = outs
        .iter()
        .map(|o| match o.events().as_slice() {
            [CaretrailEvent::Custody(CustodyEvent::PackagesCommissioned(e))] => {
                assert_eq!((e.tree, e.lot, e.timestamp), (tree, sc.lot, T0));
                e.first_index
            }
            other => panic!("unexpected events {other:?}"),
        })
        .collect();
    assert_eq!(firsts, [0, 20, 40]);
    let chain = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap();
    assert_eq!(chain.package_count, 60);
    assert_eq!(chain.max_serial_hash, hs[59]);
    assert_eq!(lot(&h, &sc.lot).unit_count, 60);
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    assert_eq!(index.root(), chain.root);
    for (i, hash) in hs.iter().enumerate() {
        assert_eq!(index.find(hash), Some(i as u32));
        assert_eq!(
            *index.leaf(i as u32).unwrap(),
            PackageLeaf::commissioned(*hash, sc.manufacturer.pubkey(), Pubkey::default(), T0)
        );
    }
    // No account per package: the tree is the only account commissioning made.
    assert!(
        cus::fetch_unit(&h.ledger, &cus::unit_pda(&sc.gtin, "P00000").0)
            .unwrap()
            .is_none()
    );
}

#[test]
fn a_serial_enters_a_tree_once() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 3);
    // The program: again, lower, or out of order within a batch.
    let mut above = hs[2];
    above[31] = above[31].wrapping_add(1);
    if above <= hs[2] {
        above = [0xff; 32];
    }
    for batch in [
        vec![hs[2]],
        vec![hs[0]],
        vec![above, above],
        vec![[0xff; 32], above],
    ] {
        expect_error(
            commission_raw(&h, &sc, &tree, batch),
            &CUSTODY,
            CustodyError::SerialNotAscending,
        );
    }
    expect_error(
        commission_raw(&h, &sc, &tree, vec![]),
        &CUSTODY,
        CustodyError::InvalidBatch,
    );
    expect_error(
        commission_raw(&h, &sc, &tree, vec![[0xff; 32]; 33]),
        &CUSTODY,
        CustodyError::InvalidBatch,
    );
    // The SDK: a re-run sends nothing, a duplicate in the batch is refused before sending,
    // and a serial below the tree's highest is explained.
    let again = h
        .custody()
        .commission_packages(&sc.manufacturer, &tree, None, hs.clone())
        .unwrap();
    assert!(again.is_empty());
    let e = h
        .custody()
        .commission_packages(&sc.manufacturer, &tree, None, vec![[0xfe; 32], [0xfe; 32]])
        .unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
    let e = h
        .custody()
        .commission_packages(&sc.manufacturer, &tree, None, vec![[0x00; 32]])
        .unwrap_err();
    assert!(e.to_string().contains("ascending order"), "{e}");
    assert_eq!(
        cus::fetch_tree(&h.ledger, &tree)
            .unwrap()
            .unwrap()
            .package_count,
        3
    );
}

#[test]
fn only_the_lots_manufacturer_creates_trees_and_commissions_into_them() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let r = h.custody().create_package_tree(&sc.distributor, &sc.lot);
    expect_error(r.map(|(_, o)| o), &CUSTODY, CustodyError::Unauthorized);
    let (tree, _) = tree_with(&h, &sc, 2);
    let r = h.send(
        &[&sc.distributor],
        &[cus::commission_packages_ix(
            &sc.distributor.pubkey(),
            &tree,
            &sc.lot,
            None,
            vec![[0xff; 32]],
        )],
    );
    expect_error(r, &CUSTODY, CustodyError::Unauthorized);
    // A tree of another lot.
    let (_, other_tree) = lot_with_tree(&h, &sc, "LOT-B2");
    expect_error(
        commission_raw(&h, &sc, &other_tree, vec![[0xff; 32]]),
        &CUSTODY,
        CustodyError::TreeLotMismatch,
    );
    // A tree is initialized once; a tree account of another size is refused.
    let ixs = cus::create_package_tree_ixs(
        &h.payer.pubkey(),
        &tree,
        &sc.lot,
        &sc.manufacturer.pubkey(),
        0,
    );
    expect_error(
        h.send(&[&sc.manufacturer], &ixs[1..]),
        &CUSTODY,
        AnchorError::ConstraintZero,
    );
    let small = Keypair::new();
    let rent = h.ledger.minimum_balance_for_rent_exemption(1_000).unwrap();
    let mut ixs = cus::create_package_tree_ixs(
        &h.payer.pubkey(),
        &small.pubkey(),
        &sc.lot,
        &sc.manufacturer.pubkey(),
        rent,
    );
    ixs[0] = anchor_lang::solana_program::system_instruction::create_account(
        &h.payer.pubkey(),
        &small.pubkey(),
        rent,
        1_000,
        &CUSTODY,
    );
    expect_error(
        h.send(&[&sc.manufacturer, &small], &ixs),
        &CUSTODY,
        CustodyError::TreeAccountInvalid,
    );
    // A recalled lot takes no new packages and no new trees.
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 11)
        .unwrap();
    expect_error(
        commission_raw(&h, &sc, &tree, vec![[0xff; 32]]),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
    let r = h.custody().create_package_tree(&sc.manufacturer, &sc.lot);
    expect_error(r.map(|(_, o)| o), &CUSTODY, CustodyError::LotRecalled);
}

#[test]
fn a_package_ships_and_is_received_its_hop_closed_and_the_rent_returned() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 5);
    let p = hs[3];
    h.warp(60);
    let before = h.ledger.get_balance(&h.payer.pubkey()).unwrap();
    let out = h
        .custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &p,
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    let (i, shipped) = leaf(&h, &tree, &p);
    assert_eq!(i, 3);
    assert_eq!(
        shipped,
        PackageLeaf {
            serial_hash: p,
            status: UnitStatus::InTransit,
            status_before_quarantine: UnitStatus::Active,
            holder: sc.manufacturer.pubkey(),
            parent: Pubkey::default(),
            hop_count: 0,
            chain_head: [0; 32],
            updated_at: T0 + 60,
        }
    );
    let hop_key = cus::package_hop_pda(&tree, 3, 0).0;
    let hop: cus::PackageHop = caretrail_sdk::account::fetch_owned(&h.ledger, &hop_key, &CUSTODY)
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            hop.status,
            hop.tree,
            hop.index,
            hop.from,
            hop.to,
            hop.payer,
            hop.shipped_at
        ),
        (
            HopStatus::Shipped,
            tree,
            3,
            sc.manufacturer.pubkey(),
            sc.distributor.pubkey(),
            h.payer.pubkey(),
            T0 + 60
        )
    );
    let hop_rent = h.ledger_account(&hop_key).lamports;
    assert_eq!(
        hop_rent,
        h.ledger
            .minimum_balance_for_rent_exemption(8 + cus::PackageHop::INIT_SPACE)
            .unwrap()
    );
    let fee = 5_000 * 2;
    assert_eq!(
        h.ledger.get_balance(&h.payer.pubkey()).unwrap(),
        before - hop_rent - fee
    );
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageShipped(e))] => {
            assert_eq!(
                (e.tree, e.index, e.hop, e.leaf),
                (tree, 3, hop_key, shipped)
            );
        }
        other => panic!("unexpected events {other:?}"),
    }

    // The distributor receives, paying its own fee; the hop's rent goes back to its payer.
    h.warp(3600);
    let paid = h.ledger.get_balance(&h.payer.pubkey()).unwrap();
    let out = CustodyClient::new(&h.ledger, &sc.distributor)
        .receive_package(&sc.distributor, &tree, &p)
        .unwrap();
    assert!(
        h.ledger.get_account(&hop_key).unwrap().is_none(),
        "hop closed"
    );
    assert_eq!(
        h.ledger.get_balance(&h.payer.pubkey()).unwrap(),
        paid + hop_rent
    );
    let (_, received) = leaf(&h, &tree, &p);
    let head = chain_hop(
        &[0; 32],
        0,
        &HopContent {
            status: HopStatus::Received,
            from: sc.manufacturer.pubkey(),
            to: sc.distributor.pubkey(),
            shipped_at: T0 + 60,
            received_at: T0 + 3660,
            read_point: ship_args().read_point,
            shipment_ref: ship_args().shipment_ref,
        },
    );
    assert_eq!(
        received,
        PackageLeaf {
            serial_hash: p,
            status: UnitStatus::Active,
            status_before_quarantine: UnitStatus::Active,
            holder: sc.distributor.pubkey(),
            parent: Pubkey::default(),
            hop_count: 1,
            chain_head: head,
            updated_at: T0 + 3660,
        }
    );
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageHopCompleted(e))] => {
            assert_eq!(
                (e.tree, e.index, e.hop, e.hop_index, e.received, e.leaf),
                (tree, 3, hop_key, 0, true, received)
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
    // The other packages did not move.
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    for (j, hash) in hs.iter().enumerate().filter(|(j, _)| *j != 3) {
        assert_eq!(
            index.leaf(j as u32).unwrap().holder,
            sc.manufacturer.pubkey(),
            "{hash:?}"
        );
    }
    // The next hop goes on from the new holder, at hop index 1.
    h.custody()
        .ship_package(
            &sc.distributor,
            &tree,
            &p,
            &sc.pharmacy.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    assert!(h
        .ledger
        .get_account(&cus::package_hop_pda(&tree, 3, 1).0)
        .unwrap()
        .is_some());
}

#[test]
fn a_refused_package_stays_with_the_sender() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 2);
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &hs[0],
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    let out = h
        .custody()
        .refuse_package(&sc.distributor, &tree, &hs[0], 42)
        .unwrap();
    let (_, after) = leaf(&h, &tree, &hs[0]);
    assert_eq!(
        (after.status, after.holder, after.hop_count),
        (UnitStatus::Active, sc.manufacturer.pubkey(), 1)
    );
    assert!(h
        .ledger
        .get_account(&cus::package_hop_pda(&tree, 0, 0).0)
        .unwrap()
        .is_none());
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageHopCompleted(e))] => {
            assert_eq!((e.received, e.reason_code), (false, 42));
        }
        other => panic!("unexpected events {other:?}"),
    }
}

/// Builds a ship instruction from a proof the test controls.
fn ship_with(
    h: &Harness,
    sc: &SupplyChain,
    sender: &Keypair,
    receiver: &Pubkey,
    tree: &Pubkey,
    package: cus::PackageProof,
) -> caretrail_sdk::Result<caretrail_sdk::ledger::TxOutcome> {
    h.send(
        &[sender],
        &[package_ship_ix(
            &h.payer.pubkey(),
            &sender.pubkey(),
            receiver,
            tree,
            &sc.lot,
            package,
        )],
    )
}

#[test]
fn the_custody_rules_hold_on_the_proven_state() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 4);
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let honest = index.prove(1).unwrap();
    let dist = sc.distributor.pubkey();
    // Not the holder.
    expect_error(
        ship_with(
            &h,
            &sc,
            &sc.distributor,
            &sc.pharmacy.pubkey(),
            &tree,
            honest.clone(),
        ),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    // A forged state: the distributor claims to hold it.
    let mut forged = honest.clone();
    forged.leaf.holder = dist;
    expect_error(
        ship_with(
            &h,
            &sc,
            &sc.distributor,
            &sc.pharmacy.pubkey(),
            &tree,
            forged,
        ),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    // A state proven at another index, a wrong proof node, a short proof.
    let mut moved = honest.clone();
    moved.index = 2;
    expect_error(
        ship_with(&h, &sc, &sc.manufacturer, &dist, &tree, moved),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    let mut bad = honest.clone();
    bad.proof[0] = [7; 32];
    expect_error(
        ship_with(&h, &sc, &sc.manufacturer, &dist, &tree, bad),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    let mut short = honest.clone();
    short.proof.pop();
    expect_error(
        ship_with(&h, &sc, &sc.manufacturer, &dist, &tree, short),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    // Receivers: not a trading partner, itself.
    let payer_org = h.participant(&sc.authority, roles::PAYER);
    expect_error(
        ship_with(
            &h,
            &sc,
            &sc.manufacturer,
            &payer_org.pubkey(),
            &tree,
            honest.clone(),
        ),
        &CUSTODY,
        CustodyError::RoleNotAllowed,
    );
    expect_error(
        ship_with(
            &h,
            &sc,
            &sc.manufacturer,
            &sc.manufacturer.pubkey(),
            &tree,
            honest.clone(),
        ),
        &CUSTODY,
        CustodyError::SelfShipment,
    );
    // In transit: no second shipment; only the addressee receives; rent goes to the payer.
    h.custody()
        .ship_package(&sc.manufacturer, &tree, &hs[1], &dist, &package_shipment())
        .unwrap();
    let r = h
        .custody()
        .ship_package(&sc.manufacturer, &tree, &hs[1], &dist, &package_shipment());
    expect_error(r, &CUSTODY, CustodyError::UnitInTransit);
    let r = h.custody().receive_package(&sc.pharmacy, &tree, &hs[1]);
    expect_error(r, &CUSTODY, CustodyError::NotAddressee);
    let pending = PackageTreeIndex::sync(&h.ledger, &tree)
        .unwrap()
        .prove(1)
        .unwrap();
    let thief = Keypair::new();
    let r = h.send(
        &[&sc.distributor],
        &[cus::complete_package_hop_ix(
            &dist,
            &thief.pubkey(),
            &tree,
            &sc.lot,
            pending.clone(),
            None,
        )],
    );
    expect_error(r, &CUSTODY, CustodyError::RentPayerMismatch);
    // Not in transit: nothing to receive (the state says so before any hop is looked up).
    let idle = PackageTreeIndex::sync(&h.ledger, &tree)
        .unwrap()
        .prove(0)
        .unwrap();
    let mut claimed = idle;
    claimed.leaf.status = UnitStatus::InTransit;
    let r = h.send(
        &[&sc.distributor],
        &[cus::complete_package_hop_ix(
            &dist,
            &h.payer.pubkey(),
            &tree,
            &sc.lot,
            claimed,
            None,
        )],
    );
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
    // A recalled lot: nothing ships and nothing is received.
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 11)
        .unwrap();
    let r = h
        .custody()
        .ship_package(&sc.manufacturer, &tree, &hs[2], &dist, &package_shipment());
    expect_error(r, &CUSTODY, CustodyError::LotRecalled);
    let r = h.custody().receive_package(&sc.distributor, &tree, &hs[1]);
    expect_error(r, &CUSTODY, CustodyError::LotRecalled);
    // Refusing still works: the goods go back.
    h.custody()
        .refuse_package(&sc.distributor, &tree, &hs[1], 7)
        .unwrap();
}

#[test]
fn an_expired_package_does_not_move() {
    let h = Harness::new();
    let mut sc = h.supply_chain();
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "SHORT", (2026, 12, 31)),
        )
        .unwrap();
    sc.lot = cus::lot_pda(&sc.gtin, "SHORT").0;
    let (tree, hs) = tree_with(&h, &sc, 2);
    let dist = sc.distributor.pubkey();
    h.ledger.set_clock(lot(&h, &sc.lot).expires_at - 1).unwrap();
    h.custody()
        .ship_package(&sc.manufacturer, &tree, &hs[1], &dist, &package_shipment())
        .unwrap();
    h.ledger.set_clock(lot(&h, &sc.lot).expires_at).unwrap();
    let r = h
        .custody()
        .ship_package(&sc.manufacturer, &tree, &hs[0], &dist, &package_shipment());
    expect_error(r, &CUSTODY, CustodyError::UnitExpired);
    let r = h.custody().receive_package(&sc.distributor, &tree, &hs[1]);
    expect_error(r, &CUSTODY, CustodyError::UnitExpired);
    expect_error(
        commission_raw(&h, &sc, &tree, vec![[0xff; 32]]),
        &CUSTODY,
        CustodyError::UnitExpired,
    );
    // Expired goods can still be refused back to their sender.
    h.custody()
        .refuse_package(&sc.distributor, &tree, &hs[1], 3)
        .unwrap();
}

#[test]
fn parties_moving_other_packages_of_a_tree_do_not_collide() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, _) = tree_with(&h, &sc, 32);
    let dist = sc.distributor.pubkey();
    // Eight proofs built against the same root, before any of the moves: the change log
    // (8 entries) fast-forwards each over the moves made since, and all land.
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    for i in 0..8 {
        ship_with(
            &h,
            &sc,
            &sc.manufacturer,
            &dist,
            &tree,
            index.prove(i).unwrap(),
        )
        .unwrap();
    }
    // A proof of leaf 8, then its neighbour moves, then eight packages elsewhere: the change
    // that altered leaf 8's proof has left the change log, and the chain rejects the proof…
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let stale = index.prove(8).unwrap();
    let serial = |i: u32| index.leaf(i).unwrap().serial_hash;
    for i in std::iter::once(9).chain(16..24) {
        h.custody()
            .ship_package(
                &sc.manufacturer,
                &tree,
                &serial(i),
                &dist,
                &package_shipment(),
            )
            .unwrap();
    }
    expect_error(
        ship_with(&h, &sc, &sc.manufacturer, &dist, &tree, stale),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    // …and the SDK, rebuilding it from the tree's history, ships it.
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &serial(8),
            &dist,
            &package_shipment(),
        )
        .unwrap();
    let after = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let moving = (0..32)
        .filter(|i| after.leaf(*i).unwrap().status == UnitStatus::InTransit)
        .count();
    assert_eq!(moving, 18);
}

#[test]
fn verify_answers_for_compressed_packages_as_for_units() {
    let h = Harness::new();
    let sc = h.supply_chain();
    // The old design in the fixture lot; the new one in a second lot of the same GTIN.
    let units = h.commission(&sc, &["U1", "U2"]);
    let (lot_c, tree) = lot_with_tree(&h, &sc, "LOT-C3");
    let mut packages = vec![
        cus::serial_hash(&sc.gtin, "C1"),
        cus::serial_hash(&sc.gtin, "C2"),
    ];
    packages.sort();
    h.custody()
        .commission_packages(&sc.manufacturer, &tree, None, packages.clone())
        .unwrap();
    let first = if packages[0] == cus::serial_hash(&sc.gtin, "C1") {
        "C1"
    } else {
        "C2"
    };
    let code_in = |lot: &str, serial: &str, expiry: &str| {
        caretrail_sdk::gs1::parse_with_year(
            &format!("]d201{GTIN}17{expiry}\u{1d}10{lot}\u{1d}21{serial}"),
            2026,
        )
        .unwrap()
    };
    let old = |serial: &str, expiry: &str| code_in(LOT, serial, expiry);
    let new = |serial: &str, expiry: &str| code_in("LOT-C3", serial, expiry);
    let outcome = |v: cus::Verification| {
        let mut j = serde_json::to_value(&v).unwrap();
        j.as_object_mut().unwrap().remove("unit");
        j.as_object_mut().unwrap().remove("lot");
        j
    };
    let manufacturer = sc.manufacturer.pubkey();
    let distributor = sc.distributor.pubkey();
    let both = |o: &caretrail_sdk::gs1::Gs1Code,
                n: &caretrail_sdk::gs1::Gs1Code,
                expected: Option<&Pubkey>| {
        let a = outcome(cus::verify(&h.ledger, o, expected).unwrap());
        let b = outcome(cus::verify(&h.ledger, n, expected).unwrap());
        assert_eq!(a, b);
        a["result"].as_str().unwrap().to_string()
    };
    assert_eq!(
        both(&old("U1", "271231"), &new(first, "271231"), None),
        "genuine"
    );
    assert_eq!(
        both(
            &old("U1", "271231"),
            &new(first, "271231"),
            Some(&distributor)
        ),
        "held_by_another"
    );
    assert_eq!(
        both(&old("U1", "281231"), &new(first, "281231"), None),
        "label_mismatch"
    );
    assert_eq!(
        both(&old("NOPE", "271231"), &new("NOPE", "271231"), None),
        "unknown_serial"
    );
    // Genuine at the new holder after a hop in each design.
    h.hop(&sc.manufacturer, &sc.distributor, &units[0]);
    let fs = cus::serial_hash(&sc.gtin, first);
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &fs,
            &distributor,
            &package_shipment(),
        )
        .unwrap();
    CustodyClient::new(&h.ledger, &sc.distributor)
        .receive_package(&sc.distributor, &tree, &fs)
        .unwrap();
    assert_eq!(
        both(
            &old("U1", "271231"),
            &new(first, "271231"),
            Some(&distributor)
        ),
        "genuine"
    );
    let _ = manufacturer;
    // Recalled, then expired.
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 11)
        .unwrap();
    h.custody()
        .recall_lot(&sc.manufacturer, &lot_c, 11)
        .unwrap();
    assert_eq!(
        both(&old("U2", "271231"), &new(first, "271231"), None),
        "lot_recalled"
    );
    let g = Harness::new();
    let sc2 = g.supply_chain();
    let _u = g.commission(&sc2, &["U1"]);
    let (_, tree2) = lot_with_tree(&g, &sc2, "LOT-C3");
    g.custody()
        .commission_packages(
            &sc2.manufacturer,
            &tree2,
            None,
            vec![cus::serial_hash(&sc2.gtin, "C1")],
        )
        .unwrap();
    g.warp(2 * 365 * 86_400);
    let a = outcome(cus::verify(&g.ledger, &old("U1", "271231"), None).unwrap());
    let b = outcome(cus::verify(&g.ledger, &new("C1", "271231"), None).unwrap());
    assert_eq!(a, b);
    assert_eq!(a["result"], "expired");
}

/// `n` cases of 20 compressed packages each, commissioned straight into the cases (SSCC
/// serial references from `base`); returns the tree, the cases and each case's packages.
pub(super) fn cases_of_packages(
    h: &Harness,
    sc: &SupplyChain,
    n: usize,
    base: u32,
) -> (Pubkey, Vec<Pubkey>, Vec<Vec<[u8; 32]>>) {
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let s = serials(20 * n);
    let refs: Vec<&str> = s.iter().map(String::as_str).collect();
    let all = hashes(sc, &refs);
    let mut cases = Vec::new();
    let mut contents = Vec::new();
    for (k, chunk) in all.chunks(20).enumerate() {
        let code = sscc(&format!("{}", base + k as u32));
        h.custody()
            .create_aggregate(&sc.manufacturer, code, UnitKind::Case)
            .unwrap();
        let case = cus::sscc_pda(&code).0;
        let outs = h
            .custody()
            .commission_packages(&sc.manufacturer, &tree, Some(&case), chunk.to_vec())
            .unwrap();
        assert_eq!(outs.len(), 1, "a case of 20 in one transaction");
        cases.push(case);
        contents.push(chunk.to_vec());
    }
    (tree, cases, contents)
}

#[test]
fn a_pallet_of_a_thousand_compressed_packages_moves_with_one_ship_and_one_receive() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, cases, contents) = cases_of_packages(&h, &sc, 50, 2000);
    for case in &cases {
        assert_eq!(unit(&h, case).child_count, 20);
    }
    let p = sscc("1000");
    h.custody()
        .create_aggregate(&sc.manufacturer, p, UnitKind::Pallet)
        .unwrap();
    let pallet = cus::sscc_pda(&p).0;
    for chunk in cases.chunks(24) {
        h.custody()
            .aggregate(&sc.manufacturer, &pallet, chunk)
            .unwrap();
    }
    let root_before = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap().root;
    let before = h.ledger.transaction_count().unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &pallet);
    assert_eq!(
        h.ledger.transaction_count().unwrap() - before,
        2,
        "one ship + one receive"
    );
    // No leaf changed: the packages follow their pallet.
    assert_eq!(
        cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap().root,
        root_before
    );
    let dist = sc.distributor.pubkey();
    let (i, l) = leaf(&h, &tree, &contents[49][19]);
    assert_eq!(
        (i, l.parent, l.holder),
        (999, cases[49], sc.manufacturer.pubkey())
    );
    // Verification follows the pallet too.
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let found = cus::find_package(&h.ledger, &sc.lot, &contents[0][0])
        .unwrap()
        .unwrap();
    assert_eq!((found.tree, found.index), (tree, 0));
    assert_eq!(index.len(), 1000);

    // The distributor breaks the pallet and sends a case on; the pharmacy unpacks two
    // packages and dispenses one.
    h.custody()
        .disaggregate(&sc.distributor, &pallet, &cases[..1])
        .unwrap();
    h.hop(&sc.distributor, &sc.pharmacy, &cases[0]);
    let case = unit(&h, &cases[0]);
    let pick = [contents[0][3], contents[0][7]];
    let outs = h
        .custody()
        .unpack_packages(&sc.pharmacy, &tree, &cases[0], &pick)
        .unwrap();
    assert_eq!(
        outs.len(),
        1,
        "two packages with their proofs in one transaction"
    );
    assert_eq!(unit(&h, &cases[0]).child_count, 18);
    let (_, unpacked) = leaf(&h, &tree, &pick[0]);
    assert_eq!(
        (unpacked.parent, unpacked.holder, unpacked.status),
        (Pubkey::default(), sc.pharmacy.pubkey(), UnitStatus::Active)
    );
    assert_eq!(
        unpacked.chain_head,
        custody::instructions::disaggregate::unpack_chain(&[0; 32], &cases[0], &case.chain_head)
    );
    // A re-run finds nothing left to unpack.
    assert!(h
        .custody()
        .unpack_packages(&sc.pharmacy, &tree, &cases[0], &pick)
        .unwrap()
        .is_empty());
    h.custody()
        .dispense_package(&sc.pharmacy, &tree, &pick[0])
        .unwrap();
    let (_, dispensed) = leaf(&h, &tree, &pick[0]);
    assert_eq!(dispensed.status, UnitStatus::Dispensed);
    let r = h.custody().dispense_package(&sc.pharmacy, &tree, &pick[0]);
    expect_error(r, &CUSTODY, CustodyError::AlreadyDispensed);
    let _ = dist;
}

#[test]
fn packing_rules_hold_for_compressed_packages() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, cases, contents) = cases_of_packages(&h, &sc, 2, 3000);
    let dist = sc.distributor.pubkey();
    // A packed package does not travel, and is not dispensed, alone.
    let r = h.custody().ship_package(
        &sc.manufacturer,
        &tree,
        &contents[0][0],
        &dist,
        &package_shipment(),
    );
    expect_error(r, &CUSTODY, CustodyError::InsideAggregate);
    // Commissioning into: a case somebody else holds, a case in transit, an item.
    h.hop(&sc.manufacturer, &sc.distributor, &cases[1]);
    let above = [0xff; 32];
    let into = |parent: &Pubkey| {
        h.send(
            &[&sc.manufacturer],
            &[cus::commission_packages_ix(
                &sc.manufacturer.pubkey(),
                &tree,
                &sc.lot,
                Some(parent),
                vec![above],
            )],
        )
    };
    expect_error(into(&cases[1]), &CUSTODY, CustodyError::NotHolder);
    let code = sscc("3999");
    h.custody()
        .create_aggregate(&sc.manufacturer, code, UnitKind::Case)
        .unwrap();
    let moving = cus::sscc_pda(&code).0;
    h.ship(&sc.manufacturer, &sc.distributor, &moving);
    expect_error(into(&moving), &CUSTODY, CustodyError::UnitInTransit);
    let item = h.commission(&sc, &["ITEM1"])[0];
    expect_error(into(&item), &CUSTODY, CustodyError::InvalidNesting);
    // Unpacking: only the case's holder, only its own packages, not while it travels.
    let r = h
        .custody()
        .unpack_packages(&sc.manufacturer, &tree, &cases[1], &contents[1][..1]);
    expect_error(
        r.map(|mut v| v.remove(0)),
        &CUSTODY,
        CustodyError::NotHolder,
    );
    let index = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let other = index.prove(index.find(&contents[0][0]).unwrap()).unwrap();
    let r = h.send(
        &[&sc.distributor],
        &[cus::unpack_packages_ix(
            &dist,
            &tree,
            &cases[1],
            vec![other],
        )],
    );
    expect_error(r, &CUSTODY, CustodyError::NotAChild);
    h.ship(&sc.distributor, &sc.pharmacy, &cases[1]);
    let r = h
        .custody()
        .unpack_packages(&sc.distributor, &tree, &cases[1], &contents[1][..1]);
    expect_error(
        r.map(|mut v| v.remove(0)),
        &CUSTODY,
        CustodyError::UnitInTransit,
    );
    h.custody().receive(&sc.pharmacy, &cases[1]).unwrap();
    // Dispensing: a dispenser, holding it, unpacked.
    let r = h
        .custody()
        .dispense_package(&sc.pharmacy, &tree, &contents[1][0]);
    expect_error(r, &CUSTODY, CustodyError::InsideAggregate);
    h.custody()
        .unpack_packages(&sc.pharmacy, &tree, &cases[1], &contents[1][..1])
        .unwrap();
    let r = h
        .custody()
        .dispense_package(&sc.distributor, &tree, &contents[1][0]);
    expect_error(r, &CUSTODY, CustodyError::RoleNotAllowed);
    h.custody()
        .dispense_package(&sc.pharmacy, &tree, &contents[1][0])
        .unwrap();
}

#[test]
fn verify_follows_the_case_a_compressed_package_travels_in() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (_, cases, _) = cases_of_packages(&h, &sc, 1, 4000);
    let s = serials(20);
    let refs: Vec<&str> = s.iter().map(String::as_str).collect();
    let code = caretrail_sdk::gs1::parse_with_year(
        &format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{}", refs[0]),
        2026,
    )
    .unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &cases[0]);
    match cus::verify(&h.ledger, &code, Some(&sc.distributor.pubkey())).unwrap() {
        cus::Verification::Genuine {
            holder,
            inside,
            status,
            ..
        } => {
            assert_eq!(holder, sc.distributor.pubkey().to_string());
            assert_eq!(inside, Some(cases[0].to_string()));
            assert_eq!(status, "active");
        }
        other => panic!("{other:?}"),
    }
    h.custody()
        .flag_suspect(&sc.distributor, &cases[0], 5)
        .unwrap();
    assert_eq!(
        cus::verify(&h.ledger, &code, None).unwrap().name(),
        "quarantined"
    );
}

#[test]
fn an_emptied_case_closes_its_rent_back_to_the_company_that_allocated_its_sscc() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, cases, contents) = cases_of_packages(&h, &sc, 1, 5000);
    let code = sscc("5000");
    h.hop(&sc.manufacturer, &sc.pharmacy, &cases[0]);
    let close = |by: &Keypair| h.custody().close_aggregate(by, code);
    // Not while it holds packages.
    expect_error(
        close(&sc.pharmacy),
        &CUSTODY,
        CustodyError::AggregateNotEmpty,
    );
    let outs = h
        .custody()
        .unpack_packages(&sc.pharmacy, &tree, &cases[0], &contents[0])
        .unwrap();
    assert_eq!(outs.len(), 10, "20 packages, two a transaction");
    assert_eq!(unit(&h, &cases[0]).child_count, 0);
    // Only its holder closes it, and the rent goes to the SSCC's prefix holder only.
    expect_error(close(&sc.distributor), &CUSTODY, CustodyError::NotHolder);
    let (prefix, _) = caretrail_sdk::registry::find_prefix(&h.ledger, &code)
        .unwrap()
        .unwrap();
    let thief = Keypair::new();
    expect_error(
        h.send(
            &[&sc.pharmacy],
            &[cus::close_aggregate_ix(
                &sc.pharmacy.pubkey(),
                code,
                &prefix,
                &thief.pubkey(),
            )],
        ),
        &CUSTODY,
        CustodyError::RentPayerMismatch,
    );
    // An item is no aggregate: its address is not an SSCC's.
    let item = h.commission(&sc, &["LOOSE1"])[0];
    let mut ix = cus::close_aggregate_ix(
        &sc.manufacturer.pubkey(),
        code,
        &prefix,
        &sc.manufacturer.pubkey(),
    );
    meta(&mut ix, "aggregate").pubkey = item;
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &CUSTODY,
        AnchorError::ConstraintSeeds,
    );
    let rent = h.ledger_account(&cases[0]).lamports;
    let before = h.ledger.get_balance(&sc.manufacturer.pubkey()).unwrap();
    let out = close(&sc.pharmacy).unwrap();
    assert!(h.ledger.get_account(&cases[0]).unwrap().is_none(), "closed");
    assert_eq!(
        h.ledger.get_balance(&sc.manufacturer.pubkey()).unwrap(),
        before + rent
    );
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::AggregateClosed(e))] => {
            assert_eq!(
                (e.unit, e.sscc, e.by, e.rent_to),
                (
                    cases[0],
                    code,
                    sc.pharmacy.pubkey(),
                    sc.manufacturer.pubkey()
                )
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
    // The packages stay with the pharmacy; what is left on chain for them is the tree.
    let (_, l) = leaf(&h, &tree, &contents[0][19]);
    assert_eq!(
        (l.holder, l.parent),
        (sc.pharmacy.pubkey(), Pubkey::default())
    );
}

#[test]
fn a_hop_rent_goes_back_only_to_its_payer() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let u = h.commission(&sc, &["S1"])[0];
    h.ship(&sc.manufacturer, &sc.distributor, &u);
    let thief = sc.distributor.pubkey();
    let pending = cus::PendingHop {
        unit: &u,
        hop_index: 0,
        payer: &thief,
    };
    for ix in [
        cus::receive_ix(&sc.distributor.pubkey(), &pending, Some(sc.lot)),
        cus::refuse_ix(&sc.distributor.pubkey(), &pending, 1),
    ] {
        expect_error(
            h.send(&[&sc.distributor], &[ix]),
            &CUSTODY,
            CustodyError::RentPayerMismatch,
        );
    }
    h.warp(custody::constants::SHIPMENT_TIMEOUT);
    expect_error(
        h.send(
            &[&sc.manufacturer],
            &[cus::cancel_shipment_ix(&sc.manufacturer.pubkey(), &pending)],
        ),
        &CUSTODY,
        CustodyError::RentPayerMismatch,
    );
}

#[test]
fn a_suspect_package_is_quarantined_cleared_or_declared_illegitimate() {
    use cus::Resolution;
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 4);
    let dist = sc.distributor.pubkey();
    let (a, b, c) = (hs[0], hs[1], hs[2]);
    // Only its holder (a trading partner) or a regulator flags it.
    let r = h.custody().flag_package(&sc.distributor, &tree, &a, 5);
    expect_error(r, &CUSTODY, CustodyError::RoleNotAllowed);
    let before = h.ledger.get_balance(&sc.manufacturer.pubkey()).unwrap();
    let out = h
        .custody()
        .flag_package(&sc.manufacturer, &tree, &a, 5)
        .unwrap();
    let (i, flagged) = leaf(&h, &tree, &a);
    assert_eq!(
        (flagged.status, flagged.status_before_quarantine),
        (UnitStatus::Quarantined, UnitStatus::Active)
    );
    let record_key = cus::package_quarantine_pda(&tree, i).0;
    let record: custody::state::Quarantine =
        caretrail_sdk::account::fetch_owned(&h.ledger, &record_key, &CUSTODY)
            .unwrap()
            .unwrap();
    assert_eq!(
        (record.flagged_by, record.reason_code, record.by_regulator),
        (sc.manufacturer.pubkey(), 5, false)
    );
    let record_rent = h.ledger_account(&record_key).lamports;
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageStatusChanged(e))] => {
            assert_eq!(
                (e.index, e.action, e.reason_code, e.leaf),
                (i, custody::events::PackageAction::Flagged, 5, flagged)
            );
        }
        other => panic!("unexpected events {other:?}"),
    }
    // A quarantined package does not move, is not dispensed or decommissioned.
    let r = h
        .custody()
        .ship_package(&sc.manufacturer, &tree, &a, &dist, &package_shipment());
    expect_error(r, &CUSTODY, CustodyError::UnitQuarantined);
    let r = h
        .custody()
        .decommission_package(&sc.manufacturer, &tree, &a, false, 1);
    expect_error(r, &CUSTODY, CustodyError::UnitQuarantined);
    // Only the flagger or a regulator clears it; the record's rent goes back to the flagger.
    let r = h
        .custody()
        .resolve_package(&sc.distributor, &tree, &a, Resolution::Clear);
    expect_error(r, &CUSTODY, CustodyError::NotTheFlagger);
    h.custody()
        .resolve_package(&sc.manufacturer, &tree, &a, Resolution::Clear)
        .unwrap();
    let (_, cleared) = leaf(&h, &tree, &a);
    assert_eq!(cleared.status, UnitStatus::Active);
    assert!(h.ledger.get_account(&record_key).unwrap().is_none());
    // The fees are the harness payer's; the record's rent came back to the flagger.
    assert!(record_rent > 0);
    assert_eq!(
        h.ledger.get_balance(&sc.manufacturer.pubkey()).unwrap(),
        before
    );
    let r = h
        .custody()
        .resolve_package(&sc.manufacturer, &tree, &a, Resolution::Clear);
    expect_error(r, &CUSTODY, CustodyError::NotQuarantined);
    // In transit: the receiver's suspicion (a regulator here) and back to in transit on clear.
    h.custody()
        .ship_package(&sc.manufacturer, &tree, &b, &dist, &package_shipment())
        .unwrap();
    h.custody()
        .flag_package(&sc.regulator, &tree, &b, 9)
        .unwrap();
    let r = h.custody().receive_package(&sc.distributor, &tree, &b);
    expect_error(r, &CUSTODY, CustodyError::NotInTransit);
    h.custody()
        .resolve_package(&sc.regulator, &tree, &b, Resolution::Clear)
        .unwrap();
    assert_eq!(leaf(&h, &tree, &b).1.status, UnitStatus::InTransit);
    h.custody()
        .receive_package(&sc.distributor, &tree, &b)
        .unwrap();
    // Illegitimate: a regulator or the lot's manufacturer, never the holder alone; terminal.
    h.custody()
        .flag_package(&sc.manufacturer, &tree, &c, 1)
        .unwrap();
    let r = h.custody().resolve_package(
        &sc.distributor,
        &tree,
        &c,
        Resolution::Illegitimate { reason_code: 2 },
    );
    expect_error(r, &CUSTODY, CustodyError::RoleNotAllowed);
    h.custody()
        .resolve_package(
            &sc.manufacturer,
            &tree,
            &c,
            Resolution::Illegitimate { reason_code: 2 },
        )
        .unwrap();
    assert_eq!(leaf(&h, &tree, &c).1.status, UnitStatus::Illegitimate);
    let r = h.custody().flag_package(&sc.manufacturer, &tree, &c, 1);
    expect_error(r, &CUSTODY, CustodyError::UnitIllegitimate);
    let r = h
        .custody()
        .ship_package(&sc.manufacturer, &tree, &c, &dist, &package_shipment());
    expect_error(r, &CUSTODY, CustodyError::UnitIllegitimate);
}

#[test]
fn a_package_is_decommissioned_or_destroyed_by_its_holder() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 3);
    let r = h
        .custody()
        .decommission_package(&sc.distributor, &tree, &hs[0], false, 1);
    expect_error(r, &CUSTODY, CustodyError::NotHolder);
    h.custody()
        .decommission_package(&sc.manufacturer, &tree, &hs[0], false, 1)
        .unwrap();
    h.custody()
        .decommission_package(&sc.manufacturer, &tree, &hs[1], true, 2)
        .unwrap();
    assert_eq!(leaf(&h, &tree, &hs[0]).1.status, UnitStatus::Decommissioned);
    assert_eq!(leaf(&h, &tree, &hs[1]).1.status, UnitStatus::Destroyed);
    let r = h
        .custody()
        .decommission_package(&sc.manufacturer, &tree, &hs[1], false, 1);
    expect_error(r, &CUSTODY, CustodyError::UnitDecommissioned);
    let r = h.custody().ship_package(
        &sc.manufacturer,
        &tree,
        &hs[0],
        &sc.distributor.pubkey(),
        &package_shipment(),
    );
    expect_error(r, &CUSTODY, CustodyError::UnitDecommissioned);
    // Packed packages are unpacked first.
    let (ctree, _, contents) = cases_of_packages(&h, &sc, 1, 6000);
    let r = h
        .custody()
        .decommission_package(&sc.manufacturer, &ctree, &contents[0][0], false, 1);
    expect_error(r, &CUSTODY, CustodyError::InsideAggregate);
    let r = h
        .custody()
        .flag_package(&sc.manufacturer, &ctree, &contents[0][0], 1);
    expect_error(r, &CUSTODY, CustodyError::InsideAggregate);
}

#[test]
fn verify_agrees_on_every_terminal_and_suspect_outcome() {
    use cus::Resolution;
    let h = Harness::new();
    let sc = h.supply_chain();
    // Units U1..U4 in the fixture lot; compressed packages C1..C4 in a second lot.
    let units = h.commission(&sc, &["U1", "U2", "U3", "U4"]);
    let (_, tree) = lot_with_tree(&h, &sc, "LOT-D4");
    let cs = ["C1", "C2", "C3", "C4"];
    let hash = |s: &str| cus::serial_hash(&sc.gtin, s);
    h.custody()
        .commission_packages(
            &sc.manufacturer,
            &tree,
            None,
            cs.iter().map(|s| hash(s)).collect(),
        )
        .unwrap();
    let c = h.custody();
    // 1: quarantined; 2: illegitimate; 3: decommissioned; 4: dispensed at the pharmacy.
    c.flag_suspect(&sc.manufacturer, &units[0], 1).unwrap();
    c.flag_package(&sc.manufacturer, &tree, &hash("C1"), 1)
        .unwrap();
    c.flag_suspect(&sc.manufacturer, &units[1], 1).unwrap();
    c.declare_illegitimate(&sc.regulator, &units[1], 2).unwrap();
    c.flag_package(&sc.manufacturer, &tree, &hash("C2"), 1)
        .unwrap();
    c.resolve_package(
        &sc.regulator,
        &tree,
        &hash("C2"),
        Resolution::Illegitimate { reason_code: 2 },
    )
    .unwrap();
    c.decommission(&sc.manufacturer, &units[2], false, 1)
        .unwrap();
    c.decommission_package(&sc.manufacturer, &tree, &hash("C3"), false, 1)
        .unwrap();
    h.hop(&sc.manufacturer, &sc.pharmacy, &units[3]);
    c.dispense(&sc.pharmacy, &units[3]).unwrap();
    c.ship_package(
        &sc.manufacturer,
        &tree,
        &hash("C4"),
        &sc.pharmacy.pubkey(),
        &package_shipment(),
    )
    .unwrap();
    c.receive_package(&sc.pharmacy, &tree, &hash("C4")).unwrap();
    c.dispense_package(&sc.pharmacy, &tree, &hash("C4"))
        .unwrap();
    let code = |lot: &str, serial: &str| {
        caretrail_sdk::gs1::parse_with_year(
            &format!("]d201{GTIN}17271231\u{1d}10{lot}\u{1d}21{serial}"),
            2026,
        )
        .unwrap()
    };
    for (u, p, expected) in [
        ("U1", "C1", "quarantined"),
        ("U2", "C2", "illegitimate"),
        ("U3", "C3", "decommissioned"),
        ("U4", "C4", "already_dispensed"),
    ] {
        let a = cus::verify(&h.ledger, &code(LOT, u), None).unwrap();
        let b = cus::verify(&h.ledger, &code("LOT-D4", p), None).unwrap();
        assert_eq!((a.name(), b.name()), (expected, expected));
    }
}

#[test]
fn the_index_is_kept_next_to_the_ledger_caught_up_and_never_trusted_blindly() {
    let dir = tempfile::tempdir().unwrap();
    let h = Harness::with_ledger(caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap());
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 30);
    let dist = sc.distributor.pubkey();
    h.custody()
        .ship_package(&sc.manufacturer, &tree, &hs[0], &dist, &package_shipment())
        .unwrap();
    let file = dir.path().join(format!("indexes/{tree}.package-index"));
    assert!(file.exists(), "the client kept the index it built");
    let early = std::fs::read(&file).unwrap();
    // Moves since the file was written: it is caught up, not rebuilt.
    for h8 in &hs[1..5] {
        h.custody()
            .ship_package(&sc.manufacturer, &tree, h8, &dist, &package_shipment())
            .unwrap();
    }
    let fresh = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let chain = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap();
    std::fs::write(&file, &early).unwrap();
    let caught_up = PackageTreeIndex::open(&h.ledger, &tree, &dir.path().join("indexes")).unwrap();
    assert_eq!((caught_up.root(), caught_up.len()), (chain.root, 30));
    assert_eq!(caught_up.leaves(), fresh.leaves());
    // A damaged file, or one whose leaves were altered, is rebuilt from the history.
    let good = std::fs::read(&file).unwrap();
    for bad in [b"not an index".to_vec(), {
        let mut b = good.clone();
        let n = b.len();
        b[n - 60] ^= 0xff;
        b
    }] {
        std::fs::write(&file, &bad).unwrap();
        let index = PackageTreeIndex::open(&h.ledger, &tree, &dir.path().join("indexes")).unwrap();
        assert_eq!(index.root(), chain.root);
        assert_eq!(index.leaves(), fresh.leaves());
        assert_eq!(std::fs::read(&file).unwrap(), good, "written back whole");
    }
    // A missing file is rebuilt too.
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        PackageTreeIndex::open(&h.ledger, &tree, &dir.path().join("indexes"))
            .unwrap()
            .root(),
        chain.root
    );
    assert!(file.exists());
    // Within one ledger handle the index is read once and kept in memory, still checked
    // against the chain at every use: a damaged file is not even read, and once the tree
    // moves the copy in memory disagrees with the chain and is read again, never trusted.
    std::fs::write(&file, b"not an index").unwrap();
    assert_eq!(
        PackageTreeIndex::load(&h.ledger, &tree).unwrap().root(),
        chain.root
    );
    h.custody()
        .ship_package(&sc.manufacturer, &tree, &hs[5], &dist, &package_shipment())
        .unwrap();
    let moved = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap();
    assert_eq!(
        PackageTreeIndex::load(&h.ledger, &tree).unwrap().root(),
        moved.root
    );
}

#[test]
fn an_unanswered_package_shipment_is_taken_back_by_its_sender_after_the_timeout() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 2);
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &hs[0],
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    let hop = cus::package_hop_pda(&tree, 0, 0).0;
    let rent = h.ledger_account(&hop).lamports;
    let r = h
        .custody()
        .cancel_package_shipment(&sc.manufacturer, &tree, &hs[0]);
    expect_error(r, &CUSTODY, CustodyError::ShipmentNotTimedOut);
    h.warp(custody::constants::SHIPMENT_TIMEOUT);
    // Only its sender takes it back, and only while it is in transit.
    let r = h
        .custody()
        .cancel_package_shipment(&sc.distributor, &tree, &hs[0]);
    expect_error(r, &CUSTODY, CustodyError::NotHolder);
    let r = h
        .custody()
        .cancel_package_shipment(&sc.manufacturer, &tree, &hs[1]);
    expect_error(r, &CUSTODY, AnchorError::AccountNotInitialized);
    let paid = h.ledger.get_balance(&h.payer.pubkey()).unwrap();
    let out = h
        .custody()
        .cancel_package_shipment(&sc.manufacturer, &tree, &hs[0])
        .unwrap();
    assert!(h.ledger.get_account(&hop).unwrap().is_none(), "hop closed");
    assert_eq!(
        h.ledger.get_balance(&h.payer.pubkey()).unwrap(),
        paid + rent - 10_000,
        "the rent back, less this transaction's fees"
    );
    let (_, after) = leaf(&h, &tree, &hs[0]);
    assert_eq!(
        (after.status, after.holder, after.hop_count),
        (UnitStatus::Active, sc.manufacturer.pubkey(), 1)
    );
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageShipmentCancelled(e))] => {
            assert_eq!((e.index, e.hop_index, e.leaf), (0, 0, after));
        }
        other => panic!("unexpected events {other:?}"),
    }
    // The receiver can no longer receive it (the SDK finds no pending hop); the sender can
    // ship it again.
    let e = h
        .custody()
        .receive_package(&sc.distributor, &tree, &hs[0])
        .unwrap_err();
    assert!(e.to_string().contains("pending package hop"), "{e}");
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &tree,
            &hs[0],
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
}

#[test]
fn a_saleable_return_of_a_package_is_verified_at_receipt() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, hs) = tree_with(&h, &sc, 2);
    for p in &hs {
        h.custody()
            .ship_package(
                &sc.manufacturer,
                &tree,
                p,
                &sc.pharmacy.pubkey(),
                &package_shipment(),
            )
            .unwrap();
        h.custody().receive_package(&sc.pharmacy, &tree, p).unwrap();
    }
    let back = PackageShipment {
        is_return: true,
        ..package_shipment()
    };
    let out = h
        .custody()
        .ship_package(&sc.pharmacy, &tree, &hs[0], &sc.distributor.pubkey(), &back)
        .unwrap();
    match out.events().as_slice() {
        [CaretrailEvent::Custody(CustodyEvent::PackageShipped(e))] => assert!(e.is_return),
        other => panic!("unexpected events {other:?}"),
    }
    h.custody()
        .receive_package(&sc.distributor, &tree, &hs[0])
        .unwrap();
    assert_eq!(leaf(&h, &tree, &hs[0]).1.holder, sc.distributor.pubkey());
    // A return whose lot is recalled on the way is not received; the pharmacy keeps it.
    h.custody()
        .ship_package(&sc.pharmacy, &tree, &hs[1], &sc.distributor.pubkey(), &back)
        .unwrap();
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 8)
        .unwrap();
    let r = h.custody().receive_package(&sc.distributor, &tree, &hs[1]);
    expect_error(r, &CUSTODY, CustodyError::LotRecalled);
    h.custody()
        .refuse_package(&sc.distributor, &tree, &hs[1], 8)
        .unwrap();
    assert_eq!(leaf(&h, &tree, &hs[1]).1.holder, sc.pharmacy.pubkey());
}
