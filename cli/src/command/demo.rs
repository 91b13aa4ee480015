//! `caretrail demo --out DIR`: the end-to-end story on a fresh ledger.
//!
//! 1. Registry: the authority registers a manufacturer, a distributor, a pharmacy, a provider
//!    and a payer (GLNs, salted credential commitments).
//! 2. Custody: the manufacturer registers a lot and commissions packages, packs three in a case
//!    and ships it to the distributor, who unpacks it and ships one package to the pharmacy,
//!    which verifies and dispenses it. A second lot is recalled, and a counterfeit (a serial
//!    never commissioned) is caught at verification. `DIR/unit-history.epcis.json` is the
//!    dispensed package's history as an EPCIS 2.0 document.
//!
//! 3. Consent: a patient (a wallet of their own, signing with a key derived from it for each
//!    relationship: one for the provider, one for its coverage by the payer, see
//!    `caretrail_sdk::relationship`) grants the provider treatment access to their
//!    medications and allergies and the payer payment access; the provider records an access;
//!    the patient revokes the provider's grant and the provider's next access is denied.
//!    `DIR/consent.fhir.json` is the treatment grant as a FHIR R4 Consent.
//!
//! 4. Claims: the payer (an SPL Token vault) enrols the patient; the pharmacy bills for the
//!    package it dispensed, naming the unit and the patient's payment consent; the payer
//!    adjudicates and pays in tokens; a duplicate and a phantom claim (a package never
//!    dispensed) are rejected on chain. `DIR/claim-response.fhir.json` is the FHIR R4
//!    ClaimResponse of the paid claim.
//!
//! Everything clear that the story used off chain (serial numbers, lot numbers, credential
//! documents, salts) is listed under `plaintext` in `DIR/story.json`, so anyone can check that
//! none of it appears on the ledger.

use crate::context::{write_keypair, Context, GlobalArgs};
use crate::output::{table, Output};
use anyhow::{bail, Context as _, Result};
use caretrail_sdk::custody::{self as cus, CustodyClient, ShipArgs, UnitKind};
use caretrail_sdk::registry::{self as reg, roles, RegisterParticipantArgs, RegistryClient};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};
use clap::Args;
use serde_json::{json, Value};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Directory for the story's artifacts (story.json, keys/, and the embedded ledger itself
    /// under ledger/ unless --ledger is given).
    #[arg(long, default_value = "caretrail-demo")]
    pub out: PathBuf,
    /// Derive every key, salt, serial and identifier of the story from this seed instead of
    /// fresh randomness, so the same story can be told on two fresh ledgers (the embedded one
    /// and a cluster) and their exports compared. A seeded story runs once per ledger: its
    /// serials and claim ids are then taken. The seed is as secret as the keys it derives.
    #[arg(long, value_name = "TEXT")]
    pub seed: Option<String>,
}

/// Where the story's keys, salts and tags come from: fresh randomness, or the `--seed`.
struct Entropy {
    seed: Option<String>,
}

impl Entropy {
    /// 32 bytes for `label`: random, or sha256("caretrail demo" | seed | label).
    fn bytes(&self, label: &str) -> [u8; 32] {
        match &self.seed {
            None => caretrail_sdk::hash::random_salt(),
            Some(seed) => {
                caretrail_sdk::hash::sha256(&[b"caretrail demo", seed.as_bytes(), label.as_bytes()])
            }
        }
    }

    fn keypair(&self, label: &str) -> Keypair {
        match &self.seed {
            None => Keypair::new(),
            Some(_) => Keypair::new_from_array(self.bytes(&format!("keypair:{label}"))),
        }
    }

    fn salt(&self, label: &str) -> [u8; 32] {
        self.bytes(&format!("salt:{label}"))
    }

    /// A short tag (8 hex digits), so an unseeded story can run again on the same ledger.
    fn tag(&self, label: &str) -> String {
        caretrail_sdk::util::hex(&self.bytes(&format!("tag:{label}"))[..4]).to_uppercase()
    }
}

