//! Receiving against the sender's EPCIS shipment document (`custody scan --receive --expect`):
//! a document written by another vendor's system with a planted overage (a package shipped on
//! chain that the document does not list, and one packed in a case it lists), a shortage
//! (listed, never scanned; listed in a case, unknown to the chain) and a lot mismatch (the
//! document's lot is not the barcode's nor the chain's). Exactly what the document and the
//! chain both support is received.

use caretrail_sdk::custody::epcis_import;
use caretrail_sdk::custody::reconcile::{self, Expected, Finding, Mismatch};
use caretrail_sdk::custody::{self as cus, HopStatus, UnitKind, UnitStatus};
use caretrail_sdk::scan::{self, LineStatus, Quiet, ScanAction};
use caretrail_tests::*;
use solana_sdk::{pubkey::Pubkey, signature::Signer};

fn sgtin(serial: &str) -> String {
    format!("urn:epc:id:sgtin:{GTIN_PREFIX}.002091.{serial}")
}

fn sscc_urn(serial_ref: &str) -> String {
    format!("urn:epc:id:sscc:{SSCC_PREFIX}.1{serial_ref:0>9}")
}

fn sscc_code(serial_ref: &str) -> String {
    format!("(00){}", String::from_utf8_lossy(&sscc(serial_ref)))
}

fn package(serial: &str) -> String {
    format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{serial}")
}

fn epcs(list: &[String]) -> String {
    list.iter().map(|e| format!("<epc>{e}</epc>")).collect()
}

/// The manufacturer's shipment notice, as another vendor's system writes it: SBDH, its own
/// namespace prefixes, comments, attribute order, an extension caretrail does not know.
fn notice() -> String {
    let commissioned = |serials: &[&str], lot: &str| {
        format!(
            r#"<ObjectEvent><!-- commissioning -->
  <eventTime>2026-11-30T08:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <epcList>{}</epcList><action>ADD</action>
  <bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep>
  <extension><ilmd><m:lotNumber xmlns:m="urn:epcglobal:cbv:mda">{lot}</m:lotNumber><m:itemExpirationDate xmlns:m="urn:epcglobal:cbv:mda">2027-12-31</m:itemExpirationDate></ilmd></extension>
</ObjectEvent>"#,
            epcs(&serials.iter().map(|s| sgtin(s)).collect::<Vec<_>>())
        )
    };
    let packed = |parent: String, children: Vec<String>| {
        format!(
            r#"<AggregationEvent><eventTime>2026-11-30T09:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <parentID>{parent}</parentID><childEPCs>{}</childEPCs><action>ADD</action>
  <bizStep>urn:epcglobal:cbv:bizstep:packing</bizStep></AggregationEvent>"#,
            epcs(&children)
        )
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<ns0:EPCISDocument creationDate="2026-11-30T10:00:00Z" schemaVersion="1.2" xmlns:ns0="urn:epcglobal:epcis:xsd:1" xmlns:vendor="urn:example:wms">
<EPCISHeader><sbdh:StandardBusinessDocumentHeader xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">
  <sbdh:HeaderVersion>1.0</sbdh:HeaderVersion>
  <sbdh:Sender><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0614141.00000.0</sbdh:Identifier></sbdh:Sender>
  <sbdh:Receiver><sbdh:Identifier Authority="SGLN">urn:epc:id:sgln:0614141.00001.0</sbdh:Identifier></sbdh:Receiver>
</sbdh:StandardBusinessDocumentHeader></EPCISHeader>
<EPCISBody><EventList>
{}
{}
{}
{}
{}
{}
<ObjectEvent><eventTime>2026-11-30T11:00:00Z</eventTime><eventTimeZoneOffset>+00:00</eventTimeZoneOffset>
  <epcList>{}</epcList><action>OBSERVE</action>
  <bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep><disposition>urn:epcglobal:cbv:disp:in_transit</disposition>
  <bizTransactionList><bizTransaction type="urn:epcglobal:cbv:btt:po">PO-77</bizTransaction><bizTransaction type="urn:epcglobal:cbv:btt:desadv">ASN-0001</bizTransaction></bizTransactionList>
  <vendor:dock>7</vendor:dock>
</ObjectEvent>
</EventList></EPCISBody></ns0:EPCISDocument>"#,
        // P7's lot is wrong in the document; P10 was never commissioned.
        commissioned(
            &["P1", "P2", "P3", "P4", "P5", "P6", "P8", "P10", "P11"],
            LOT
        ),
        commissioned(&["P7"], "LOT-B2"),
        packed(sscc_urn("1"), vec![sgtin("P1"), sgtin("P2"), sgtin("P3")]),
        packed(sscc_urn("2"), vec![sgtin("P4"), sgtin("P5"), sgtin("P10")]),
        packed(sscc_urn("9"), vec![sscc_urn("1"), sscc_urn("2")]),
        // The chain also packs P12 in case 3.
        packed(sscc_urn("3"), vec![sgtin("P11")]),
        epcs(&[
            sscc_urn("9"),
            sscc_urn("3"),
            sgtin("P6"),
            sgtin("P7"),
            sgtin("P8")
        ]),
    )
}

