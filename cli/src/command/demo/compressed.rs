//! The custody story again on compressed packages (docs/SCALE.md): a lot's packages as leaves
//! of a package tree, three commissioned straight into a case. The case travels to the
//! distributor and is unpacked there, one package goes on to the pharmacy and is dispensed,
//! one is quarantined, and a second lot is recalled. Then every package of the unit story and
//! its compressed twin are verified side by side: the answers must be the same.

use super::Story;
use anyhow::{ensure, Context, Result};
use caretrail_sdk::custody::{self as cus, CustodyClient, UnitKind};
use caretrail_sdk::registry as reg;
use caretrail_sdk::solana_sdk::signature::{Signature, Signer};
use serde_json::{json, Value};

/// What a verification says, without the addresses that differ between the two designs.
fn outcome(v: &cus::Verification) -> Value {
    let mut j = serde_json::to_value(v).unwrap_or(Value::Null);
    if let Some(m) = j.as_object_mut() {
        m.remove("unit");
        m.remove("lot");
    }
    j
}

/// Part 2b of the story (see the module docs); `custody` is part 2's account of itself, whose
/// VRS checks name the unit story's packages in each state.
pub(super) fn run(s: &mut Story, custody: &Value) -> Result<Value> {
    let (ledger, entropy, payer) = (s.ledger, &s.entropy, s.fee_payer);
    let (steps, plaintext, dir) = (&mut s.steps, &mut s.plaintext, &s.out);
    let p = &s.parties;
    let (manufacturer, distributor, pharmacy) = (&p.manufacturer, &p.distributor, &p.pharmacy);
    let client = CustodyClient::new(ledger, payer);
    let mut step = |name: String, out: Signature| {
        steps.push(json!({ "step": name, "signature": out.to_string() }))
    };
    let gtin_text = "09501101020917";
    let gtin = cus::parse_gtin(gtin_text)?;
    let tag = entropy.tag("compressed");
    let lot_number = format!("K{tag}");
    step(
        format!("lot {lot_number} registered for compressed packages"),
        client
            .register_lot(
                manufacturer,
                cus::lot_args(&gtin, &lot_number, (2027, 12, 31)),
            )?
            .signature,
    );
    let lot = cus::lot_pda(&gtin, &lot_number).0;
    let (tree, out) =
        client.create_package_tree_at(manufacturer, &lot, &entropy.keypair("package-tree"))?;
    step(
        format!("package tree {tree} created for the lot (16,384 packages)"),
        out.signature,
    );
    // A tree takes serial hashes in ascending order: the first three in the case, the fourth
    // loose.
    let mut packages: Vec<(String, [u8; 32])> = (1..=4)
        .map(|i| {
            let serial = format!("PK{tag}{i:02}");
            let hash = cus::serial_hash(&gtin, &serial);
            (serial, hash)
        })
        .collect();
    packages.sort_by_key(|(_, h)| *h);
    let hashes: Vec<[u8; 32]> = packages.iter().map(|(_, h)| *h).collect();
    let serial_ref = u32::from_str_radix(&tag, 16).unwrap_or(1) % 1_000_000_000;
    let sscc_text = cus::complete_sscc(&format!("20614141{serial_ref:09}"))?;
    let sscc = cus::parse_sscc(&sscc_text)?;
    step(
        format!("case {sscc_text} created"),
        client
            .create_aggregate(manufacturer, sscc, UnitKind::Case)?
            .signature,
    );
    let case = cus::sscc_pda(&sscc).0;
    for out in client.commission_packages(manufacturer, &tree, Some(&case), hashes[..3].to_vec())? {
        step(
            "3 packages commissioned straight into the case".into(),
            out.signature,
        );
    }
    for out in client.commission_packages(manufacturer, &tree, None, hashes[3..].to_vec())? {
        step("1 loose package commissioned".into(), out.signature);
    }
    let ship_args = cus::ShipArgs {
        read_point: reg::parse_gln("0614141000012")?,
        shipment_ref: cus::shipment_ref(&format!("ASN-{tag}-K1")),
        is_return: false,
    };
    step(
        "case shipped to the distributor".into(),
        client
            .ship(
                manufacturer,
                &distributor.pubkey(),
                &case,
                ship_args.clone(),
            )?
            .signature,
    );
    step(
        "case received by the distributor (its hop closed, the rent back to its payer)".into(),
        client.receive(distributor, &case)?.signature,
    );
    for out in client.unpack_packages(distributor, &tree, &case, &hashes[..3])? {
        step(
            "packages unpacked by the distributor, with their proofs".into(),
            out.signature,
        );
    }
    step(
        "the emptied case closed, its rent back to the manufacturer".into(),
        client.close_aggregate(distributor, sscc)?.signature,
    );
    let shipment = cus::PackageShipment {
        read_point: ship_args.read_point,
        shipment_ref: cus::shipment_ref(&format!("ASN-{tag}-K2")),
        is_return: false,
    };
    step(
        "package shipped to the pharmacy with its proof".into(),
        client
            .ship_package(
                distributor,
                &tree,
                &hashes[0],
                &pharmacy.pubkey(),
                &shipment,
            )?
            .signature,
    );
    step(
        "package received by the pharmacy".into(),
        client
            .receive_package(pharmacy, &tree, &hashes[0])?
            .signature,
    );
    step(
        "package dispensed".into(),
        client
            .dispense_package(pharmacy, &tree, &hashes[0])?
            .signature,
    );
    step(
        "loose package quarantined by the manufacturer pending an investigation".into(),
        client
            .flag_package(manufacturer, &tree, &hashes[3], 1)?
            .signature,
    );
    // A recalled lot of compressed packages.
    let recalled_lot = format!("Q{tag}");
    let recalled_serial = format!("QK{tag}01");
    step(
        format!("lot {recalled_lot} registered for compressed packages"),
        client
            .register_lot(
                manufacturer,
                cus::lot_args(&gtin, &recalled_lot, (2027, 6, 30)),
            )?
            .signature,
    );
    let rlot = cus::lot_pda(&gtin, &recalled_lot).0;
    let (rtree, out) = client.create_package_tree_at(
        manufacturer,
        &rlot,
        &entropy.keypair("package-tree-recalled"),
    )?;
    step("its package tree created".into(), out.signature);
    for out in client.commission_packages(
        manufacturer,
        &rtree,
        None,
        vec![cus::serial_hash(&gtin, &recalled_serial)],
    )? {
        step("1 package commissioned".into(), out.signature);
    }
    step(
        format!("lot {recalled_lot} recalled"),
        client.recall_lot(manufacturer, &rlot, 1)?.signature,
    );

    // The unit story's packages (its VRS checks name one in each state) against their twins.
    let code = |lot: &str, serial: &str, expiry: &str| {
        format!("]d201{gtin_text}17{expiry}10{lot}\u{1d}21{serial}")
    };
    let unit_code = |what: &str| -> Result<String> {
        custody["vrs_checks"]
            .as_array()
            .and_then(|a| a.iter().find(|c| c["what"] == what))
            .and_then(|c| c["code"].as_str())
            .map(str::to_string)
            .ok_or_else(|| anyhow::anyhow!("the custody story has no {what:?} check"))
    };
    let held = unit_code("genuine package at the distributor")?;
    let pairs = [
        (
            "held by the distributor",
            held.clone(),
            code(&lot_number, &packages[1].0, "271231"),
        ),
        (
            "label with another expiry",
            held.replace("17271231", "17281231"),
            code(&lot_number, &packages[1].0, "281231"),
        ),
        (
            "dispensed",
            unit_code("dispensed package (not saleable again)")?,
            code(&lot_number, &packages[0].0, "271231"),
        ),
        (
            "quarantined",
            unit_code("quarantined package")?,
            code(&lot_number, &packages[3].0, "271231"),
        ),
        (
            "of a recalled lot",
            unit_code("package of the recalled lot")?,
            code(&recalled_lot, &recalled_serial, "270630"),
        ),
        (
            "counterfeit (serial never commissioned)",
            unit_code("counterfeit (serial never commissioned)")?,
            code(&lot_number, &format!("FAKE{tag}"), "271231"),
        ),
    ];
    let mut agreement = Vec::new();
    for (what, unit, package) in &pairs {
        let verify = |scanned: &str| -> Result<cus::Verification> {
            let c = caretrail_sdk::gs1::parse(scanned).map_err(|e| anyhow::anyhow!("{e}"))?;
            Ok(cus::verify(ledger, &c, None)?)
        };
        let (a, b) = (verify(unit)?, verify(package)?);
        let agree = outcome(&a) == outcome(&b);
        ensure!(
            agree,
            "verification disagrees on the package {what}: unit {a:?}, compressed {b:?}"
        );
        agreement.push(json!({
            "what": what,
            "unit": a.name(),
            "compressed": b.name(),
            "agree": agree,
        }));
    }
    // The dispensed package's history for partners, read from its tree's events: the same
    // EPCIS events a unit's history gives (commissioning and packing, the case's hop,
    // unpacking, its own hop, dispensing).
    let dispensed = caretrail_sdk::gs1::parse(&code(&lot_number, &packages[0].0, "271231"))
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let doc =
        cus::epcis_export::unit_document(ledger, &dispensed, &super::custody::master_data()?)?;
    let (xml, jsonld) = (
        dir.join("compressed-package.epcis.xml"),
        dir.join("compressed-package.epcis.json"),
    );
    std::fs::write(&xml, doc.to_xml()).with_context(|| format!("writing {}", xml.display()))?;
    std::fs::write(&jsonld, serde_json::to_string_pretty(&doc.to_json_ld())?)
        .with_context(|| format!("writing {}", jsonld.display()))?;
    let biz_steps: Vec<&str> = doc.events.iter().map(|e| e.biz_step).collect();
    let index = cus::PackageTreeIndex::sync(ledger, &tree)?;
    let rent = ledger
        .get_account(&tree)?
        .map(|a| a.lamports)
        .unwrap_or_default();
    for (serial, _) in &packages {
        plaintext.push(json!({ "kind": "serial", "value": serial }));
    }
    plaintext.push(json!({ "kind": "serial", "value": recalled_serial }));
    plaintext.push(json!({ "kind": "serial", "value": format!("FAKE{tag}") }));
    for l in [&lot_number, &recalled_lot] {
        plaintext.push(json!({ "kind": "lot", "value": l }));
    }
    Ok(json!({
        "lot": lot.to_string(),
        "tree": tree.to_string(),
        "packages": index.len(),
        "tree_rent_lamports": rent,
        "recalled_lot": rlot.to_string(),
        "case": { "sscc": sscc_text, "address": case.to_string(), "closed": true },
        "verification_agrees_with_units": agreement,
        "dispensed_package_history": {
            "epcis_1_2": xml.display().to_string(),
            "epcis_2_0": jsonld.display().to_string(),
            "biz_steps": biz_steps,
        },
    }))
}
