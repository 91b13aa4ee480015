//! FHIR R4 `Provenance` for an anchored record version.

use super::*;
use serde_json::{json, Value};

/// The `Provenance` of an anchored version: its target (the record, by the provider's own
/// id, and the version), when it was recorded (the batch's block time), the provider as author
/// (by wallet), and the anchor (batch, leaf, root, transaction) as a signature-less entity.
/// `target_reference` is how the holder's system names the record (e.g.
/// `MedicationStatement/ms-1`); the record id of the proof when `None`.
pub fn provenance(
    proof: &RecordProof,
    batch: &RecordBatch,
    target_reference: Option<&str>,
) -> Value {
    let reference = target_reference.unwrap_or(&proof.record_id);
    let target = if reference.contains('/') {
        json!({ "reference": format!("{reference}/_history/{}", proof.version) })
    } else {
        json!({ "identifier": { "system": "urn:caretrail:record", "value": reference } })
    };
    let mut entity = vec![json!({
        "role": "source",
        "what": { "identifier": {
            "system": "urn:caretrail:record-batch",
            "value": proof.batch,
        }},
    })];
    if proof.version > 1 {
        entity.push(json!({
            "role": "revision",
            "what": { "identifier": {
                "system": "urn:caretrail:record-leaf",
                "value": proof.previous,
            }},
        }));
    }
    json!({
        "resourceType": "Provenance",
        "id": format!("caretrail-{}", &proof.leaf[..16]),
        "target": [target],
        "recorded": crate::util::rfc3339(batch.anchored_at),
        "activity": { "coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-DataOperation",
            "code": if proof.version > 1 { "UPDATE" } else { "CREATE" },
        }]},
        "agent": [{
            "type": { "coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/provenance-participant-type",
                "code": "author",
            }]},
            "who": { "identifier": {
                "system": "urn:caretrail:wallet",
                "value": proof.provider,
            }},
        }],
        "entity": entity,
        "extension": [{
            "url": "https://caretrail.dev/fhir/StructureDefinition/anchor",
            "extension": [
                { "url": "leaf", "valueString": proof.leaf },
                { "url": "root", "valueString": proof.root },
                { "url": "contentHash", "valueString": proof.content_hash },
                { "url": "transaction", "valueString": proof.signature },
            ],
        }],
    })
}
