//! EPCIS documents for trading partners: the demo's shipment exported by `caretrail epcis
//! export` in both formats, validated with GS1's own schemas (EPCIS 1.2 XSD with xmllint,
//! EPCIS 2.0 JSON schema) and GS1's reference CBV 2.0 event hash implementation
//! (`scripts/validate-epcis.sh`), and read back by `caretrail epcis import`.

use super::{caretrail, fails_with, json};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Runs `scripts/validate-epcis.sh` on `files`; it must accept every one.
fn validate(files: &[&Path]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/validate-epcis.sh");
    let out = std::process::Command::new("bash")
        .arg(script)
        .args(files)
        .output()
        .expect("run scripts/validate-epcis.sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
    text
}

/// The GS1 codes (as JSON text) and aggregations an import reports.
fn read_back(report: &Value) -> (BTreeSet<String>, Value) {
    let codes = report["epcs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert!(e.get("error").is_none(), "{e}");
            e["code"].to_string()
        })
        .collect();
    (codes, report["aggregations"].clone())
}

pub fn demo_shipment_documents(dir: &Path, out: &Path, story: &Value) {
    let shipment = &story["custody"]["shipment"];
    let reference = shipment["reference"].as_str().unwrap();
    // `epcis export` of the demo's shipment, as its sender.
    let export_cmd = |format: &str| {
        let mut cmd = caretrail(dir);
        cmd.env("CARETRAIL_LEDGER", out.join("ledger"))
            .args([
                "epcis",
                "export",
                "--shipment",
                reference,
                "--format",
                format,
            ])
            .args(["--party", shipment["sender"].as_str().unwrap()]);
        cmd
    };
    let export = |format: &str, file: &Path| {
        json(
            export_cmd(format)
                .arg("--codes")
                .arg(out.join("shipment.codes.txt"))
                .arg("--products")
                .arg(out.join("products.csv"))
                .arg("--locations")
                .arg(out.join("locations.csv"))
                .arg("--out")
                .arg(file),
        )
    };
    let (xml, jsonld) = (dir.join("asn.xml"), dir.join("asn.json"));
    let summary = export("1.2", &xml);
    assert_eq!(
        (
            summary["format"].as_str(),
            summary["events"].as_u64(),
            summary["epcs"].as_u64()
        ),
        (Some("EPCIS 1.2 XML"), Some(5), Some(4)),
        "commissioning of 3 packages, the case, packing, shipping, receiving: {summary}"
    );
    export("2.0", &jsonld);
    // The CLI writes the same documents as the demo.
    for (mine, demo) in [
        (&xml, "shipment.epcis.xml"),
        (&jsonld, "shipment.epcis.json"),
    ] {
        assert_eq!(
            std::fs::read_to_string(mine).unwrap().trim_end(),
            std::fs::read_to_string(out.join(demo)).unwrap().trim_end(),
            "{demo}"
        );
    }
    let text = validate(&[
        &xml,
        &jsonld,
        &out.join("shipment.epcis.xml"),
        &out.join("shipment.epcis.json"),
        &out.join("shipment-notice.epcis.xml"),
        &out.join("unit-history.epcis.json"),
        &out.join("cold-chain.epcis.xml"),
        &out.join("cold-chain.epcis.json"),
        &out.join("compressed-package.epcis.xml"),
        &out.join("compressed-package.epcis.json"),
    ]);
    // A compressed package's history has the events a unit's has.
    assert_eq!(
        story["compressed"]["dispensed_package_history"]["biz_steps"],
        serde_json::json!([
            "commissioning",
            "packing",
            "shipping",
            "receiving",
            "unpacking",
            "shipping",
            "receiving",
            "dispensing"
        ])
    );
    // The cold-chain package's receipt carries its logger's summary: 2.0 sensorElementList,
    // the 1.2 extension, both hashed as GS1's reference does (checked above).
    let cold: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("cold-chain.epcis.json")).unwrap())
            .unwrap();
    let sensed: Vec<&Value> = cold["epcisBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("sensorElementList").is_some())
        .collect();
    assert_eq!(sensed.len(), 1, "{cold}");
    assert_eq!(sensed[0]["bizStep"], "receiving");
    let report = &sensed[0]["sensorElementList"][0]["sensorReport"][0];
    assert_eq!(
        report,
        &serde_json::json!({"type": "Temperature", "exception": "ALARM_CONDITION",
            "minValue": 4.5, "maxValue": 11, "meanValue": 8.06, "uom": "CEL"})
    );
    assert_eq!(sensed[0]["caretrail:sensorMinutesOutsideRange"], "40");
    let cold_xml = std::fs::read_to_string(out.join("cold-chain.epcis.xml")).unwrap();
    for needle in [
        "<caretrail:sensorMaxCelsius>11</caretrail:sensorMaxCelsius>",
        "<caretrail:sensorExcursion>true</caretrail:sensorExcursion>",
        "<caretrail:sensorLogger>ni:///sha-256;",
    ] {
        assert!(cold_xml.contains(needle), "{needle}");
    }
    // The notice the case was received against: commissioning, packing, shipping — no
    // receipt yet — and the dock's report says everything arrived.
    assert!(
        text.contains(&format!(
            "{}: 4 eventIDs equal their CBV 2.0 event hashes",
            out.join("shipment-notice.epcis.xml").display()
        )),
        "{text}"
    );
    let receiving = &story["custody"]["receiving"];
    assert_eq!(
        receiving["summary"],
        serde_json::json!({"expected": 4, "received": 4, "lines": 1, "done": 1,
            "already_done": 0, "rejected": 0, "overage": 0, "mismatch": 0, "unknown": 0,
            "shortage": 0})
    );
    let report = std::fs::read_to_string(out.join("receiving.report.jsonl")).unwrap();
    let report: Value = serde_json::from_str(report.trim_end()).unwrap();
    assert_eq!(
        report["shipment"],
        format!("urn:epcglobal:cbv:bt:0614141000012:{reference}")
    );
    assert_eq!(report["lines"][0]["finding"], "expected");
    assert!(
        text.contains(&format!("{} validates", xml.display())),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{}: valid against the EPCIS 2.0 JSON schema",
            jsonld.display()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "{}: 5 eventIDs equal their CBV 2.0 event hashes",
            xml.display()
        )),
        "{text}"
    );

    // The 1.2 document's content: SBDH, master data, events, DSCSA statement.
    let doc = std::fs::read_to_string(&xml).unwrap();
    for needle in [
        "schemaVersion=\"1.2\"",
        "<sbdh:Identifier Authority=\"SGLN\">urn:epc:id:sgln:0614141.00001.0</sbdh:Identifier>",
        "<sbdh:Identifier Authority=\"SGLN\">urn:epc:id:sgln:0614141.00002.0</sbdh:Identifier>",
        "<VocabularyElement id=\"urn:epc:idpat:sgtin:9501101.002091.*\">",
        "<attribute id=\"urn:epcglobal:cbv:mda#additionalTradeItemIdentification\">50242-040-62</attribute>",
        "<attribute id=\"urn:epcglobal:cbv:mda#additionalTradeItemIdentificationTypeCode\">US_FDA_NDC</attribute>",
        "<attribute id=\"urn:epcglobal:cbv:mda#regulatedProductName\">Insulin glargine injection, 100 units/mL</attribute>",
        "<attribute id=\"urn:epcglobal:cbv:mda#dosageFormType\">INJECTION</attribute>",
        "<attribute id=\"urn:epcglobal:cbv:mda#city\">Memphis</attribute>",
        "<bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep>",
        "<bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>",
        "<bizStep>urn:epcglobal:cbv:bizstep:receiving</bizStep>",
        &format!("<bizTransaction type=\"urn:epcglobal:cbv:btt:desadv\">urn:epcglobal:cbv:bt:0614141000012:{reference}</bizTransaction>"),
        "<source type=\"urn:epcglobal:cbv:sdt:owning_party\">urn:epc:id:sgln:0614141.00001.0</source>",
        "<destination type=\"urn:epcglobal:cbv:sdt:owning_party\">urn:epc:id:sgln:0614141.00002.0</destination>",
        "<gs1ushc:affirmTransactionStatement>true</gs1ushc:affirmTransactionStatement>",
        "?ver=CBV2.0</eventID>",
    ] {
        assert!(doc.contains(needle), "{needle} missing from\n{doc}");
    }

    // Imported back, both name the same codes and the same case → 3 packages.
    let import = |file: &Path| json(caretrail(dir).args(["epcis", "import"]).arg(file));
    let (a, b) = (import(&xml), import(&jsonld));
    assert_eq!(a["events"], 5);
    let (codes_a, agg_a) = read_back(&a);
    let (codes_b, _) = read_back(&b);
    assert_eq!(codes_a, codes_b);
    assert_eq!(codes_a.len(), 4, "{codes_a:?}");
    let agg_a = agg_a.as_object().unwrap();
    assert_eq!(agg_a.len(), 1);
    assert_eq!(agg_a.values().next().unwrap().as_array().unwrap().len(), 3);
    assert_eq!(b["aggregations"].as_object().unwrap().len(), 1);

    // A unit no code names is an error naming it, not a silent gap.
    let empty = dir.join("no-codes.txt");
    std::fs::write(&empty, "").unwrap();
    fails_with(
        export_cmd("1.2").arg("--codes").arg(&empty),
        &format!("3 unit(s) of shipment {reference} are named by none of the given codes"),
    );
}