struct Dock {
    units: std::collections::HashMap<&'static str, Pubkey>,
}

impl Dock {
    fn unit(&self, name: &str) -> Pubkey {
        self.units[name]
    }
}

/// On chain: pallet 9 ⊃ case 1 (P1–P3), case 2 (P4, P5); case 3 ⊃ P11, P12; loose P6, P7, P8
/// and X1; everything shipped to the distributor under ASN-0001.
fn ship(h: &Harness, sc: &SupplyChain) -> Dock {
    let serials = [
        "P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8", "P11", "P12", "X1",
    ];
    let addresses = h.commission(sc, &serials);
    let mut units: std::collections::HashMap<&'static str, Pubkey> =
        serials.iter().copied().zip(addresses).collect();
    for (name, serial_ref, kind, children) in [
        ("C1", "1", UnitKind::Case, vec!["P1", "P2", "P3"]),
        ("C2", "2", UnitKind::Case, vec!["P4", "P5"]),
        ("C3", "3", UnitKind::Case, vec!["P11", "P12"]),
        ("PAL", "9", UnitKind::Pallet, vec!["C1", "C2"]),
    ] {
        h.custody()
            .create_aggregate(&sc.manufacturer, sscc(serial_ref), kind)
            .unwrap();
        let aggregate = cus::sscc_pda(&sscc(serial_ref)).0;
        let children: Vec<Pubkey> = children.iter().map(|c| units[c]).collect();
        h.custody()
            .aggregate(&sc.manufacturer, &aggregate, &children)
            .unwrap();
        units.insert(name, aggregate);
    }
    let outgoing = [
        sscc_code("9"),
        sscc_code("3"),
        package("P6"),
        package("P7"),
        package("P8"),
        package("X1"),
    ];
    let shipped = scan::run(
        &h.ledger,
        &sc.manufacturer,
        &sc.manufacturer,
        &ScanAction::ShipTo {
            receiver: sc.distributor.pubkey(),
            args: ship_args(),
        },
        &scan::scan_lines(&outgoing.join("\n")),
        &mut Quiet,
    )
    .unwrap();
    assert!(shipped.iter().all(|r| r.status == LineStatus::Done));
    Dock { units }
}

/// The dock's scans: the pallet, a package inside it, P6, P7 (lot mismatch), X1 (not in the
/// document), case 3 (carries P12, not in the document), an unknown serial, a smudge.
fn scans() -> Vec<(usize, String)> {
    scan::scan_lines(
        &[
            sscc_code("9"),
            package("P2"),
            package("P6"),
            package("P7"),
            package("X1"),
            sscc_code("3"),
            package("NEVER1"),
            "not a barcode".to_string(),
        ]
        .join("\n"),
    )
}

fn held(h: &Harness, unit: &Pubkey) -> (UnitStatus, Pubkey) {
    let (_, top) = cus::top_most(&h.ledger, unit).unwrap().unwrap();
    (top.status, top.holder)
}

