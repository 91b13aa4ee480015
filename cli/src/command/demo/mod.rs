//! `caretrail demo --out DIR`: the end-to-end story on a fresh ledger.
//!
//! 1. Registry: the authority registers a manufacturer, a distributor, a pharmacy, a provider
//!    and a payer (GLNs, salted credential commitments).
//! 2. Custody: the manufacturer registers a lot and commissions packages, packs three in a case
//!    and ships it to the distributor, who unpacks it and ships one package to the pharmacy,
//!    which verifies and dispenses it. A second lot is recalled, and a counterfeit (a serial
//!    never commissioned) is caught at verification. `DIR/unit-history.epcis.json` is the
//!    dispensed package's history as an EPCIS 2.0 document; the case's shipment is written as
//!    EPCIS 1.2 XML and 2.0 JSON-LD (`DIR/shipment.epcis.xml`, `DIR/shipment.epcis.json`,
//!    with the product master and address book beside them) and read back.
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
//! 5. Records: the provider anchors the patient's medication list (`DIR/medication-list.v1.json`,
//!    its proof beside it) and a correction that supersedes it on chain (`…v2.json`); both
//!    are verified (v1 superseded by v2, v2 current, an altered copy refused); the payer's
//!    access under its payment consent names the anchored v2; `DIR/provenance.fhir.json` is
//!    the correction's FHIR R4 Provenance.
//!
//! 6. Trials: a sponsor registers a trial with its documents' hashes (`DIR/trial/`), its
//!    investigator enrols the patient (a research consent from the patient's key for that
//!    trial) and two volunteers, the data is locked and the results registered: the audit is
//!    clean. A second trial switches its primary outcome after an interim lock and reports
//!    against it: the audit flags both.
//!
//! Everything clear that the story used off chain (serial numbers, lot numbers, credential
//! documents, salts) is listed under `plaintext` in `DIR/story.json`, so anyone can check that
//! none of it appears on the ledger.

mod claims;
mod compressed;
mod consent;
mod custody;
mod records;
mod trials;

use crate::context::{write_keypair, Context, GlobalArgs};
use crate::output::{table, Output};
use anyhow::{bail, Context as _, Result};
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
    /// Write into --out even when it is not empty (the previous story's files are replaced).
    #[arg(long)]
    pub force: bool,
    /// After the story, leave a new pending request from the provider and keep `caretrail
    /// serve` up on the demo's ledger (a clinic key sponsoring fees), so the patient's side can
    /// be clicked through in the portal; Ctrl-C stops it.
    #[arg(long)]
    pub serve: bool,
    /// Where `--serve` listens.
    #[arg(
        long,
        default_value = "127.0.0.1:7878",
        requires = "serve",
        value_name = "ADDR"
    )]
    pub bind: std::net::SocketAddr,
}

/// Where the story's keys, salts and tags come from: fresh randomness, or the `--seed`.
pub(super) struct Entropy {
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

/// The parties of the story, in the order of [`PARTIES`].
pub(super) struct Parties {
    pub manufacturer: Keypair,
    pub distributor: Keypair,
    pub pharmacy: Keypair,
    pub provider: Keypair,
    pub payer: Keypair,
    pub sponsor: Keypair,
    pub investigator: Keypair,
}

/// What the three stories share: the ledger, where keys and artifacts go, the parties, and
/// the record of steps and of every clear value used off chain.
pub(super) struct Story<'a> {
    pub ledger: &'a dyn caretrail_sdk::Ledger,
    pub entropy: Entropy,
    /// The registry authority, who sponsors fees and rent (as a clinic would).
    pub fee_payer: &'a Keypair,
    pub parties: Parties,
    pub out: PathBuf,
    pub keys_dir: PathBuf,
    pub steps: Vec<Value>,
    pub plaintext: Vec<Value>,
}

/// The parties of the story: name, roles, GLN location reference (company prefix 0614141).
const PARTIES: [(&str, u16, &str); 7] = [
    ("manufacturer", roles::MANUFACTURER, "00001"),
    ("distributor", roles::DISTRIBUTOR, "00002"),
    ("pharmacy", roles::DISPENSER, "00003"),
    ("provider", roles::PROVIDER, "00004"),
    ("payer", roles::PAYER, "00005"),
    ("sponsor", roles::SPONSOR, "00006"),
    ("investigator", roles::RESEARCHER, "00007"),
];

fn gln_for(location: &str) -> Result<String> {
    Ok(reg::complete_gln(&format!("0614141{location}"))?)
}