/// The parties of the story: name, roles, GLN location reference (company prefix 0614141).
const PARTIES: [(&str, u16, &str); 5] = [
    ("manufacturer", roles::MANUFACTURER, "00001"),
    ("distributor", roles::DISTRIBUTOR, "00002"),
    ("pharmacy", roles::DISPENSER, "00003"),
    ("provider", roles::PROVIDER, "00004"),
    ("payer", roles::PAYER, "00005"),
];

fn gln_for(location: &str) -> Result<String> {
    reg::complete_gln(&format!("0614141{location}")).map_err(anyhow::Error::msg)
}

pub fn execute(ctx: &Context, args: DemoArgs) -> Result<Output> {
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    // A fresh story: on the embedded ledger, a new ledger under --out unless --ledger is given.
    let mut global: GlobalArgs = ctx.args.clone();
    if ctx.is_embedded() && global.ledger.is_none() {
        let dir = args.out.join("ledger");
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .with_context(|| format!("removing the previous demo ledger {}", dir.display()))?;
        }
        global.ledger = Some(dir);
    }
    let ctx = Context::new(global)?;
    let entropy = Entropy { seed: args.seed };
    let ledger = ctx.ledger()?;
    let authority = ctx.signer()?;
    let client = RegistryClient::new(ledger, &authority);
    let mut steps: Vec<Value> = Vec::new();

    match reg::fetch_config(ledger)? {
        None => {
            let out = client.initialize(&authority)?;
            steps.push(json!({ "step": "registry initialized", "signature": out.signature.to_string() }));
        }
        Some(c) if c.authority == authority.pubkey() => {}
        Some(c) => bail!(
            "the registry on {} is administered by {}, not by {}; run the demo with that --keypair or on a fresh ledger",
            ledger.describe(),
            c.authority,
            authority.pubkey()
        ),
    }

    let keys_dir = args.out.join("keys");
    let now = ledger.get_clock()?.unix_timestamp;
    let mut parties = Vec::new();
    let mut plaintext = Vec::new();
    let mut rows = Vec::new();
    let mut wallets: Vec<Keypair> = Vec::new();
    for (name, role, location) in PARTIES {
        let wallet = entropy.keypair(name);
        let key_file = keys_dir.join(format!("{name}.json"));
        write_keypair(&wallet, &key_file)?;
        ledger.request_airdrop(&wallet.pubkey(), 10 * LAMPORTS_PER_SOL)?;
        let gln = gln_for(location)?;
        // The credential document stays off chain; only its salted commitment is registered.
        let document = format!(
            "caretrail demo credential: {name} licence {}",
            &wallet.pubkey().to_string()[..8]
        );
        let salt = entropy.salt(&format!("credential:{name}"));
        let commitment = caretrail_sdk::hash::commit(&salt, document.as_bytes());
        let out = client.register(
            &authority,
            RegisterParticipantArgs {
                wallet: wallet.pubkey(),
                roles: role,
                gln: reg::parse_gln(&gln).map_err(anyhow::Error::msg)?,
                credential_commitment: commitment,
                valid_until: now + 365 * 86_400,
            },
        )?;
        steps.push(
            json!({ "step": format!("{name} registered"), "signature": out.signature.to_string() }),
        );
        parties.push(json!({
            "name": name,
            "roles": reg::role_names(role),
            "wallet": wallet.pubkey().to_string(),
            "participant": reg::participant_pda(&wallet.pubkey()).0.to_string(),
            "gln": gln,
            "keypair": key_file.display().to_string(),
        }));
        plaintext.push(json!({ "kind": "credential_document", "party": name, "value": document }));
        plaintext.push(json!({ "kind": "credential_salt", "party": name, "value": caretrail_sdk::util::hex(&salt) }));
        rows.push(vec![
            name.to_string(),
            wallet.pubkey().to_string(),
            gln,
            reg::role_names(role).join(","),
        ]);
        wallets.push(wallet);
    }

    let custody = custody_story(
        ledger,
        &entropy,
        &authority,
        &wallets,
        &args.out,
        &mut steps,
        &mut plaintext,
    )?;
    let (consent, patient) = consent_story(
        ledger, &entropy, &authority, &wallets, &keys_dir, &args.out, &mut steps,
    )?;
    let claims = claims_story(
        ledger,
        &entropy,
        &authority,
        &wallets,
        &patient,
        &custody,
        &args.out,
        &mut steps,
        &mut plaintext,
    )?;

    let story = json!({
        "ledger": ledger.describe(),
        "registry": { "address": reg::config_pda().0.to_string(), "authority": authority.pubkey().to_string() },
        "parties": parties,
        "custody": custody,
        "consent": consent,
        "claims": claims,
        "steps": steps,
        "plaintext": plaintext,
    });
    let story_path = args.out.join("story.json");
    std::fs::write(&story_path, serde_json::to_string_pretty(&story)?)
        .with_context(|| format!("writing {}", story_path.display()))?;

    let verifications: Vec<Vec<String>> = story["custody"]["verifications"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| {
            vec![
                v["what"].as_str().unwrap_or("").to_string(),
                v["result"]["result"].as_str().unwrap_or("").to_string(),
            ]
        })
        .collect();
    let human = format!(
        "caretrail demo on {}\n\n{}\n\nregistry {} (authority {})\n\nverifications at the pharmacy:\n{}\n\n{} transactions; story written to {}, EPCIS history to {}",
        ledger.describe(),
        table(&["party", "wallet", "GLN", "roles"], &rows),
        reg::config_pda().0,
        authority.pubkey(),
        table(&["scanned", "result"], &verifications),
        steps.len(),
        story_path.display(),
        args.out.join("unit-history.epcis.json").display()
    );
    Ok(Output::new(story, human))
}

