use super::*;

#[test]
fn a_batch_of_many_records_is_one_small_account_and_one_transaction() {
    let h = Harness::new();
    let c = h.clinic();
    let lists: Vec<Vec<u8>> = (0..500).map(medication_list).collect();
    let records: Vec<(String, &[u8])> = lists
        .iter()
        .enumerate()
        .map(|(i, b)| (format!("MedicationStatement/{i}"), b.as_slice()))
        .collect();
    let refs: Vec<(&str, &[u8])> = records.iter().map(|(id, b)| (id.as_str(), *b)).collect();
    h.warp(60);
    let a = h.anchor(&c.provider, &refs);
    let b = batch(&h, &a.batch);
    assert_eq!(
        (b.provider, b.root, b.leaves, b.anchored_at, b.version),
        (c.provider.pubkey(), a.root, 500, T0 + 60, 1)
    );
    assert_eq!(a.batch, rec::batch_pda(&c.provider.pubkey(), &a.root).0);
    assert_eq!(b.bump, rec::batch_pda(&c.provider.pubkey(), &a.root).1);
    assert_eq!(
        h.ledger_account(&a.batch).data.len(),
        8 + <rec::RecordBatch as anchor_lang::Space>::INIT_SPACE
    );
    assert!(
        a.proofs.iter().all(|p| p.path.len() <= 9),
        "log2(500) nodes per proof"
    );
    match a.outcome.as_ref().unwrap().events().as_slice() {
        [CaretrailEvent::Records(RecordsEvent::BatchAnchored(e))] => {
            assert_eq!(
                (e.batch, e.provider, e.root, e.leaves),
                (a.batch, c.provider.pubkey(), a.root, 500)
            );
        }
        other => panic!("{other:?}"),
    }
    // A re-run of the same versions sends nothing and hands back the same proofs.
    let versions: Vec<RecordVersion> = a.proofs.iter().map(|p| p.version().unwrap()).collect();
    let again = h.records().anchor_records(&c.provider, &versions).unwrap();
    assert!(again.outcome.is_none());
    assert_eq!(
        again.proofs.iter().map(|p| &p.leaf).collect::<Vec<_>>(),
        a.proofs.iter().map(|p| &p.leaf).collect::<Vec<_>>()
    );
}

#[test]
fn only_a_provider_or_dispenser_in_standing_anchors_and_a_batch_is_anchored_once() {
    let h = Harness::new();
    let c = h.clinic();
    let distributor = h.participant(&c.authority, roles::DISTRIBUTOR);
    let pharmacy = h.participant(&c.authority, roles::DISPENSER);
    let root = caretrail_sdk::hash::sha256(&[b"root"]);
    expect_error(
        h.send(
            &[&distributor],
            &[rec::anchor_batch_ix(&distributor.pubkey(), root, 1)],
        ),
        &RECORDS,
        RecordsError::RoleNotAllowed,
    );
    h.send(
        &[&pharmacy],
        &[rec::anchor_batch_ix(&pharmacy.pubkey(), root, 1)],
    )
    .expect("a dispenser anchors its medication records");
    expect_error(
        h.send(
            &[&c.provider],
            &[rec::anchor_batch_ix(&c.provider.pubkey(), [0; 32], 1)],
        ),
        &RECORDS,
        RecordsError::InvalidBatch,
    );
    expect_error(
        h.send(
            &[&c.provider],
            &[rec::anchor_batch_ix(&c.provider.pubkey(), root, 0)],
        ),
        &RECORDS,
        RecordsError::InvalidBatch,
    );
    expect_error(
        h.send(
            &[&c.provider],
            &[rec::anchor_batch_ix(
                &c.provider.pubkey(),
                root,
                rec::merkle::MAX_LEAVES + 1,
            )],
        ),
        &RECORDS,
        RecordsError::InvalidBatch,
    );
    h.send(
        &[&c.provider],
        &[rec::anchor_batch_ix(&c.provider.pubkey(), root, 1)],
    )
    .unwrap();
    h.warp(1);
    expect_error(
        h.send(
            &[&c.provider],
            &[rec::anchor_batch_ix(&c.provider.pubkey(), root, 2)],
        ),
        &RECORDS,
        RecordsError::BatchExists,
    );
    // Suspended providers anchor nothing.
    h.registry()
        .suspend(&c.authority, &c.other_provider.pubkey(), 1)
        .unwrap();
    expect_error(
        h.send(
            &[&c.other_provider],
            &[rec::anchor_batch_ix(&c.other_provider.pubkey(), root, 1)],
        ),
        &RECORDS,
        RecordsError::ParticipantSuspended,
    );
}