#[test]
fn receiving_against_a_document_receives_only_what_it_and_the_chain_both_support() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let dock = ship(&h, &sc);
    let doc = epcis_import::import(notice().as_bytes()).unwrap();
    let expected = Expected::from_document(&doc).unwrap();
    assert_eq!(expected.shipments.len(), 1);
    assert_eq!(expected.shipments[0].id.as_deref(), Some("ASN-0001"));
    assert_eq!(expected.units.len(), 14, "{:#?}", expected.units);
    let me = sc.distributor.pubkey();

    let r = reconcile::receive_against(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &expected,
        false,
        &scans(),
        &mut Quiet,
    )
    .unwrap();
    let outcome: Vec<(usize, LineStatus, Finding)> = r
        .lines
        .iter()
        .map(|l| (l.result.line, l.result.status.clone(), l.finding))
        .collect();
    assert_eq!(
        outcome,
        [
            (1, LineStatus::Done, Finding::Expected),
            (2, LineStatus::AlreadyDone, Finding::Expected),
            (3, LineStatus::Done, Finding::Expected),
            (4, LineStatus::Rejected, Finding::Mismatch),
            (5, LineStatus::Rejected, Finding::Overage),
            (6, LineStatus::Rejected, Finding::Overage),
            (7, LineStatus::Rejected, Finding::Unknown),
            (8, LineStatus::Rejected, Finding::Unreadable),
        ]
    );
    assert_eq!(
        r.lines[3].mismatches,
        [Mismatch {
            unit: dock.unit("P7"),
            field: "lot",
            document: Some("LOT-B2".into()),
            barcode: Some(LOT.into()),
            chain: Some(LOT.into()),
        }]
    );
    assert_eq!(
        r.lines[3].result.reason.as_deref(),
        Some(
            format!(
                "not received: lot of {} differs: document LOT-B2, barcode {LOT}, chain {LOT}",
                dock.unit("P7")
            )
            .as_str()
        )
    );
    assert_eq!(
        r.lines[4].result.reason.as_deref(),
        Some("not received: not in the document (--accept-overage receives it)")
    );
    assert_eq!(r.lines[5].not_in_document, [dock.unit("P12")]);
    assert_eq!(r.lines[6].result.verification, Some("unknown_serial"));
    assert!(r.lines[7]
        .result
        .reason
        .as_deref()
        .unwrap()
        .starts_with("malformed barcode"));
    assert_eq!(r.lines[1].epc.as_deref(), Some(sgtin("P2").as_str()));

    // Shortage, in document order, with why.
    let short: Vec<(&str, &str)> = r
        .shortage
        .iter()
        .map(|s| (s.unit.epc.as_str(), s.reason.as_str()))
        .collect();
    let (p10, c3, p11, p7, p8) = (
        sgtin("P10"),
        sscc_urn("3"),
        sgtin("P11"),
        sgtin("P7"),
        sgtin("P8"),
    );
    assert_eq!(
        short,
        [
            (p10.as_str(), "unknown to the chain"),
            (c3.as_str(), "line 6 did not receive it"),
            (p11.as_str(), "line 6 did not receive it"),
            (p7.as_str(), "line 4 did not receive it"),
            (p8.as_str(), "never scanned"),
        ]
    );

    // Exactly what was received: the pallet with both cases and their five packages, and P6.
    for name in ["PAL", "C1", "C2", "P1", "P2", "P3", "P4", "P5", "P6"] {
        assert_eq!(
            held(&h, &dock.unit(name)),
            (UnitStatus::Active, me),
            "{name}"
        );
    }
    for name in ["P7", "X1", "C3", "P11", "P12", "P8"] {
        let (status, holder) = held(&h, &dock.unit(name));
        assert_eq!(status, UnitStatus::InTransit, "{name}");
        assert_eq!(holder, sc.manufacturer.pubkey(), "{name}");
    }
    assert_eq!(
        cus::epcis::completed_hops(&h.ledger, &dock.unit("PAL")).unwrap()[0].status,
        HopStatus::Received
    );

    // The report for the warehouse system.
    let reports = r.reports();
    assert_eq!(reports.len(), 1);
    let s = &reports[0].summary;
    assert_eq!(
        (
            s.expected,
            s.received,
            s.lines,
            s.done,
            s.already_done,
            s.rejected
        ),
        (14, 9, 8, 2, 1, 5)
    );
    assert_eq!((s.overage, s.mismatch, s.unknown, s.shortage), (2, 1, 1, 5));
    let json = serde_json::to_value(&reports[0]).unwrap();
    assert_eq!(json["shipment"], "ASN-0001");
    assert_eq!(json["sender"], "urn:epc:id:sgln:0614141.00000.0");
    assert_eq!(json["lines"][3]["finding"], "mismatch");
    assert_eq!(json["lines"][3]["mismatches"][0]["document"], "LOT-B2");
    assert_eq!(
        json["lines"][5]["not_in_document"][0],
        dock.unit("P12").to_string()
    );
    assert_eq!(json["shortage"][4]["code"], format!("(01){GTIN}(21)P8"));
    assert_eq!(json["shortage"][4]["reason"], "never scanned");
    assert!(!r.is_clean());

    // The same file again, accepting overage: X1 and case 3 (with P12) are received now,
    // P7's mismatch still refuses it, what landed is already done.
    let again = reconcile::receive_against(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &expected,
        true,
        &scans(),
        &mut Quiet,
    )
    .unwrap();
    let statuses: Vec<LineStatus> = again
        .lines
        .iter()
        .map(|l| l.result.status.clone())
        .collect();
    assert_eq!(
        statuses,
        [
            LineStatus::AlreadyDone,
            LineStatus::AlreadyDone,
            LineStatus::AlreadyDone,
            LineStatus::Rejected,
            LineStatus::Done,
            LineStatus::Done,
            LineStatus::Rejected,
            LineStatus::Rejected,
        ]
    );
    assert_eq!(again.lines[4].finding, Finding::Overage);
    for name in ["X1", "C3", "P11", "P12"] {
        assert_eq!(
            held(&h, &dock.unit(name)),
            (UnitStatus::Active, me),
            "{name}"
        );
    }
    assert_eq!(held(&h, &dock.unit("P7")).0, UnitStatus::InTransit);
    let short: Vec<&str> = again.shortage.iter().map(|s| s.unit.epc.as_str()).collect();
    assert_eq!(short, [p10.as_str(), p7.as_str(), p8.as_str()]);
}

