use super::*;
use caretrail_sdk::consent::{self as con, action, class, purpose};
use caretrail_sdk::events::ConsentEvent;

#[test]
fn a_held_record_verifies_as_current_superseded_altered_or_unknown() {
    let h = Harness::new();
    let c = h.clinic();
    let v1 = medication_list(1);
    h.warp(10);
    let a = h.anchor(&c.provider, &[("MedicationStatement/ms-1", &v1)]);
    let p1 = &a.proofs[0];
    let v = rec::verify_record(&h.ledger, &v1, p1).unwrap();
    assert_eq!(
        v.status,
        RecordStatus::Current {
            version: 1,
            anchored_at: T0 + 10,
            provider: c.provider.pubkey()
        }
    );
    assert!(v.is_intact());
    // Altered: one byte changed.
    let mut tampered = v1.clone();
    tampered[10] ^= 1;
    let v = rec::verify_record(&h.ledger, &tampered, p1).unwrap();
    assert!(
        matches!(v.status, RecordStatus::Altered { version: 1, .. }),
        "{v:?}"
    );
    assert!(!v.is_intact());
    // Superseded twice: v1 reports its successor v2 and the latest, v3.
    h.warp(100);
    let v2 = medication_list(2);
    let p2 = correct(&h, &c.provider, p1, &v2);
    h.warp(100);
    let p3 = correct(&h, &c.provider, &p2, &medication_list(3));
    assert_eq!(
        rec::verify_record(&h.ledger, &v1, p1).unwrap().status,
        RecordStatus::Superseded {
            version: 1,
            anchored_at: T0 + 10,
            by_version: 2,
            at: T0 + 110,
            provider: c.provider.pubkey(),
            latest_version: 3
        }
    );
    assert!(matches!(
        rec::verify_record(&h.ledger, &v2, &p2).unwrap().status,
        RecordStatus::Superseded {
            by_version: 3,
            latest_version: 3,
            ..
        }
    ));
    assert!(matches!(
        rec::verify_record(&h.ledger, &medication_list(3), &p3)
            .unwrap()
            .status,
        RecordStatus::Current { version: 3, .. }
    ));
    // Unknown: a proof whose path was forged, a batch never anchored, a forged leaf.
    let mut forged = p1.clone();
    forged.path = vec!["11".repeat(32)];
    assert!(matches!(
        rec::verify_record(&h.ledger, &v1, &forged).unwrap().status,
        RecordStatus::Unknown { .. }
    ));
    let never = rec::build_batch(
        &c.provider.pubkey(),
        &[RecordVersion::first("x", b"never anchored")],
    )
    .unwrap()
    .2;
    let v = rec::verify_record(&h.ledger, b"never anchored", &never[0]).unwrap();
    assert!(
        matches!(&v.status, RecordStatus::Unknown { reason } if reason.contains("no batch")),
        "{v:?}"
    );
    let mut relabelled = p1.clone();
    relabelled.leaf = "00".repeat(32);
    assert!(matches!(
        rec::verify_record(&h.ledger, &v1, &relabelled)
            .unwrap()
            .status,
        RecordStatus::Unknown { .. }
    ));
}

#[test]
fn an_access_can_name_the_anchored_version_it_read() {
    let h = Harness::new();
    let c = h.clinic();
    let g = h.patient_grant(&c.patient, &c.reader.pubkey(), 1, treatment_scope(), 30);
    let a = h.anchor(
        &c.provider,
        &[
            ("MedicationStatement/ms-1", &medication_list(1)),
            ("Observation/o", b"o"),
        ],
    );
    let args = access(class::MEDICATIONS, action::ACCESS, purpose::TREAT);
    let out = h
        .consent()
        .record_anchored_access(&c.reader, &g, args.clone(), &a.proofs[0])
        .unwrap();
    match out.events().as_slice() {
        [CaretrailEvent::Consent(ConsentEvent::AccessRecorded(r)), CaretrailEvent::Consent(ConsentEvent::AnchoredVersionRead(e))] =>
        {
            assert_eq!(r.resource_hash, a.proofs[0].leaf_hash().unwrap());
            assert_eq!((e.grant, e.batch, e.leaf), (g, a.batch, r.resource_hash));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        con::fetch_grant(&h.ledger, &g)
            .unwrap()
            .unwrap()
            .access_count,
        1
    );
    // A version that is not under the batch is refused by consent, and the grant's own checks
    // still apply.
    let mut wrong = a.proofs[0].clone();
    wrong.path = vec!["22".repeat(32)];
    expect_error(
        h.consent()
            .record_anchored_access(&c.reader, &g, args.clone(), &wrong),
        &consent::ID,
        consent::error::ConsentError::VersionNotAnchored,
    );
    expect_error(
        h.consent().record_anchored_access(
            &c.reader,
            &g,
            access(class::LABS, action::DISCLOSE, purpose::TREAT),
            &a.proofs[0],
        ),
        &consent::ID,
        consent::error::ConsentError::ActionNotCovered,
    );
}
