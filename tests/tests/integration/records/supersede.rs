use super::*;

#[test]
fn a_correction_supersedes_its_version_once_and_the_chain_is_recorded() {
    let h = Harness::new();
    let c = h.clinic();
    let v1 = medication_list(1);
    let a = h.anchor(
        &c.provider,
        &[
            ("MedicationStatement/ms-1", &v1),
            ("Observation/o-1", b"obs"),
        ],
    );
    h.warp(3_600);
    let v2 = medication_list(2);
    let (b, links) = h
        .records()
        .supersede_records(&c.provider, &a.proofs[..1], &[&v2])
        .unwrap();
    let link_address = rec::link_pda(&a.batch, &a.proofs[0].leaf_hash().unwrap()).0;
    let link = rec::fetch_link(&h.ledger, &link_address)
        .unwrap()
        .expect("link");
    let new = &b.proofs[0];
    assert_eq!(
        (
            link.old_batch,
            link.old_version,
            link.new_batch,
            link.new_version
        ),
        (a.batch, 1, b.batch, 2)
    );
    assert_eq!(
        (
            link.old_leaf,
            link.new_leaf,
            link.provider,
            link.superseded_at
        ),
        (
            a.proofs[0].leaf_hash().unwrap(),
            new.leaf_hash().unwrap(),
            c.provider.pubkey(),
            T0 + 3_600
        )
    );
    assert_eq!(link.record, a.proofs[0].version().unwrap().leaf().record);
    assert_eq!(new.previous, a.proofs[0].leaf);
    match links[0].events().as_slice() {
        [CaretrailEvent::Records(RecordsEvent::VersionSuperseded(e))] => {
            assert_eq!((e.link, e.old_version, e.new_version), (link_address, 1, 2));
        }
        other => panic!("{other:?}"),
    }
    // A second successor of version 1 (a fork) is refused, and re-running the same correction
    // sends no link again.
    let fork = RecordVersion::successor(&a.proofs[0], b"another v2").unwrap();
    let forked = h.records().anchor_records(&c.provider, &[fork]).unwrap();
    let args = rec::supersede_args(&a.proofs[0], &forked.proofs[0]).unwrap();
    expect_error(
        send_link(&h, &c.provider, &a.batch, &forked.batch, args),
        &RECORDS,
        RecordsError::AlreadySuperseded,
    );
    let (_, again) = h
        .records()
        .supersede_records(&c.provider, &a.proofs[..1], &[&v2])
        .unwrap();
    assert!(again.is_empty(), "the link exists: nothing sent");
}

#[test]
fn a_successor_must_be_the_next_version_of_the_same_record_naming_its_predecessor() {
    let h = Harness::new();
    let c = h.clinic();
    let a = h.anchor(
        &c.provider,
        &[
            ("MedicationStatement/ms-1", b"v1"),
            ("Observation/o-1", b"o1"),
        ],
    );
    let old = &a.proofs[0];
    let good = RecordVersion::successor(old, b"v2").unwrap();
    let mut skipped = good.clone();
    skipped.version = 3;
    let mut other_record = RecordVersion::successor(&a.proofs[1], b"o2").unwrap();
    other_record.version = 2;
    let mut unlinked = good.clone();
    unlinked.previous = [5; 32];
    let cases = [
        (skipped, RecordsError::NotNextVersion),
        (other_record, RecordsError::NotSameRecord),
        (unlinked, RecordsError::PreviousMismatch),
    ];
    for (i, (version, code)) in cases.into_iter().enumerate() {
        h.warp(1);
        let b = h
            .records()
            .anchor_records(
                &c.provider,
                &[
                    version.clone(),
                    RecordVersion::first(&format!("pad/{i}"), b"p"),
                ],
            )
            .unwrap();
        let args = rec::supersede_args(old, &b.proofs[0]).unwrap();
        expect_error(
            send_link(&h, &c.provider, &a.batch, &b.batch, args),
            &RECORDS,
            code,
        );
    }
    // A leaf that is not under the batch's root, and a proof longer than 24 nodes.
    let b = h.records().anchor_records(&c.provider, &[good]).unwrap();
    let mut args = rec::supersede_args(old, &b.proofs[0]).unwrap();
    args.old_proof = vec![[1; 32]];
    expect_error(
        send_link(&h, &c.provider, &a.batch, &b.batch, args.clone()),
        &RECORDS,
        RecordsError::NotInBatch,
    );
    args.old_proof = vec![[1; 32]; 25];
    expect_error(
        send_link(&h, &c.provider, &a.batch, &b.batch, args),
        &RECORDS,
        RecordsError::ProofTooLong,
    );
}

#[test]
fn only_the_provider_of_both_batches_supersedes() {
    let h = Harness::new();
    let c = h.clinic();
    let a = h.anchor(&c.provider, &[("MedicationStatement/ms-1", b"v1")]);
    // Another provider anchors a successor under its own name and tries to link it.
    let rival = RecordVersion::successor(&a.proofs[0], b"rival v2").unwrap();
    let b = h
        .records()
        .anchor_records(&c.other_provider, &[rival])
        .unwrap();
    let args = rec::supersede_args(&a.proofs[0], &b.proofs[0]).unwrap();
    expect_error(
        send_link(&h, &c.other_provider, &a.batch, &b.batch, args.clone()),
        &RECORDS,
        RecordsError::NotBatchProvider,
    );
    expect_error(
        send_link(&h, &c.provider, &a.batch, &b.batch, args),
        &RECORDS,
        RecordsError::NotBatchProvider,
    );
    // The SDK refuses before sending.
    let err = h
        .records()
        .supersede_records(&c.other_provider, &a.proofs, &[b"x"])
        .unwrap_err();
    assert!(matches!(err, caretrail_sdk::Error::Forbidden(_)), "{err}");
}
