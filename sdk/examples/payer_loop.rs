//! An insurer's claims loop on caretrail, as a service would run it: watch the payer's inbox,
//! adjudicate each submitted claim by a simple rule, pay the approved ones in the payer's SPL
//! token, acknowledge what arrived (277CA) and remit what was settled (835).
//!
//! It links only the light SDK (RPC backend, builders, decoding, X12): no embedded bank.
//!
//! ```sh
//! cargo run -p caretrail-sdk --example payer_loop -- \
//!     --url http://127.0.0.1:8899 --keypair payer.json --provider PROVIDER \
//!     --received claims.837 --members members.csv --parties parties.json \
//!     --approve-up-to 10000 --out-dir remits/ [--once]
//! ```
//!
//! Rule: a claim billed at most `--approve-up-to` cents is approved in full (the program
//! applies the coverage's deductible and maximum), anything above it is denied with CARC 119
//! (benefit maximum for this time period has been reached). Each pass writes
//! `remits/<time>.835` and `remits/<time>.277` and prints one JSON line; `--once` stops after
//! one pass, otherwise the loop polls every `--every` seconds.

use caretrail_sdk::claims::{self as clm, ClaimStatus, ClaimsClient};
use caretrail_sdk::solana_sdk::pubkey::Pubkey;
use caretrail_sdk::solana_sdk::signature::{Keypair, Signer};
use caretrail_sdk::{Ledger, RpcLedger};
use std::path::PathBuf;

struct Args {
    url: String,
    keypair: PathBuf,
    provider: Pubkey,
    received: Vec<PathBuf>,
    members: PathBuf,
    parties: PathBuf,
    approve_up_to: u64,
    out_dir: PathBuf,
    once: bool,
    every: u64,
}

fn args() -> Result<Args, String> {
    let mut a = std::env::args().skip(1);
    let (mut url, mut keypair, mut provider) = (None, None, None);
    let (mut received, mut members, mut parties) = (Vec::new(), None, None);
    let (mut approve_up_to, mut out_dir, mut once, mut every) = (None, None, false, 10);
    while let Some(flag) = a.next() {
        let mut value = || a.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--url" => url = Some(value()?),
            "--keypair" => keypair = Some(PathBuf::from(value()?)),
            "--provider" => {
                provider = Some(value()?.parse().map_err(|_| "--provider: not a pubkey")?)
            }
            "--received" => received.push(PathBuf::from(value()?)),
            "--members" => members = Some(PathBuf::from(value()?)),
            "--parties" => parties = Some(PathBuf::from(value()?)),
            "--approve-up-to" => {
                approve_up_to = Some(value()?.parse().map_err(|_| "--approve-up-to: cents")?)
            }
            "--out-dir" => out_dir = Some(PathBuf::from(value()?)),
            "--every" => every = value()?.parse().map_err(|_| "--every: seconds")?,
            "--once" => once = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    fn need<T>(v: Option<T>, flag: &str) -> Result<T, String> {
        v.ok_or(format!("{flag} is required"))
    }
    Ok(Args {
        url: need(url, "--url")?,
        keypair: need(keypair, "--keypair")?,
        provider: need(provider, "--provider")?,
        received,
        members: need(members, "--members")?,
        parties: need(parties, "--parties")?,
        approve_up_to: need(approve_up_to, "--approve-up-to")?,
        out_dir: need(out_dir, "--out-dir")?,
        once,
        every,
    })
}

/// One pass: adjudicate and pay the inbox, then acknowledge and remit.
fn pass(
    ledger: &dyn Ledger,
    payer: &Keypair,
    a: &Args,
    since: i64,
) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let read = |p: &PathBuf| std::fs::read_to_string(p);
    let mut received = Vec::new();
    for f in &a.received {
        received.extend(caretrail_sdk::x12::claims_837(&caretrail_sdk::x12::parse(
            &read(f)?,
        )?)?);
    }
    let names = clm::remit::member_names(&read(&a.members)?)?;
    let parties: clm::remit::Parties = serde_json::from_str(&read(&a.parties)?)?;
    let payer_pda = clm::payer_pda(&payer.pubkey()).0;
    let p = clm::fetch_payer(ledger, &payer_pda)?.ok_or("no payer for this keypair")?;
    let provider_token =
        caretrail_sdk::tokens::associated_address(&a.provider, &p.mint, &p.token_program);
    let client = ClaimsClient::new(ledger, payer);
    let (mut approved, mut denied, mut paid) = (0, 0, 0);
    // A claim the program refuses (an adjudicator's signature needed above the auto-approve
    // limit, a daily limit reached, …) is reported and left for the next pass.
    let mut refused = Vec::new();
    let inbox = clm::list_claims(
        ledger,
        Some(&payer_pda),
        Some(&a.provider),
        Some(ClaimStatus::Submitted),
    )?;
    for (address, c) in inbox {
        let done = if c.billed <= a.approve_up_to {
            client
                .adjudicate(payer, None, &address, c.billed, 0)
                .inspect(|_| approved += 1)
                .and_then(|_| client.pay(payer, &address, &provider_token))
                .map(|_| paid += 1)
        } else {
            client
                .adjudicate(payer, None, &address, 0, clm::carc::BENEFIT_MAXIMUM)
                .map(|_| denied += 1)
        };
        if let Err(e) = done {
            refused
                .push(serde_json::json!({ "claim": address.to_string(), "reason": e.to_string() }));
        }
    }
    let stamp = ledger.get_clock()?.unix_timestamp;
    std::fs::create_dir_all(&a.out_dir)?;
    let control = (stamp % 1_000_000_000) as u32;
    let ack = clm::ack::acknowledgement(
        ledger,
        &payer.pubkey(),
        &a.provider,
        &received,
        &names,
        &parties,
        control,
    )?;
    let ack_path = a.out_dir.join(format!("{stamp}.277"));
    std::fs::write(&ack_path, &ack.x12)?;
    let remit = clm::remit::remittance(
        ledger,
        &payer.pubkey(),
        &a.provider,
        since,
        &received,
        &names,
        &parties,
        control,
    )?;
    let remit_path = a.out_dir.join(format!("{stamp}.835"));
    std::fs::write(&remit_path, &remit.x12)?;
    Ok(serde_json::json!({
        "approved": approved,
        "denied": denied,
        "paid": paid,
        "refused": refused,
        "acknowledged": ack.lines.len(),
        "remitted": remit.lines.len(),
        "total_paid_cents": remit.total_paid_cents,
        "ack": ack_path.display().to_string(),
        "remit": remit_path.display().to_string(),
    }))
}

fn main() {
    let a = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("payer_loop: {e}");
            std::process::exit(2);
        }
    };
    let bytes: Vec<u8> = match std::fs::read_to_string(&a.keypair)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(b) => b,
        Err(e) => {
            eprintln!("payer_loop: {}: {e}", a.keypair.display());
            std::process::exit(2);
        }
    };
    let payer = Keypair::try_from(bytes.as_slice()).expect("a keypair file");
    let ledger = RpcLedger::new(&a.url);
    let mut since = 0;
    loop {
        match pass(&ledger, &payer, &a, since) {
            Ok(report) => {
                println!("{report}");
                since = ledger
                    .get_clock()
                    .map(|c| c.unix_timestamp)
                    .unwrap_or(since);
            }
            Err(e) => {
                eprintln!("payer_loop: {e}");
                if a.once {
                    std::process::exit(1);
                }
            }
        }
        if a.once {
            return;
        }
        std::thread::sleep(std::time::Duration::from_secs(a.every));
    }
}
