//! The custody story: lot, packages, a case, ship and receive, verification, a recall and a
//! counterfeit, the EPCIS history.

use super::Story;
use anyhow::{Context as _, Result};
use caretrail_sdk::custody::{self as cus, CustodyClient, ShipArgs, UnitKind};
use caretrail_sdk::registry as reg;
use caretrail_sdk::solana_sdk::signature::{Keypair, Signature, Signer};
use serde_json::{json, Value};

/// The element string a scanner would send for a package.
fn package_code(gtin: &str, expiry: &str, lot: &str, serial: &str) -> String {
    format!("]d201{gtin}17{expiry}10{lot}\u{1d}21{serial}")
}

/// Part 2 of the story (see the module docs).
pub(super) fn run(s: &mut Story) -> Result<Value> {
    let (ledger, entropy, payer, out) = (s.ledger, &s.entropy, s.fee_payer, s.out.as_path());
    let (steps, plaintext) = (&mut s.steps, &mut s.plaintext);
    let p = &s.parties;
    let (manufacturer, distributor, pharmacy) = (&p.manufacturer, &p.distributor, &p.pharmacy);
    let client = CustodyClient::new(ledger, payer);
    let mut step = |name: String, out: Signature| {
        steps.push(json!({ "step": name, "signature": out.to_string() }))
    };
    // The registry authority licenses the GS1 Company Prefixes of the product's GTIN and of the
    // manufacturer's SSCCs to it: custody accepts lots and cases only under a prefix the signer
    // holds. (On a ledger an earlier demo used, the licence moves to this run's manufacturer.)
    let registry = caretrail_sdk::registry::RegistryClient::new(ledger, payer);
    for prefix in ["9501101", "0614141"] {
        let seed = reg::parse_prefix(prefix)?;
        let address = reg::prefix_pda(&seed).0;
        match reg::fetch_owned::<reg::CompanyPrefix>(ledger, &address, &reg::PROGRAM_ID)? {
            Some(p) if p.holder == manufacturer.pubkey() => continue,
            Some(_) => step(
                format!("GS1 company prefix {prefix} taken back from an earlier manufacturer"),
                registry.revoke_prefix(payer, prefix)?.signature,
            ),
            None => {}
        }
        step(
            format!("GS1 company prefix {prefix} licensed to the manufacturer"),
            registry
                .assign_prefix(payer, prefix, &manufacturer.pubkey())?
                .signature,
        );
    }
    let gtin_text = "09501101020917";
    let gtin = cus::parse_gtin(gtin_text)?;
    let tag = entropy.tag("custody");
    let lot_number = format!("L{tag}");
    let serials: Vec<String> = (1..=4).map(|i| format!("SN{tag}{i:02}")).collect();
    step(
        format!("lot {lot_number} registered"),
        client
            .register_lot(
                manufacturer,
                cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
            )?
            .signature,
    );
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    let hashes = serials.iter().map(|s| cus::serial_hash(&gtin, s)).collect();
    step(
        "4 packages commissioned".into(),
        client.commission(manufacturer, &lot, hashes)?.signature,
    );
    let units: Vec<_> = serials.iter().map(|s| cus::unit_pda(&gtin, s).0).collect();

    // Pack three packages in a case and move the case in one hop.
    let serial_ref = u32::from_str_radix(&tag, 16).unwrap_or(1) % 1_000_000_000;
    let sscc_text = cus::complete_sscc(&format!("10614141{serial_ref:09}"))?;
    let sscc = cus::parse_sscc(&sscc_text)?;
    step(
        format!("case {sscc_text} created"),
        client
            .create_aggregate(manufacturer, sscc, UnitKind::Case)?
            .signature,
    );
    let case = cus::sscc_pda(&sscc).0;
    step(
        "3 packages packed into the case".into(),
        client
            .aggregate(manufacturer, &case, &units[..3])?
            .signature,
    );
    let ship_args = |asn: &str| ShipArgs {
        read_point: reg::parse_gln("0614141000012").expect("demo GLN"),
        shipment_ref: cus::shipment_ref(asn),
        is_return: false,
    };
    step(
        "case shipped to the distributor".into(),
        client
            .ship(
                manufacturer,
                &distributor.pubkey(),
                &case,
                ship_args(&format!("ASN-{tag}-1")),
            )?
            .signature,
    );
    // The manufacturer's shipment notice (EPCIS 1.2, what its trading partners expect), and
    // the distributor's dock receiving the case against it.
    let codes: Vec<String> = serials
        .iter()
        .map(|s| package_code(gtin_text, "271231", &lot_number, s))
        .collect();
    let receiving = receive_against_notice(
        out,
        ledger,
        (manufacturer, distributor, payer),
        &format!("ASN-{tag}-1"),
        &codes,
        &format!("(00){sscc_text}"),
    )?;
    step(
        "case received by the distributor against the manufacturer's shipment notice".into(),
        receiving.1,
    );
    let receiving = receiving.0;
    step(
        "case unpacked by the distributor".into(),
        client
            .disaggregate(distributor, &case, &units[..3])?
            .signature,
    );
    step(
        "package shipped to the pharmacy".into(),
        client
            .ship(
                distributor,
                &pharmacy.pubkey(),
                &units[0],
                ship_args(&format!("ASN-{tag}-2")),
            )?
            .signature,
    );
    step(
        "package received by the pharmacy".into(),
        client.receive(pharmacy, &units[0])?.signature,
    );

    // The fourth package, never shipped, is quarantined by its manufacturer pending an
    // investigation.
    step(
        "package quarantined by the manufacturer pending an investigation".into(),
        client.flag_suspect(manufacturer, &units[3], 1)?.signature,
    );

    // A cold-chain lot (2–8 °C): its package's logger shows 40 minutes at 11 °C on the way
    // to the distributor, and the receipt quarantines it on chain.
    let cold_lot_number = format!("C{tag}");
    let cold_serial = format!("CC{tag}01");
    step(
        format!("cold-chain lot {cold_lot_number} registered"),
        client
            .register_lot(
                manufacturer,
                cus::lot_args(&gtin, &cold_lot_number, (2027, 9, 30)),
            )?
            .signature,
    );
    let cold_lot = cus::lot_pda(&gtin, &cold_lot_number).0;
    step(
        "its storage condition set: 2 to 8 °C".into(),
        client
            .set_storage_condition(
                manufacturer,
                &cold_lot,
                cus::StorageConditionArgs {
                    min_centi_celsius: 200,
                    max_centi_celsius: 800,
                    tolerated_minutes: 0,
                },
            )?
            .signature,
    );
    step(
        "1 cold-chain package commissioned".into(),
        client
            .commission(
                manufacturer,
                &cold_lot,
                vec![cus::serial_hash(&gtin, &cold_serial)],
            )?
            .signature,
    );
    let cold_unit = cus::unit_pda(&gtin, &cold_serial).0;
    step(
        "cold-chain package shipped to the distributor".into(),
        client
            .ship(
                manufacturer,
                &distributor.pubkey(),
                &cold_unit,
                ship_args(&format!("ASN-{tag}-3")),
            )?
            .signature,
    );
    let logger_path = out.join("cold-chain.logger.csv");
    std::fs::write(&logger_path, COLD_CHAIN_LOG)
        .with_context(|| format!("writing {}", logger_path.display()))?;
    let readings = cus::cold_chain::read_logger_csv(COLD_CHAIN_LOG.as_bytes())?;
    let (_, summary) = cus::cold_chain::summary_for(ledger, &cold_unit, &readings)?;
    step(
        "cold-chain package received with its logger: excursion, quarantined at receipt".into(),
        client
            .receive_with_sensor(distributor, &cold_unit, &readings)?
            .signature,
    );
    let cold_state = cus::fetch_unit(ledger, &cold_unit)?.context("the cold-chain package")?;
    anyhow::ensure!(
        cold_state.status == cus::UnitStatus::Quarantined,
        "the excursion did not quarantine the package"
    );
    // The package's history with the logger's summary, for partners: EPCIS 2.0
    // `sensorElementList` and the 1.2 extension.
    let cold_code = caretrail_sdk::gs1::parse(&package_code(
        gtin_text,
        "270930",
        &cold_lot_number,
        &cold_serial,
    ))
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let cold_doc =
        caretrail_sdk::custody::epcis_export::unit_document(ledger, &cold_code, &master_data()?)?;
    let (cold_xml, cold_json) = (
        out.join("cold-chain.epcis.xml"),
        out.join("cold-chain.epcis.json"),
    );
    std::fs::write(&cold_xml, cold_doc.to_xml())
        .with_context(|| format!("writing {}", cold_xml.display()))?;
    std::fs::write(
        &cold_json,
        serde_json::to_string_pretty(&cold_doc.to_json_ld())?,
    )
    .with_context(|| format!("writing {}", cold_json.display()))?;
    let cold_chain = json!({
        "epcis_1_2": cold_xml.display().to_string(),
        "epcis_2_0": cold_json.display().to_string(),
        "lot": cold_lot.to_string(),
        "unit": cold_unit.to_string(),
        "logger": logger_path.display().to_string(),
        "summary": {
            "min_celsius": summary.min_centi_celsius as f64 / 100.0,
            "max_celsius": summary.max_centi_celsius as f64 / 100.0,
            "mean_celsius": summary.mean_centi_celsius as f64 / 100.0,
            "minutes_outside": summary.minutes_outside,
            "readings": summary.readings,
        },
        "status": cus::status_name(cold_state.status),
        "verification": cus::verify(ledger, &cold_code, None)?.name(),
    });

    // A recalled lot.
    let recalled_lot = format!("R{tag}");
    let recalled_serial = format!("RC{tag}01");
    step(
        format!("lot {recalled_lot} registered"),
        client
            .register_lot(
                manufacturer,
                cus::lot_args(&gtin, &recalled_lot, (2027, 6, 30)),
            )?
            .signature,
    );
    let rlot = cus::lot_pda(&gtin, &recalled_lot).0;
    step(
        "1 package commissioned".into(),
        client
            .commission(
                manufacturer,
                &rlot,
                vec![cus::serial_hash(&gtin, &recalled_serial)],
            )?
            .signature,
    );
    step(
        format!("lot {recalled_lot} recalled"),
        client.recall_lot(manufacturer, &rlot, 1)?.signature,
    );

    // The pharmacy scans: the genuine package, the recalled one, and a counterfeit.
    let counterfeit_serial = format!("FAKE{tag}");
    let scans = [
        (
            "genuine package",
            package_code(gtin_text, "271231", &lot_number, &serials[0]),
        ),
        (
            "package of the recalled lot",
            package_code(gtin_text, "270630", &recalled_lot, &recalled_serial),
        ),
        (
            "counterfeit (serial never commissioned)",
            package_code(gtin_text, "271231", &lot_number, &counterfeit_serial),
        ),
    ];
    let mut verifications = Vec::new();
    for (what, scanned) in &scans {
        let code = caretrail_sdk::gs1::parse(scanned).map_err(|e| anyhow::anyhow!("{e}"))?;
        let v = cus::verify(ledger, &code, Some(&pharmacy.pubkey()))?;
        verifications.push(json!({ "what": what, "result": v }));
    }
    step(
        "genuine package dispensed".into(),
        client.dispense(pharmacy, &units[0])?.signature,
    );

    // The case's shipment as the documents a trading partner expects, read back in.
    let shipment = export_shipment(
        out,
        ledger,
        &manufacturer.pubkey(),
        &format!("ASN-{tag}-1"),
        &codes,
    )?;

    let code = caretrail_sdk::gs1::parse(&scans[0].1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let epcis = caretrail_sdk::epcis::export_unit_history(ledger, &code)?;
    let epcis_path = out.join("unit-history.epcis.json");
    std::fs::write(&epcis_path, serde_json::to_string_pretty(&epcis)?)
        .with_context(|| format!("writing {}", epcis_path.display()))?;

    for s in serials
        .iter()
        .chain([&recalled_serial, &counterfeit_serial, &cold_serial])
    {
        plaintext.push(json!({ "kind": "serial", "value": s }));
    }
    for l in [&lot_number, &recalled_lot, &cold_lot_number] {
        plaintext.push(json!({ "kind": "lot", "value": l }));
    }
    Ok(json!({
        "gtin": gtin_text,
        "lot": lot.to_string(),
        "recalled_lot": rlot.to_string(),
        "case": { "sscc": sscc_text, "address": case.to_string() },
        "dispensed_unit": units[0].to_string(),
        "undispensed_unit": units[1].to_string(),
        "verifications": verifications,
        // What a partner's VRS request about each package answers (`caretrail serve
        // --vrs-for` the manufacturer; `custody verify CODE --vrs URL`).
        "vrs_checks": [
            { "what": "genuine package at the distributor", "expected": "genuine",
              "code": package_code(gtin_text, "271231", &lot_number, &serials[1]) },
            { "what": "package of the recalled lot", "expected": "lot_recalled",
              "code": package_code(gtin_text, "270630", &recalled_lot, &recalled_serial) },
            { "what": "quarantined package", "expected": "quarantined",
              "code": package_code(gtin_text, "271231", &lot_number, &serials[3]) },
            { "what": "counterfeit (serial never commissioned)", "expected": "unknown_serial",
              "code": package_code(gtin_text, "271231", &lot_number, &counterfeit_serial) },
            { "what": "dispensed package (not saleable again)", "expected": "not_verified",
              "code": package_code(gtin_text, "271231", &lot_number, &serials[0]) },
        ],
        "epcis": epcis_path.display().to_string(),
        "shipment": shipment,
        "receiving": receiving,
        "cold_chain": cold_chain,
    }))
}

/// The cold-chain package's temperature logger, every 10 minutes on the way to the
/// distributor: 40 minutes at 11 °C (the truck's cooling failed, then recovered).
pub const COLD_CHAIN_LOG: &str = "time,temperature_c\n\
2026-11-30T08:00:00Z,4.5\n\
2026-11-30T08:10:00Z,5.0\n\
2026-11-30T08:20:00Z,11.0\n\
2026-11-30T08:30:00Z,11.0\n\
2026-11-30T08:40:00Z,11.0\n\
2026-11-30T08:50:00Z,11.0\n\
2026-11-30T09:00:00Z,6.0\n\
2026-11-30T09:10:00Z,5.0\n";

/// The demo's product master and address book (what a manufacturer keeps off chain).
pub const PRODUCTS_CSV: &str = "gtin,company_prefix,ndc,name,dosage_form,strength,net_content,manufacturer\n\
09501101020917,9501101,50242-040-62,\"Insulin glargine injection, 100 units/mL\",INJECTION,100 units/mL,10 mL vial,Caretrail Demo Pharma\n";
pub const LOCATIONS_CSV: &str = "gln,company_prefix,name,street,city,state,postal_code,country\n\
0614141000012,0614141,Demo Pharma plant,1 Factory Road,Indianapolis,IN,46201,US\n\
0614141000029,0614141,Demo Distribution DC,200 Warehouse Way,Memphis,TN,38118,US\n\
0614141000036,0614141,Demo Pharmacy,5 Main Street,Springfield,IL,62701,US\n";

/// The demo's master data ([`PRODUCTS_CSV`], [`LOCATIONS_CSV`]).
pub(super) fn master_data() -> Result<caretrail_sdk::custody::master_data::MasterData> {
    let mut master = caretrail_sdk::custody::master_data::MasterData::default();
    master.add_products(PRODUCTS_CSV)?;
    master.add_locations(LOCATIONS_CSV)?;
    Ok(master)
}

/// The sender writes the shipment `reference` in transit as `shipment-notice.epcis.xml`; the
/// receiver scans `scan` (written to `receiving.scans.txt`) against it — what
/// `caretrail custody scan --receive --expect` does — and keeps the report
/// (`receiving.report.jsonl`). Everything must arrive as the notice says.
fn receive_against_notice(
    out: &std::path::Path,
    ledger: &dyn caretrail_sdk::Ledger,
    (sender, receiver, payer): (&Keypair, &Keypair, &Keypair),
    reference: &str,
    codes: &[String],
    scan: &str,
) -> Result<(Value, Signature)> {
    use caretrail_sdk::custody::epcis_export::{shipment_document, Codes};
    use caretrail_sdk::custody::reconcile::{receive_against, Expected};
    let codes = Codes::from_lines(&codes.join("\n"))?;
    let notice = shipment_document(ledger, &sender.pubkey(), reference, &codes, &master_data()?)?;
    let notice_path = out.join("shipment-notice.epcis.xml");
    let scans_path = out.join("receiving.scans.txt");
    let report_path = out.join("receiving.report.jsonl");
    std::fs::write(&notice_path, notice.to_xml())
        .with_context(|| format!("writing {}", notice_path.display()))?;
    std::fs::write(&scans_path, format!("{scan}\n"))
        .with_context(|| format!("writing {}", scans_path.display()))?;
    let doc = caretrail_sdk::custody::epcis_import::import(&std::fs::read(&notice_path)?)?;
    let expected = Expected::from_document(&doc)?;
    let lines = caretrail_sdk::scan::scan_lines(scan);
    let r = receive_against(
        ledger,
        receiver,
        payer,
        &expected,
        false,
        &lines,
        &mut caretrail_sdk::scan::Quiet,
    )?;
    let reports = r.reports();
    let mut jsonl = String::new();
    for rep in &reports {
        jsonl.push_str(&serde_json::to_string(rep)?);
        jsonl.push('\n');
    }
    std::fs::write(&report_path, jsonl)
        .with_context(|| format!("writing {}", report_path.display()))?;
    anyhow::ensure!(
        r.is_clean(),
        "receiving {reference} against its notice: {:?}",
        reports
    );
    let signature = r.lines[0]
        .result
        .signature
        .as_deref()
        .and_then(|s| s.parse().ok())
        .context("the receipt has no transaction")?;
    Ok((
        json!({
            "reference": reference,
            "notice": notice_path.display().to_string(),
            "scans": scans_path.display().to_string(),
            "report": report_path.display().to_string(),
            "summary": reports[0].summary,
        }),
        signature,
    ))
}

/// Writes the shipment `reference` as `shipment.epcis.xml` (1.2) and `shipment.epcis.json`
/// (2.0) with the demo's master data, imports both back and checks they name the same EPCs
/// and aggregation as the chain.
fn export_shipment(
    out: &std::path::Path,
    ledger: &dyn caretrail_sdk::Ledger,
    party: &caretrail_sdk::solana_sdk::pubkey::Pubkey,
    reference: &str,
    codes: &[String],
) -> Result<Value> {
    use caretrail_sdk::custody::epcis_export::{shipment_document, Codes};
    use caretrail_sdk::custody::epcis_import::{epc_code, import};
    let master = master_data()?;
    for (name, text) in [
        ("products.csv", PRODUCTS_CSV),
        ("locations.csv", LOCATIONS_CSV),
    ] {
        let path = out.join(name);
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    // The packages' codes as scanned (the chain keeps only hashes of their serials).
    let codes_path = out.join("shipment.codes.txt");
    std::fs::write(&codes_path, codes.join("\n") + "\n")
        .with_context(|| format!("writing {}", codes_path.display()))?;
    let codes = Codes::from_lines(&codes.join("\n"))?;
    let doc = shipment_document(ledger, party, reference, &codes, &master)?;
    let xml_path = out.join("shipment.epcis.xml");
    let json_path = out.join("shipment.epcis.json");
    std::fs::write(&xml_path, doc.to_xml())
        .with_context(|| format!("writing {}", xml_path.display()))?;
    std::fs::write(&json_path, serde_json::to_string_pretty(&doc.to_json_ld())?)
        .with_context(|| format!("writing {}", json_path.display()))?;
    // Read back: both documents name the same codes and the same case → packages.
    let as_codes = |epcs: &[String]| -> Result<std::collections::BTreeSet<String>> {
        epcs.iter()
            .map(|e| Ok(epc_code(e)?.to_json().to_string()))
            .collect()
    };
    let mut read = Vec::new();
    for path in [&xml_path, &json_path] {
        let back = import(&std::fs::read(path)?)?;
        let aggregation: Vec<(String, std::collections::BTreeSet<String>)> = back
            .aggregations
            .iter()
            .map(|(p, c)| Ok((epc_code(p)?.to_json().to_string(), as_codes(c)?)))
            .collect::<Result<_>>()?;
        read.push((as_codes(&back.epcs)?, aggregation, back.events.len()));
    }
    anyhow::ensure!(
        read[0] == read[1],
        "the 1.2 and 2.0 exports of {reference} read back differently"
    );
    Ok(json!({
        "reference": reference,
        "sender": party.to_string(),
        "codes": codes_path.display().to_string(),
        "epcis_1_2": xml_path.display().to_string(),
        "epcis_2_0": json_path.display().to_string(),
        "events": doc.events.len(),
        "epcs_read_back": read[0].0.len(),
        "aggregations_read_back": read[0].1.len(),
    }))
}
