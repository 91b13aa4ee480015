//! The custody history of a compressed package, read from its tree's events: the same history
//! and the same EPCIS events as its unit twin's (commissioned into a case, the case's hop,
//! unpacked, its own hop, dispensed), and shipment documents that list the packages a case
//! carries and the loose packages a shipment holds.

use super::packages::{cases_of_packages, serials};
use super::*;
use caretrail_sdk::custody::epcis_export::{self as export, Codes};
use caretrail_sdk::custody::master_data::MasterData;

/// The serial among `serials(n)` whose hash is `hash`.
fn serial_of(sc: &SupplyChain, n: usize, hash: &[u8; 32]) -> String {
    serials(n)
        .into_iter()
        .find(|s| cus::serial_hash(&sc.gtin, s) == *hash)
        .unwrap()
}

/// What an EPCIS event says, without the identifiers and times that differ between twins.
fn shape(doc: &serde_json::Value) -> Vec<serde_json::Value> {
    doc["epcisBody"]["eventList"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            serde_json::json!([
                e["type"],
                e["action"],
                e["bizStep"],
                e["disposition"],
                e["readPoint"],
                e["sourceList"],
                e["destinationList"],
                e["ilmd"]
            ])
        })
        .collect()
}

#[test]
fn a_compressed_package_has_the_history_and_epcis_events_of_its_unit_twin() {
    let h = Harness::new();
    let sc = h.supply_chain();
    // The unit twin: packed in a case, the case's hop, unpacked, its own hop, dispensed.
    let units = h.commission(&sc, &["H1", "H2"]);
    let c = sscc("7");
    h.custody()
        .create_aggregate(&sc.manufacturer, c, UnitKind::Case)
        .unwrap();
    let case = cus::sscc_pda(&c).0;
    h.custody()
        .aggregate(&sc.manufacturer, &case, &units)
        .unwrap();
    h.hop(&sc.manufacturer, &sc.distributor, &case);
    h.custody()
        .disaggregate(&sc.distributor, &case, &units)
        .unwrap();
    h.hop(&sc.distributor, &sc.pharmacy, &units[0]);
    h.custody().dispense(&sc.pharmacy, &units[0]).unwrap();
    // The compressed package: commissioned straight into a case, the same journey.
    let (tree, cases, contents) = cases_of_packages(&h, &sc, 1, 800);
    let p = contents[0][0];
    h.hop(&sc.manufacturer, &sc.distributor, &cases[0]);
    h.custody()
        .unpack_packages(&sc.distributor, &tree, &cases[0], &[p])
        .unwrap();
    h.custody()
        .ship_package(
            &sc.distributor,
            &tree,
            &p,
            &sc.pharmacy.pubkey(),
            &package_shipment(),
        )
        .unwrap();
    h.custody()
        .receive_package(&sc.pharmacy, &tree, &p)
        .unwrap();
    h.custody()
        .dispense_package(&sc.pharmacy, &tree, &p)
        .unwrap();
    let serial = serial_of(&sc, 20, &p);

    let names = |history: &[caretrail_sdk::epcis::HistoryEvent]| -> Vec<&'static str> {
        history
            .iter()
            .map(|e| CaretrailEvent::Custody(e.event.clone()).name())
            .collect()
    };
    let unit_history = caretrail_sdk::epcis::history_of(&h.ledger, &code("H1"))
        .unwrap()
        .unwrap();
    let package_history = caretrail_sdk::epcis::history_of(&h.ledger, &code(&serial))
        .unwrap()
        .unwrap();
    assert_eq!(names(&package_history), names(&unit_history));
    assert_eq!(
        names(&package_history),
        [
            "UnitsCommissioned",
            "Packed",
            "Shipped",
            "Received",
            "Unpacked",
            "Shipped",
            "Received",
            "Dispensed"
        ]
    );
    // The package stands under the address its code gives; the case's hop is via the case.
    let key = cus::address_of(&code(&serial)).unwrap();
    assert_eq!(key, caretrail_sdk::epcis::package_key(&p));
    assert_eq!(package_history[2].via, Some(cases[0]));
    assert!(matches!(&package_history[5].event,
        CustodyEvent::Shipped(s) if s.unit == key && s.from == sc.distributor.pubkey()));
    assert!(matches!(&package_history[6].event,
        CustodyEvent::Received(r) if r.unit == key && r.index == 0));
    // Nothing was commissioned under an unknown serial.
    assert!(caretrail_sdk::epcis::history_of(&h.ledger, &code("NEVER"))
        .unwrap()
        .is_none());

    // The EPCIS documents: the same events, the package named by its own code.
    let unit_doc = caretrail_sdk::epcis::export_unit_history(&h.ledger, &code("H1")).unwrap();
    let package_doc = caretrail_sdk::epcis::export_unit_history(&h.ledger, &code(&serial)).unwrap();
    assert_eq!(shape(&package_doc), shape(&unit_doc));
    let events = package_doc["epcisBody"]["eventList"].as_array().unwrap();
    assert_eq!(
        events[0]["epcList"][0],
        format!("https://id.gs1.org/01/{GTIN}/21/{serial}").as_str()
    );
    assert_eq!(events[7]["disposition"], "dispensed");
    // Both syntaxes of one document.
    let doc = export::unit_document(&h.ledger, &code(&serial), &MasterData::default()).unwrap();
    assert_eq!(doc.events.len(), 8);
    let urn = doc.epc_urn(&export::Epc::Sgtin {
        gtin: GTIN.to_string(),
        serial: serial.clone(),
    });
    assert!(urn.starts_with("urn:epc:id:sgtin:"), "{urn}");
    assert!(doc.to_xml().contains(&format!("<epc>{urn}</epc>")));
}

