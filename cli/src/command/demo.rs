//! `caretrail demo --out DIR`: the end-to-end story on a fresh ledger.
//!
//! This stage of the story: the registry authority registers a manufacturer, a distributor, a
//! pharmacy, a provider and a payer (GLNs, salted credential commitments). Everything clear
//! that the story used off chain (credential documents, salts) is listed under `plaintext` in
//! `DIR/story.json`, so anyone can check that none of it appears on the ledger.

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
    for (name, role, location) in PARTIES {
        let wallet = Keypair::new();
        let key_file = keys_dir.join(format!("{name}.json"));
        write_keypair(&wallet, &key_file)?;
        ledger.request_airdrop(&wallet.pubkey(), 10 * LAMPORTS_PER_SOL)?;
        let gln = gln_for(location)?;
        // The credential document stays off chain; only its salted commitment is registered.
        let document = format!(
            "caretrail demo credential: {name} licence {}",
            &wallet.pubkey().to_string()[..8]
        );
        let salt = caretrail_sdk::hash::random_salt();
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
    }

    let story = json!({
        "ledger": ledger.describe(),
        "registry": { "address": reg::config_pda().0.to_string(), "authority": authority.pubkey().to_string() },
        "parties": parties,
        "steps": steps,
        "plaintext": plaintext,
    });
    let story_path = args.out.join("story.json");
    std::fs::write(&story_path, serde_json::to_string_pretty(&story)?)
        .with_context(|| format!("writing {}", story_path.display()))?;

    let human = format!(
        "caretrail demo on {}\n\n{}\n\nregistry {} (authority {})\n{} transactions; story written to {}",
        ledger.describe(),
        table(&["party", "wallet", "GLN", "roles"], &rows),
        reg::config_pda().0,
        authority.pubkey(),
        steps.len(),
        story_path.display()
    );
    Ok(Output::new(story, human))
}
