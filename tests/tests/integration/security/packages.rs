//! The attack classes against the compressed-package instructions (custody, issue 20), each a
//! real attack transaction asserting the exact rejection: missing signers, a tree owned by
//! another program or of another type, another lot's tree, another package's hop, prefunded
//! addresses, a closed hop revived, one package twice in one instruction.

use anchor_lang::error::ErrorCode as AnchorError;
use caretrail_sdk::custody::{self as cus, PackageTreeIndex, UnitKind};
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use custody::error::CustodyError;
use solana_sdk::{account::Account, pubkey::Pubkey, signature::Signer};

const CUSTODY: Pubkey = custody::ID;

/// A tree of the fixture lot with `n` loose packages; their hashes ascending.
fn tree(h: &Harness, sc: &SupplyChain, n: usize) -> (Pubkey, Vec<[u8; 32]>) {
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let mut hs: Vec<[u8; 32]> = (0..n)
        .map(|i| cus::serial_hash(&sc.gtin, &format!("SEC{i}")))
        .collect();
    hs.sort();
    h.custody()
        .commission_packages(&sc.manufacturer, &tree, None, hs.clone())
        .unwrap();
    (tree, hs)
}

fn ship_ix(
    h: &Harness,
    sc: &SupplyChain,
    tree: &Pubkey,
    lot: &Pubkey,
    package: cus::PackageProof,
) -> solana_sdk::instruction::Instruction {
    package_ship_ix(
        &h.payer.pubkey(),
        &sc.manufacturer.pubkey(),
        &sc.distributor.pubkey(),
        tree,
        lot,
        package,
    )
}

#[test]
fn missing_signer_manufacturer_sender_and_receiver_of_a_package() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, hs) = tree(&h, &sc, 2);
    let mut ix = cus::commission_packages_ix(
        &sc.manufacturer.pubkey(),
        &t,
        &sc.lot,
        None,
        vec![[0xff; 32]],
    );
    meta(&mut ix, "manufacturer").is_signer = false;
    expect_error(h.send(&[], &[ix]), &CUSTODY, AnchorError::AccountNotSigner);
    let p = PackageTreeIndex::sync(&h.ledger, &t)
        .unwrap()
        .prove(0)
        .unwrap();
    let mut ix = ship_ix(&h, &sc, &t, &sc.lot, p);
    meta(&mut ix, "sender").is_signer = false;
    expect_error(h.send(&[], &[ix]), &CUSTODY, AnchorError::AccountNotSigner);
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &t,
            &hs[0],
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    let p = PackageTreeIndex::sync(&h.ledger, &t)
        .unwrap()
        .prove(0)
        .unwrap();
    let mut ix = cus::complete_package_hop_ix(
        &sc.distributor.pubkey(),
        &h.payer.pubkey(),
        &t,
        &sc.lot,
        p,
        None,
    );
    meta(&mut ix, "receiver").is_signer = false;
    expect_error(h.send(&[], &[ix]), &CUSTODY, AnchorError::AccountNotSigner);
}

#[test]
fn a_tree_owned_by_another_program_or_of_another_type_is_refused() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, _) = tree(&h, &sc, 2);
    let p = PackageTreeIndex::sync(&h.ledger, &t)
        .unwrap()
        .prove(0)
        .unwrap();
    // A byte-perfect copy of the tree, owned by the system program: its leaves would be the
    // forger's.
    let real = h.ledger.get_account(&t).unwrap().unwrap();
    let fake = Pubkey::new_unique();
    h.ledger
        .set_account(
            &fake,
            Account {
                owner: anchor_lang::system_program::ID,
                ..real
            },
        )
        .unwrap();
    expect_error(
        h.send(
            &[&sc.manufacturer],
            &[ship_ix(&h, &sc, &fake, &sc.lot, p.clone())],
        ),
        &CUSTODY,
        AnchorError::AccountOwnedByWrongProgram,
    );
    // A custody account of another type (a Unit) as the tree.
    let unit = h.commission(&sc, &["COSPLAY"])[0];
    expect_error(
        h.send(&[&sc.manufacturer], &[ship_ix(&h, &sc, &unit, &sc.lot, p)]),
        &CUSTODY,
        AnchorError::AccountDiscriminatorMismatch,
    );
}