#[test]
fn a_document_naming_what_is_not_a_unit_is_refused_before_anything_is_received() {
    let xml = notice().replace(&sgtin("P8"), "urn:epc:id:sgtin:9501101.0020.P8");
    let doc = epcis_import::import(xml.as_bytes()).unwrap();
    let err = Expected::from_document(&doc).unwrap_err().to_string();
    assert!(err.contains("urn:epc:id:sgtin:9501101.0020.P8"), "{err}");
}

#[test]
fn a_case_of_compressed_packages_and_loose_ones_are_received_against_the_document() {
    use caretrail_sdk::custody::epcis_export::{shipment_document, Codes};
    use caretrail_sdk::custody::master_data::MasterData;
    let h = Harness::new();
    let sc = h.supply_chain();
    // One tree: a case of 20 commissioned straight into it, and 3 loose packages.
    let (tree, _) = h
        .custody()
        .create_package_tree(&sc.manufacturer, &sc.lot)
        .unwrap();
    let by_hash = |prefix: &str, n: usize| {
        let mut v: Vec<String> = (0..n).map(|i| format!("{prefix}{i:03}")).collect();
        v.sort_by_key(|s| cus::serial_hash(&sc.gtin, s));
        v
    };
    let (inside, loose) = (by_hash("CP", 20), by_hash("LP", 3));
    let case_sscc = sscc("4242");
    h.custody()
        .create_aggregate(&sc.manufacturer, case_sscc, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&case_sscc).0;
    let mut all: Vec<(&String, bool)> = inside
        .iter()
        .map(|s| (s, true))
        .chain(loose.iter().map(|s| (s, false)))
        .collect();
    all.sort_by_key(|(s, _)| cus::serial_hash(&sc.gtin, s));
    for (s, packed) in all {
        h.custody()
            .commission_packages(
                &sc.manufacturer,
                &tree,
                packed.then_some(&case),
                vec![cus::serial_hash(&sc.gtin, s)],
            )
            .unwrap();
    }
    // Shipped under ASN-0001: the case, and the loose packages with their proofs.
    h.custody()
        .ship(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &case,
            ship_args(),
        )
        .unwrap();
    for s in &loose {
        h.custody()
            .ship_package(
                &sc.manufacturer,
                &tree,
                &cus::serial_hash(&sc.gtin, s),
                &sc.distributor.pubkey(),
                &package_shipment(),
            )
            .unwrap();
    }
    // The sender's document, written by caretrail's exporter and read back as a partner's.
    let codes: String = inside
        .iter()
        .chain(&loose)
        .map(|s| package(s) + "\n")
        .collect();
    let doc = shipment_document(
        &h.ledger,
        &sc.manufacturer.pubkey(),
        "ASN-0001",
        &Codes::from_lines(&codes).unwrap(),
        &MasterData::default(),
    )
    .unwrap();
    let imported = epcis_import::import(doc.to_xml().as_bytes()).unwrap();
    let expected = Expected::from_document(&imported).unwrap();
    assert_eq!(expected.units.len(), 24, "20 packed, 3 loose, the case");
    // The dock scans the case, one package inside it, and two of the three loose packages.
    let lines = scan::scan_lines(
        &[
            sscc_code("4242"),
            package(&inside[7]),
            package(&loose[0]),
            package(&loose[1]),
        ]
        .join("\n"),
    );
    let r = reconcile::receive_against(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &expected,
        false,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    let findings: Vec<(Finding, LineStatus)> = r
        .lines
        .iter()
        .map(|l| (l.finding, l.result.status.clone()))
        .collect();
    assert_eq!(
        findings,
        [
            (Finding::Expected, LineStatus::Done),
            (Finding::Expected, LineStatus::AlreadyDone),
            (Finding::Expected, LineStatus::Done),
            (Finding::Expected, LineStatus::Done),
        ],
        "{:#?}",
        r.lines
    );
    assert_eq!(r.received.len(), 23, "the case, its 20 packages, two loose");
    assert_eq!(r.shortage.len(), 1);
    assert_eq!(
        r.shortage[0].unit.unit,
        cus::address_of(&gs1(&package(&loose[2]))).unwrap()
    );
    assert_eq!(r.shortage[0].reason, "never scanned");
    let index = cus::PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
    let leaf = |s: &str| {
        *index
            .leaf(index.find(&cus::serial_hash(&sc.gtin, s)).unwrap())
            .unwrap()
    };
    assert_eq!(
        (leaf(&loose[0]).status, leaf(&loose[0]).holder),
        (UnitStatus::Active, sc.distributor.pubkey())
    );
    assert_eq!(leaf(&loose[2]).status, UnitStatus::InTransit);
    assert_eq!(
        cus::fetch_unit(&h.ledger, &case).unwrap().unwrap().holder,
        sc.distributor.pubkey()
    );
    // The same file again: everything already done, the same shortage.
    let again = reconcile::receive_against(
        &h.ledger,
        &sc.distributor,
        &sc.distributor,
        &expected,
        false,
        &lines,
        &mut Quiet,
    )
    .unwrap();
    assert!(again
        .lines
        .iter()
        .all(|l| l.result.status == LineStatus::AlreadyDone));
    assert_eq!((again.received.len(), again.shortage.len()), (23, 1));
}

fn gs1(text: &str) -> caretrail_sdk::gs1::Gs1Code {
    caretrail_sdk::gs1::parse(text).unwrap()
}
