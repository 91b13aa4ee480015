//! Serialized transaction sizes and actions per 1,232-byte transaction.

use crate::Table;
use caretrail_sdk::claims::{self as clm, ClaimRefs};
use caretrail_sdk::consent::{self as con, GrantArgs};
use caretrail_sdk::custody::{self as cus};
use caretrail_sdk::scan::{self};
use caretrail_tests::{access, ship_args, treatment_scope};
use solana_sdk::{instruction::Instruction, pubkey::Pubkey};

/// Serialized transaction sizes and how many actions fit in 1,232 bytes.
pub(crate) fn packing() -> Table {
    let mut t = Table::new(
        "Transaction packing (serialized bytes; 1,232 max)",
        &["instruction", "tx bytes (1 action)", "actions per tx"],
    );
    let (a, b, c, lot) = (
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        Pubkey::new_unique(),
        Pubkey::new_unique(),
    );
    let fits = |make: &dyn Fn() -> Instruction, payer: &Pubkey| {
        let mut ixs = vec![make()];
        while scan::transaction_size(&ixs, payer) <= scan::MAX_TX_SIZE && ixs.len() < 64 {
            ixs.push(make());
        }
        ixs.len() - 1
    };
    let one = |ix: Instruction, payer: &Pubkey| scan::transaction_size(&[ix], payer);
    let g = GrantArgs {
        scope: treatment_scope(),
        not_before: 0,
        expires_at: 1,
        policy_hash: [0; 32],
    };
    type Maker = Box<dyn Fn() -> Instruction>;
    let rows: Vec<(&str, Maker, Pubkey)> = vec![
        (
            "registry register_participant",
            Box::new(move || {
                caretrail_sdk::registry::register_participant_ix(
                    &a,
                    &a,
                    caretrail_tests::participant_args(&Pubkey::new_unique(), 1, 1),
                    false,
                )
            }),
            a,
        ),
        (
            "custody commission_units (1 unit)",
            Box::new(move || {
                cus::commission_units_ix(&a, &a, &lot, vec![Pubkey::new_unique().to_bytes()])
            }),
            a,
        ),
        (
            "custody ship",
            Box::new(move || {
                cus::ship_ix(
                    &a,
                    &caretrail_sdk::custody::Shipment {
                        sender: &a,
                        receiver: &b,
                        unit: &Pubkey::new_unique(),
                        hop_index: 0,
                        lot: Some(lot),
                        args: ship_args(),
                    },
                )
            }),
            a,
        ),
        (
            "custody receive",
            Box::new(move || {
                cus::receive_ix(
                    &b,
                    &cus::PendingHop {
                        unit: &Pubkey::new_unique(),
                        hop_index: 0,
                        payer: &b,
                    },
                    Some(lot),
                )
            }),
            b,
        ),
        (
            "custody dispense",
            Box::new(move || cus::dispense_ix(&b, &Pubkey::new_unique(), &lot)),
            b,
        ),
        (
            "consent grant",
            Box::new(move || {
                con::grant_ix(
                    &a,
                    &caretrail_sdk::consent::GrantRequest {
                        patient: &a,
                        grantee: &Pubkey::new_unique(),
                        authority: &a,
                        grant_id: 1,
                        args: g.clone(),
                    },
                )
            }),
            a,
        ),
        (
            "consent record_access",
            Box::new(move || con::record_access_ix(&Pubkey::new_unique(), &a, &b, access(1, 1, 1))),
            b,
        ),
        (
            "records anchor_batch (any number of records)",
            Box::new(move || {
                caretrail_sdk::records::anchor_batch_ix(
                    &a,
                    Pubkey::new_unique().to_bytes(),
                    100_000,
                )
            }),
            a,
        ),
        (
            "records supersede (two 10-node proofs)",
            Box::new(move || {
                let leaf = caretrail_sdk::records::RecordLeaf {
                    record: [1; 32],
                    version: 1,
                    content_hash: [2; 32],
                    previous: [0; 32],
                };
                let args = caretrail_sdk::records::SupersedeArgs {
                    old: leaf,
                    old_proof: vec![[3; 32]; 10],
                    new: leaf,
                    new_proof: vec![[4; 32]; 10],
                };
                caretrail_sdk::records::supersede_ix(
                    &a,
                    &Pubkey::new_unique(),
                    &Pubkey::new_unique(),
                    args,
                )
            }),
            a,
        ),
        (
            "consent record_anchored_access (10-node proof)",
            Box::new(move || {
                con::record_anchored_access_ix(
                    &Pubkey::new_unique(),
                    &a,
                    &b,
                    None,
                    access(1, 1, 1),
                    &c,
                    vec![[5; 32]; 10],
                )
            }),
            b,
        ),
        (
            "trials enroll",
            Box::new(move || {
                caretrail_sdk::trials::enroll_ix(&c, &Pubkey::new_unique(), &b, false, None)
            }),
            b,
        ),
        (
            "claims submit_claim",
            Box::new(move || {
                clm::submit_claim_ix(
                    &c,
                    Pubkey::new_unique().to_bytes(),
                    &caretrail_sdk::claims::SubmitClaim {
                        payer: &a,
                        coverage: &b,
                        document_hash: [1; 32],
                        billed: 1,
                        refs: &ClaimRefs::default(),
                    },
                )
            }),
            c,
        ),
    ];
    for (name, make, payer) in rows {
        t.row(vec![
            name.into(),
            one(make(), &payer).to_string(),
            fits(&*make, &payer).to_string(),
        ]);
    }
    // Commissioning packs several units per instruction.
    let hashes: Vec<[u8; 32]> = (0..64).map(|_| Pubkey::new_unique().to_bytes()).collect();
    let mut n = 1;
    while scan::transaction_size(
        &[cus::commission_units_ix(
            &a,
            &a,
            &lot,
            hashes[..n + 1].to_vec(),
        )],
        &a,
    ) <= scan::MAX_TX_SIZE
    {
        n += 1;
    }
    t.row(vec![
        "custody commission_units (units per instruction)".into(),
        scan::transaction_size(
            &[cus::commission_units_ix(&a, &a, &lot, hashes[..n].to_vec())],
            &a,
        )
        .to_string(),
        n.to_string(),
    ]);
    t
}