pub fn execute(ctx: &Context, args: DemoArgs) -> Result<Output> {
    let occupied = std::fs::read_dir(&args.out).is_ok_and(|mut d| d.next().is_some());
    if occupied && !args.force {
        bail!(
            "{} is not empty; the demo writes a new story there only with --force (or give another --out)",
            args.out.display()
        );
    }
    if !ctx.is_embedded() && ctx.args.keypair.is_none() {
        bail!(
            "on a cluster the demo's registry authority is the registry program's upgrade authority: name its key with --keypair (the demo never takes your Solana CLI key by default)"
        );
    }
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
    let entropy = Entropy {
        seed: args.seed.clone(),
    };
    // The registry authority is the --keypair when one is named (on a cluster it must be: the
    // program's upgrade authority); otherwise a key of the story's own, never the user's
    // default wallet.
    let keys_dir = args.out.join("keys");
    if ctx.is_embedded() && ctx.args.keypair.is_none() {
        let key = keys_dir.join("authority.json");
        write_keypair(&entropy.keypair("authority"), &key)?;
        global.keypair = Some(key);
    }
    let mut ctx = Context::new(global)?;
    ctx.starts_a_ledger = true;
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
                gln: reg::parse_gln(&gln)?,
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

    let mut wallets = wallets.into_iter();
    let mut next = || wallets.next().expect("one wallet per party");
    let mut story = Story {
        ledger,
        entropy,
        fee_payer: &authority,
        parties: Parties {
            manufacturer: next(),
            distributor: next(),
            pharmacy: next(),
            provider: next(),
            payer: next(),
            sponsor: next(),
            investigator: next(),
        },
        out: args.out.clone(),
        keys_dir: keys_dir.clone(),
        steps,
        plaintext,
    };
    let custody = custody::run(&mut story)?;
    let compressed = compressed::run(&mut story, &custody)?;
    let (consent, patient) = consent::run(&mut story)?;
    let claims = claims::run(&mut story, &patient, &custody)?;
    let payment_grant: caretrail_sdk::solana_sdk::pubkey::Pubkey = consent["payment_grant"]
        .as_str()
        .and_then(|g| g.parse().ok())
        .context("the consent story's payment grant")?;
    let records = records::run(&mut story, &payment_grant)?;
    let trials = trials::run(&mut story, &patient)?;
    let Story {
        steps,
        plaintext,
        parties: cast,
        ..
    } = story;

    let story = json!({
        "ledger": ledger.describe(),
        "registry": { "address": reg::config_pda().0.to_string(), "authority": authority.pubkey().to_string() },
        "parties": parties,
        "custody": custody,
        "compressed": compressed,
        "consent": consent,
        "claims": claims,
        "records": records,
        "trials": trials,
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
    let c = &story["consent"];
    let consent_lines = format!(
        "the patient (its own wallet, a relationship key per counterparty) granted the provider treatment access {} and the payer payment access {}; the provider recorded an access; the patient revoked the treatment grant, and the provider's next access was refused ({})",
        c["treatment_grant"].as_str().unwrap_or("?"),
        c["payment_grant"].as_str().unwrap_or("?"),
        c["denied_access_after_revoke"].as_str().unwrap_or("?"),
    );
    let k = &story["claims"];
    let paid = k["paid"].as_u64().unwrap_or(0);
    let claims_lines = format!(
        "the pharmacy billed the package it dispensed, naming the unit and the payment consent: claim {} {}, {} USD ({paid} cents of the payer's mint) paid into the pharmacy's token account; a duplicate claim was refused ({}) and so was a claim for a package never dispensed ({})",
        k["claim"].as_str().unwrap_or("?"),
        k["status"].as_str().unwrap_or("?"),
        caretrail_sdk::tokens::ui_amount(paid, 2),
        k["duplicate_claim"].as_str().unwrap_or("?"),
        k["phantom_claim"].as_str().unwrap_or("?"),
    );
    let r = &story["records"];
    let records_lines = format!(
        "the provider anchored the medication list and a correction that superseded it; v1 verifies {}, v2 {}, an altered copy {}; the payer's access named the anchored v2",
        r["v1"]["verification"]["status"].as_str().unwrap_or("?"),
        r["v2"]["verification"]["status"].as_str().unwrap_or("?"),
        r["altered_copy"].as_str().unwrap_or("?"),
    );
    let agreeing = story["compressed"]["verification_agrees_with_units"]
        .as_array()
        .map(|a| a.iter().filter(|x| x["agree"] == true).count())
        .unwrap_or(0);
    let compressed_lines = format!(
        "the same story on compressed packages (leaves of package tree {}, {} lamports of rent for 16,384 packages): a case commissioned full, shipped, unpacked and closed, a package dispensed, one quarantined, a lot recalled; verification agrees with the unit design on {agreeing} of {} packages",
        story["compressed"]["tree"].as_str().unwrap_or("?"),
        story["compressed"]["tree_rent_lamports"],
        story["compressed"]["verification_agrees_with_units"]
            .as_array()
            .map_or(0, Vec::len),
    );
    let t = &story["trials"];
    let findings = |v: &Value| -> String {
        let f: Vec<&str> = v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x.as_str())
            .collect();
        if f.is_empty() {
            "clean".into()
        } else {
            f.join(", ")
        }
    };
    let trials_lines = format!(
        "trial {} (3 enrolled by research consent, data locked, results on the registered outcome): audit {}; trial {} (primary outcome switched after its interim lock): audit {}",
        t["clean"]["trial"].as_str().unwrap_or("?"),
        findings(&t["clean"]),
        t["switched"]["trial"].as_str().unwrap_or("?"),
        findings(&t["switched"]),
    );
    let human = format!(
        "caretrail demo on {}\n\n{}\n\nregistry {} (authority {})\n\ncustody: lot, packages, a case shipped manufacturer → distributor → pharmacy; the pharmacy's verifications:\n{}\n\ncompressed: {compressed_lines}\n\nconsent: {consent_lines}\n\nclaims: {claims_lines}\n\nrecords: {records_lines}\n\ntrials: {trials_lines}\n\n{} transactions; story written to {}, EPCIS history to {}, FHIR Consent, ClaimResponse and Provenance beside it",
        ledger.describe(),
        table(&["party", "wallet", "GLN", "roles"], &rows),
        reg::config_pda().0,
        authority.pubkey(),
        table(&["scanned", "result"], &verifications),
        steps.len(),
        story_path.display(),
        args.out.join("unit-history.epcis.json").display()
    );
    let out = Output::new(story, human);
    if !args.serve {
        return Ok(out);
    }
    out.print(ctx.args.output);
    serve(&ctx, &args, &keys_dir, &patient, &cast.provider)
}

/// `demo --serve`: a pending request for the patient's treatment key, its desk QR code, and
/// the server on the demo's ledger with a clinic key as sponsor.
fn serve(
    ctx: &Context,
    args: &DemoArgs,
    keys_dir: &std::path::Path,
    patient: &Keypair,
    provider: &Keypair,
) -> Result<Output> {
    use caretrail_sdk::consent as con;
    use caretrail_sdk::relationship::{self, Relationship};
    let ledger = ctx.ledger()?;
    let treatment_key = relationship::derive(
        patient,
        &Relationship::Consent {
            grantee: provider.pubkey(),
        },
    );
    let key_file = keys_dir.join("patient-treatment-key.json");
    write_keypair(&treatment_key, &key_file)?;
    let now = ledger.get_clock()?.unix_timestamp;
    let id = con::next_grant_id(ledger, &treatment_key.pubkey(), &provider.pubkey())?;
    con::ConsentClient::new(ledger, provider).request(
        provider,
        &treatment_key.pubkey(),
        id,
        con::GrantArgs {
            scope: con::parse_scope("medications,labs", "access", "TREAT")?,
            not_before: now,
            expires_at: now + 30 * 86_400,
            policy_hash: caretrail_sdk::hash::sha256(&[b"caretrail demo request"]),
        },
    )?;
    let pending = con::grant_pda(&treatment_key.pubkey(), &provider.pubkey(), id).0;
    let clinic = Keypair::new();
    let clinic_file = keys_dir.join("clinic-sponsor.json");
    write_keypair(&clinic, &clinic_file)?;
    ledger.request_airdrop(&clinic.pubkey(), 10 * LAMPORTS_PER_SOL)?;
    let base = format!("http://{}", args.bind);
    let link = caretrail_serve::qr::decision_link(&base, "approve", &pending);
    let url = caretrail_serve::qr::solana_pay_url(&link);
    let (png, _) = caretrail_serve::qr::write(&args.out.join("desk-qr.png"), &url)
        .map_err(anyhow::Error::msg)?;
    crate::output::emit(&format!(
        "\nthe provider asked the patient again ({pending}); the patient's side, in a browser:\n  {base}/portal?patient={p}  (read only)\nto decide, import {key} (the patient's treatment key) into a wallet and connect it; the desk's QR code for the request is {png}; fees are sponsored by {clinic}\n",
        p = treatment_key.pubkey(),
        key = key_file.display(),
        png = png.display(),
        clinic = clinic.pubkey(),
    ));
    crate::command::serve::ServeArgs {
        bind: args.bind,
        sponsor: None,
        public_url: None,
        rate_limit: 6_000,
        body_limit: 64 * 1024,
        sponsored_rent_per_day: 10,
        quiet: false,
        identifiers: None,
        vrs_for: None,
        vrs_log: "caretrail-vrs.jsonl".into(),
    }
    .run(ctx.shared_ledger()?, Some(clinic))
}

impl crate::command::Execute for DemoArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        execute(ctx, self)
    }
}