#[test]
fn a_shipment_document_lists_a_case_of_packages_and_loose_packages() {
    let h = Harness::new();
    let sc = h.supply_chain();
    let (tree, cases, contents) = cases_of_packages(&h, &sc, 2, 850);
    // Case 0 ships whole; case 1 is unpacked at the manufacturer and two of its packages ship
    // loose, under the same ASN.
    h.custody()
        .unpack_packages(&sc.manufacturer, &tree, &cases[1], &contents[1][..2])
        .unwrap();
    h.custody()
        .ship(
            &sc.manufacturer,
            &sc.distributor.pubkey(),
            &cases[0],
            ship_args(),
        )
        .unwrap();
    for p in &contents[1][..2] {
        h.custody()
            .ship_package(
                &sc.manufacturer,
                &tree,
                p,
                &sc.distributor.pubkey(),
                &package_shipment(),
            )
            .unwrap();
    }
    let named: Vec<String> = contents[0]
        .iter()
        .chain(&contents[1][..2])
        .map(|hash| serial_of(&sc, 40, hash))
        .collect();
    let lines: String = named
        .iter()
        .map(|s| format!("]d201{GTIN}17271231\u{1d}10{LOT}\u{1d}21{s}\n"))
        .collect();
    // Without the codes that name the packages the document is refused, listing them.
    let err = export::shipment_document(
        &h.ledger,
        &sc.manufacturer.pubkey(),
        "ASN-0001",
        &Codes::default(),
        &MasterData::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("22 unit(s) of shipment ASN-0001 are named by none"),
        "{err}"
    );
    let codes = Codes::from_lines(&lines).unwrap();
    let doc = export::shipment_document(
        &h.ledger,
        &sc.manufacturer.pubkey(),
        "ASN-0001",
        &codes,
        &MasterData::default(),
    )
    .unwrap();
    let sgtins = |e: &export::Event| {
        e.epcs
            .iter()
            .filter(|x| matches!(x, export::Epc::Sgtin { .. }))
            .count()
    };
    let steps: Vec<(&str, &str, usize)> = doc
        .events
        .iter()
        .map(|e| (e.kind, e.biz_step, sgtins(e)))
        .collect();
    // Commissioning of the 22 packages (one event per chain transaction: the case's 20, and
    // the two loose ones with the rest of their case), the case's 20 packed as they were born,
    // then the shipping of the case and of each loose package.
    let count = |step: &str| -> usize {
        steps
            .iter()
            .filter(|(_, s, _)| *s == step)
            .map(|(_, _, n)| n)
            .sum()
    };
    assert_eq!(count("commissioning"), 22, "{steps:?}");
    assert!(
        steps.contains(&("AggregationEvent", "packing", 20)),
        "{steps:?}"
    );
    let shipping: usize = steps
        .iter()
        .filter(|(_, step, _)| *step == "shipping")
        .map(|(_, _, n)| n)
        .sum();
    assert_eq!(
        shipping, 2,
        "the loose packages ship by themselves: {steps:?}"
    );
    let shipped_sscc = doc.events.iter().any(|e| {
        e.biz_step == "shipping" && e.epcs.iter().any(|x| matches!(x, export::Epc::Sscc(_)))
    });
    assert!(shipped_sscc, "the case ships: {steps:?}");
}