#[test]
fn another_lots_tree_cannot_launder_a_recalled_lot() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, _) = tree(&h, &sc, 2);
    h.custody()
        .register_lot(
            &sc.manufacturer,
            cus::lot_args(&sc.gtin, "CLEAN", (2027, 12, 31)),
        )
        .unwrap();
    let clean = cus::lot_pda(&sc.gtin, "CLEAN").0;
    h.custody()
        .recall_lot(&sc.manufacturer, &sc.lot, 4)
        .unwrap();
    // The recalled lot's package, shipped naming a released lot instead.
    let p = PackageTreeIndex::sync(&h.ledger, &t)
        .unwrap()
        .prove(0)
        .unwrap();
    expect_error(
        h.send(
            &[&sc.manufacturer],
            &[ship_ix(&h, &sc, &t, &clean, p.clone())],
        ),
        &CUSTODY,
        CustodyError::TreeLotMismatch,
    );
    expect_error(
        h.send(&[&sc.manufacturer], &[ship_ix(&h, &sc, &t, &sc.lot, p)]),
        &CUSTODY,
        CustodyError::LotRecalled,
    );
}

#[test]
fn another_packages_hop_is_refused_and_a_closed_hop_stays_closed() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, hs) = tree(&h, &sc, 2);
    let dist = sc.distributor.pubkey();
    for hash in &hs {
        h.custody()
            .ship_package(&sc.manufacturer, &t, hash, &dist, &package_shipment())
            .unwrap();
    }
    let index = PackageTreeIndex::sync(&h.ledger, &t).unwrap();
    let p0 = index.prove(0).unwrap();
    let mut ix =
        cus::complete_package_hop_ix(&dist, &h.payer.pubkey(), &t, &sc.lot, p0.clone(), None);
    meta(&mut ix, "hop").pubkey = cus::package_hop_pda(&t, 1, 0).0;
    expect_error(
        h.send(&[&sc.distributor], &[ix]),
        &CUSTODY,
        AnchorError::ConstraintSeeds,
    );
    h.custody()
        .receive_package(&sc.distributor, &t, &hs[0])
        .unwrap();
    // The same receipt again, or a refusal of it: the hop is closed.
    for refuse in [None, Some(1)] {
        let ix =
            cus::complete_package_hop_ix(&dist, &h.payer.pubkey(), &t, &sc.lot, p0.clone(), refuse);
        expect_error(
            h.send(&[&sc.distributor], &[ix]),
            &CUSTODY,
            AnchorError::AccountNotInitialized,
        );
    }
}

#[test]
fn prefunded_package_hop_and_quarantine_addresses_are_still_created() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, hs) = tree(&h, &sc, 2);
    let hop = cus::package_hop_pda(&t, 0, 0).0;
    let record = cus::package_quarantine_pda(&t, 1).0;
    for address in [hop, record] {
        h.ledger.request_airdrop(&address, 1_000_000).unwrap();
    }
    h.custody()
        .ship_package(
            &sc.manufacturer,
            &t,
            &hs[0],
            &sc.distributor.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    h.custody()
        .flag_package(&sc.manufacturer, &t, &hs[1], 3)
        .unwrap();
    for address in [hop, record] {
        let a = h.ledger_account(&address);
        assert_eq!(a.owner, CUSTODY);
        assert!(
            a.lamports
                >= h.ledger
                    .minimum_balance_for_rent_exemption(a.data.len())
                    .unwrap()
        );
    }
}

#[test]
fn one_package_twice_in_one_unpacking_is_refused_and_counted_once() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (t, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let code = sscc("7000");
    h.custody()
        .create_aggregate(&sc.manufacturer, code, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&code).0;
    let mut hs: Vec<[u8; 32]> = (0..3)
        .map(|i| cus::serial_hash(&sc.gtin, &format!("DUP{i}")))
        .collect();
    hs.sort();
    h.custody()
        .commission_packages(&sc.manufacturer, &t, Some(&case), hs)
        .unwrap();
    let p = PackageTreeIndex::sync(&h.ledger, &t)
        .unwrap()
        .prove(0)
        .unwrap();
    let ix = cus::unpack_packages_ix(&sc.manufacturer.pubkey(), &t, &case, vec![p.clone(), p]);
    expect_error(
        h.send(&[&sc.manufacturer], &[ix]),
        &CUSTODY,
        CustodyError::InvalidProof,
    );
    let c = cus::fetch_unit(&h.ledger, &case).unwrap().unwrap();
    assert_eq!(c.child_count, 3);
}
