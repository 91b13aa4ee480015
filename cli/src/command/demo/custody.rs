//! The custody story: lot, packages, a case, ship and receive, verification, a recall and a
//! counterfeit, the EPCIS history.

use super::Story;
use anyhow::{Context as _, Result};
use caretrail_sdk::custody::{self as cus, CustodyClient, ShipArgs, UnitKind};
use caretrail_sdk::registry as reg;
use caretrail_sdk::solana_sdk::signature::Signer;
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
    let mut step = |name: String, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
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
                registry.revoke_prefix(payer, prefix)?,
            ),
            None => {}
        }
        step(
            format!("GS1 company prefix {prefix} licensed to the manufacturer"),
            registry.assign_prefix(payer, prefix, &manufacturer.pubkey())?,
        );
    }
    let gtin_text = "09501101020917";
    let gtin = cus::parse_gtin(gtin_text)?;
    let tag = entropy.tag("custody");
    let lot_number = format!("L{tag}");
    let serials: Vec<String> = (1..=4).map(|i| format!("SN{tag}{i:02}")).collect();
    step(
        format!("lot {lot_number} registered"),
        client.register_lot(
            manufacturer,
            cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
        )?,
    );
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    let hashes = serials.iter().map(|s| cus::serial_hash(&gtin, s)).collect();
    step(
        "4 packages commissioned".into(),
        client.commission(manufacturer, &lot, hashes)?,
    );
    let units: Vec<_> = serials.iter().map(|s| cus::unit_pda(&gtin, s).0).collect();

    // Pack three packages in a case and move the case in one hop.
    let serial_ref = u32::from_str_radix(&tag, 16).unwrap_or(1) % 1_000_000_000;
    let sscc_text = cus::complete_sscc(&format!("10614141{serial_ref:09}"))?;
    let sscc = cus::parse_sscc(&sscc_text)?;
    step(
        format!("case {sscc_text} created"),
        client.create_aggregate(manufacturer, sscc, UnitKind::Case)?,
    );
    let case = cus::sscc_pda(&sscc).0;
    step(
        "3 packages packed into the case".into(),
        client.aggregate(manufacturer, &case, &units[..3])?,
    );
    let ship_args = |asn: &str| ShipArgs {
        read_point: reg::parse_gln("0614141000012").expect("demo GLN"),
        shipment_ref: cus::shipment_ref(asn),
        is_return: false,
    };
    step(
        "case shipped to the distributor".into(),
        client.ship(
            manufacturer,
            &distributor.pubkey(),
            &case,
            ship_args(&format!("ASN-{tag}-1")),
        )?,
    );
    step(
        "case received by the distributor".into(),
        client.receive(distributor, &case)?,
    );
    step(
        "case unpacked by the distributor".into(),
        client.disaggregate(distributor, &case, &units[..3])?,
    );
    step(
        "package shipped to the pharmacy".into(),
        client.ship(
            distributor,
            &pharmacy.pubkey(),
            &units[0],
            ship_args(&format!("ASN-{tag}-2")),
        )?,
    );
    step(
        "package received by the pharmacy".into(),
        client.receive(pharmacy, &units[0])?,
    );

    // A recalled lot.
    let recalled_lot = format!("R{tag}");
    let recalled_serial = format!("RC{tag}01");
    step(
        format!("lot {recalled_lot} registered"),
        client.register_lot(
            manufacturer,
            cus::lot_args(&gtin, &recalled_lot, (2027, 6, 30)),
        )?,
    );
    let rlot = cus::lot_pda(&gtin, &recalled_lot).0;
    step(
        "1 package commissioned".into(),
        client.commission(
            manufacturer,
            &rlot,
            vec![cus::serial_hash(&gtin, &recalled_serial)],
        )?,
    );
    step(
        format!("lot {recalled_lot} recalled"),
        client.recall_lot(manufacturer, &rlot, 1)?,
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
        client.dispense(pharmacy, &units[0])?,
    );

    let code = caretrail_sdk::gs1::parse(&scans[0].1).map_err(|e| anyhow::anyhow!("{e}"))?;
    let epcis = caretrail_sdk::epcis::export_unit_history(ledger, &code)?;
    let epcis_path = out.join("unit-history.epcis.json");
    std::fs::write(&epcis_path, serde_json::to_string_pretty(&epcis)?)
        .with_context(|| format!("writing {}", epcis_path.display()))?;

    for s in serials
        .iter()
        .chain([&recalled_serial, &counterfeit_serial])
    {
        plaintext.push(json!({ "kind": "serial", "value": s }));
    }
    for l in [&lot_number, &recalled_lot] {
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
        "epcis": epcis_path.display().to_string(),
    }))
}