/// The element string a scanner would send for a package.
fn package_code(gtin: &str, expiry: &str, lot: &str, serial: &str) -> String {
    format!("]d201{gtin}17{expiry}10{lot}\u{1d}21{serial}")
}

/// Part 2 of the story (see the module docs).
fn custody_story(
    ledger: &dyn caretrail_sdk::Ledger,
    entropy: &Entropy,
    payer: &Keypair,
    wallets: &[Keypair],
    out: &std::path::Path,
    steps: &mut Vec<Value>,
    plaintext: &mut Vec<Value>,
) -> Result<Value> {
    let (manufacturer, distributor, pharmacy) = (&wallets[0], &wallets[1], &wallets[2]);
    let client = CustodyClient::new(ledger, payer);
    let mut step = |name: String, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
    };
    // The registry authority licenses the GS1 Company Prefixes of the product's GTIN and of the
    // manufacturer's SSCCs to it: custody accepts lots and cases only under a prefix the signer
    // holds. (On a ledger an earlier demo used, the licence moves to this run's manufacturer.)
    let registry = caretrail_sdk::registry::RegistryClient::new(ledger, payer);
    for prefix in ["9501101", "0614141"] {
        let seed = reg::parse_prefix(prefix).map_err(anyhow::Error::msg)?;
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
    let gtin = cus::parse_gtin(gtin_text).map_err(anyhow::Error::msg)?;
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
    let sscc_text =
        cus::complete_sscc(&format!("10614141{serial_ref:09}")).map_err(anyhow::Error::msg)?;
    let sscc = cus::parse_sscc(&sscc_text).map_err(anyhow::Error::msg)?;
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

/// Part 3 of the story (see the module docs).
fn consent_story(
    ledger: &dyn caretrail_sdk::Ledger,
    entropy: &Entropy,
    payer: &Keypair,
    wallets: &[Keypair],
    keys_dir: &std::path::Path,
    out: &std::path::Path,
    steps: &mut Vec<Value>,
) -> Result<(Value, Keypair)> {
    use caretrail_sdk::consent::{self as con, AccessArgs, GrantArgs};
    let (provider, payer_party) = (&wallets[3], &wallets[4]);
    let patient = entropy.keypair("patient");
    write_keypair(&patient, &keys_dir.join("patient.json"))?;
    ledger.request_airdrop(&patient.pubkey(), LAMPORTS_PER_SOL)?;
    let client = con::ConsentClient::new(ledger, payer);
    let mut step = |name: &str, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
    };
    let now = ledger.get_clock()?.unix_timestamp;
    let policy = caretrail_sdk::hash::sha256(&[b"caretrail demo consent form v1"]);
    let treatment = con::parse_scope("medications,allergies", "access,use", "TREAT")
        .map_err(anyhow::Error::msg)?;
    let payment =
        con::parse_scope("medications", "access", "HPAYMT").map_err(anyhow::Error::msg)?;
    // The patient signs with a key of its own for each relationship (derived from its wallet,
    // never stored; the registry authority sponsors fees and rent here, as a clinic would), so
    // public data does not join its treatment consent with its coverage or its drugs.
    use caretrail_sdk::relationship::{self, Relationship};
    let treatment_key = relationship::derive(
        &patient,
        &Relationship::Consent {
            grantee: provider.pubkey(),
        },
    );
    let payment_key = relationship::derive(
        &patient,
        &Relationship::Coverage {
            payer: payer_party.pubkey(),
        },
    );
    let p = treatment_key.pubkey();
    let tid = con::next_grant_id(ledger, &p, &provider.pubkey())?;
    step(
        "patient grants the provider treatment access",
        client.grant(
            &treatment_key,
            &p,
            &provider.pubkey(),
            tid,
            GrantArgs {
                scope: treatment,
                not_before: now,
                expires_at: now + 90 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let treatment_grant = con::grant_pda(&p, &provider.pubkey(), tid).0;
    let q = payment_key.pubkey();
    let pid = con::next_grant_id(ledger, &q, &payer_party.pubkey())?;
    step(
        "patient grants the payer payment access",
        client.grant(
            &payment_key,
            &q,
            &payer_party.pubkey(),
            pid,
            GrantArgs {
                scope: payment,
                not_before: now,
                expires_at: now + 365 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let medications = AccessArgs {
        class: con::class::MEDICATIONS,
        action: con::action::ACCESS,
        purpose: con::purpose::TREAT,
        resource_hash: caretrail_sdk::hash::sha256(&[b"medication list bundle"]),
    };
    step(
        "provider reads the medication list",
        client.record_access(provider, &treatment_grant, medications.clone())?,
    );
    let fhir_grant = con::fetch_grant(ledger, &treatment_grant)?
        .ok_or_else(|| anyhow::anyhow!("grant missing"))?;
    let consent_fhir = caretrail_sdk::fhir::consent_resource(
        &treatment_grant,
        &fhir_grant,
        ledger.get_clock()?.unix_timestamp,
    );
    let fhir_path = out.join("consent.fhir.json");
    std::fs::write(&fhir_path, serde_json::to_string_pretty(&consent_fhir)?)
        .with_context(|| format!("writing {}", fhir_path.display()))?;
    step(
        "patient revokes the provider's grant",
        client.revoke(&treatment_key, &treatment_grant)?,
    );
    let denied = match client.record_access(provider, &treatment_grant, medications) {
        Ok(_) => anyhow::bail!("an access after revocation was accepted"),
        Err(e) => caretrail_sdk::error::decode(&e)
            .map(|i| i.name)
            .unwrap_or_else(|| e.to_string()),
    };
    Ok((
        json!({
            "patient": p.to_string(),
            "patient_wallet": patient.pubkey().to_string(),
            "relationship_keys": {
                "treatment (provider)": p.to_string(),
                "coverage (payer)": q.to_string(),
            },
            "treatment_grant": treatment_grant.to_string(),
            "payment_grant": con::grant_pda(&q, &payer_party.pubkey(), pid).0.to_string(),
            "denied_access_after_revoke": denied,
            "fhir": fhir_path.display().to_string(),
        }),
        patient,
    ))
}

/// Part 4 of the story (see the module docs).
#[allow(clippy::too_many_arguments)]
fn claims_story(
    ledger: &dyn caretrail_sdk::Ledger,
    entropy: &Entropy,
    fee_payer: &Keypair,
    wallets: &[Keypair],
    patient: &Keypair,
    custody: &Value,
    out: &std::path::Path,
    steps: &mut Vec<Value>,
    plaintext: &mut Vec<Value>,
) -> Result<Value> {
    use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimsClient, EnrollArgs, PayerArgs};
    use caretrail_sdk::consent::{self as con, GrantArgs};
    use caretrail_sdk::tokens;
    use std::str::FromStr;
    let (pharmacy, insurer) = (&wallets[2], &wallets[4]);
    let client = ClaimsClient::new(ledger, fee_payer);
    let mut step = |name: &str, out: caretrail_sdk::TxOutcome| {
        steps.push(json!({ "step": name, "signature": out.signature.to_string() }))
    };
    let pk = |v: &Value| {
        caretrail_sdk::solana_sdk::pubkey::Pubkey::from_str(v.as_str().unwrap_or_default())
            .map_err(|_| anyhow::anyhow!("bad key in the custody story"))
    };
    let (dispensed, undispensed) = (
        pk(&custody["dispensed_unit"])?,
        pk(&custody["undispensed_unit"])?,
    );

    // The payer's money: a USD-cents mint, a funded vault.
    let mint = entropy.keypair("mint");
    step(
        "payer creates its USD-cents mint",
        tokens::create_mint(
            ledger,
            fee_payer,
            &mint,
            &tokens::TOKEN,
            &insurer.pubkey(),
            2,
        )?,
    );
    let insurer_token = tokens::create_ata(
        ledger,
        fee_payer,
        &insurer.pubkey(),
        &mint.pubkey(),
        &tokens::TOKEN,
    )?;
    step(
        "payer mints its float",
        tokens::mint_to(
            ledger,
            fee_payer,
            &tokens::TOKEN,
            &mint.pubkey(),
            &insurer_token,
            insurer,
            1_000_000,
        )?,
    );
    let args = PayerArgs {
        auto_approve_limit: 50_000,
        daily_limit: 500_000,
        appeal_window: 30 * 86_400,
        adjudicators: vec![],
    };
    step(
        "payer opens its claims vault",
        client.init_payer(insurer, &mint.pubkey(), &tokens::TOKEN, args)?,
    );
    let payer = clm::payer_pda(&insurer.pubkey()).0;
    step(
        "payer funds the vault",
        client.fund(&payer, insurer, &insurer_token, 500_000)?,
    );

    // Enrolment (patient and payer sign) and the patient's payment consent for the pharmacy.
    let now = ledger.get_clock()?.unix_timestamp;
    let member_id = format!("MBR-{}", entropy.tag("member"));
    let salt = entropy.salt("member");
    let commitment = caretrail_sdk::hash::commit(&salt, member_id.as_bytes());
    plaintext.push(json!({ "kind": "member_id", "value": member_id }));
    plaintext.push(json!({ "kind": "member_salt", "value": caretrail_sdk::util::hex(&salt) }));
    let enroll = EnrollArgs {
        member_commitment: commitment,
        period_start: now,
        period_end: now + 365 * 86_400,
        annual_max: 500_000,
        deductible: 0,
    };
    // The patient's key for this coverage (the claims program requires a claim's payment
    // consent to come from the same key as its coverage).
    let coverage_key = caretrail_sdk::relationship::derive(
        patient,
        &caretrail_sdk::relationship::Relationship::Coverage {
            payer: insurer.pubkey(),
        },
    );
    step(
        "patient enrols with the payer",
        client.enroll(insurer, &coverage_key, enroll)?,
    );
    let coverage = clm::coverage_pda(&payer, &commitment).0;
    let consent = con::ConsentClient::new(ledger, fee_payer);
    let scope =
        con::parse_scope("medications", "disclose", "HPAYMT").map_err(anyhow::Error::msg)?;
    let gid = con::next_grant_id(ledger, &coverage_key.pubkey(), &pharmacy.pubkey())?;
    let policy = caretrail_sdk::hash::sha256(&[b"caretrail demo payment consent v1"]);
    step(
        "patient lets the pharmacy disclose the dispense for payment",
        consent.grant(
            &coverage_key,
            &coverage_key.pubkey(),
            &pharmacy.pubkey(),
            gid,
            GrantArgs {
                scope,
                not_before: now,
                expires_at: now + 90 * 86_400,
                policy_hash: policy,
            },
        )?,
    );
    let grant = con::grant_pda(&coverage_key.pubkey(), &pharmacy.pubkey(), gid).0;

    // The pharmacy bills for the dispensed package; the payer adjudicates and pays.
    let claim_id = format!("RX-{}", entropy.tag("claim"));
    plaintext.push(json!({ "kind": "claim_id", "value": claim_id }));
    let document = caretrail_sdk::hash::sha256(&[claim_id.as_bytes(), b"NCPDP claim document"]);
    let refs = ClaimRefs {
        consent_grant: Some(grant),
        unit: Some(dispensed),
        replaces: None,
    };
    step(
        "pharmacy submits its claim",
        client.submit(
            pharmacy,
            &claim_id,
            &caretrail_sdk::claims::SubmitClaim {
                payer: &payer,
                coverage: &coverage,

                document_hash: document,
                billed: 4_250,
                refs: &refs,
            },
        )?,
    );
    let claim = clm::claim_address(&payer, pharmacy, &claim_id);
    step(
        "payer starts the review",
        client.start_review(insurer, &claim)?,
    );
    step(
        "payer approves",
        client.adjudicate(insurer, None, &claim, 4_250, 0)?,
    );
    let pharmacy_token = tokens::create_ata(
        ledger,
        fee_payer,
        &pharmacy.pubkey(),
        &mint.pubkey(),
        &tokens::TOKEN,
    )?;
    step(
        "payer pays the pharmacy in tokens",
        client.pay(insurer, &claim, &pharmacy_token)?,
    );

    // Fraud stopped on chain.
    let rejected = |r: caretrail_sdk::Result<caretrail_sdk::TxOutcome>| -> Result<String> {
        match r {
            Ok(_) => anyhow::bail!("a fraudulent claim was accepted"),
            Err(e) => Ok(caretrail_sdk::error::decode(&e)
                .map(|i| i.name)
                .unwrap_or_else(|| e.to_string())),
        }
    };
    let duplicate = rejected(client.submit(
        pharmacy,
        &claim_id,
        &caretrail_sdk::claims::SubmitClaim {
            payer: &payer,
            coverage: &coverage,

            document_hash: document,
            billed: 4_250,
            refs: &refs,
        },
    ))?;
    let phantom_refs = ClaimRefs {
        consent_grant: Some(grant),
        unit: Some(undispensed),
        replaces: None,
    };
    let phantom = rejected(client.submit(
        pharmacy,
        &format!("RX-{}", entropy.tag("phantom claim")),
        &caretrail_sdk::claims::SubmitClaim {
            payer: &payer,
            coverage: &coverage,

            document_hash: document,
            billed: 9_900,
            refs: &phantom_refs,
        },
    ))?;

    let c = clm::fetch_claim(ledger, &claim)?.ok_or_else(|| anyhow::anyhow!("claim missing"))?;
    let response = clm::claim_response(&claim, &c, "USD", ledger.get_clock()?.unix_timestamp);
    let path = out.join("claim-response.fhir.json");
    std::fs::write(&path, serde_json::to_string_pretty(&response)?)
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(json!({
        "payer": payer.to_string(),
        "mint": mint.pubkey().to_string(),
        "claim": claim.to_string(),
        "status": clm::status_name(c.status),
        "paid": c.paid,
        "pharmacy_balance": tokens::balance(ledger, &pharmacy_token)?,
        "duplicate_claim": duplicate,
        "phantom_claim": phantom,
        "fhir": path.display().to_string(),
    }))
}
