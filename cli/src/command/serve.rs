//! `caretrail serve`: the HTTP service for patients' wallets (Solana Actions, Solana Pay
//! transaction requests) and the patient portal, over the embedded ledger (the server then
//! holds its lock) or a cluster (`--url`). See `caretrail_serve` for the routes.

use crate::context::{read_keypair, Context};
use crate::output::{emit, Output};
use anyhow::{Context as _, Result};
use caretrail_sdk::solana_sdk::{
    native_token::LAMPORTS_PER_SOL,
    signature::{Keypair, Signer},
};
use caretrail_sdk::Ledger;
use clap::Args;
use serde_json::json;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: to reach phones, put a TLS reverse proxy in
    /// front and name its address with --public-url. Port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:7878", value_name = "ADDR")]
    pub bind: SocketAddr,
    /// A clinic's keypair that pays the fees and rent of patients' decisions (it partially
    /// signs each transaction as fee payer; the patient's wallet adds its signature), so
    /// patients need no SOL. The server never holds a patient's key.
    #[arg(long, value_name = "KEYPAIR")]
    pub sponsor: Option<PathBuf>,
    /// The address wallets reach this server at (https://clinic.example), for absolute links
    /// such as action icons; default: http:// and the request's Host.
    #[arg(long, value_name = "URL")]
    pub public_url: Option<String>,
    /// Requests per minute per client address before 429 Too Many Requests.
    #[arg(long, default_value_t = 6_000, value_name = "N")]
    pub rate_limit: u32,
    /// Largest request body accepted, in bytes (413 beyond).
    #[arg(long, default_value_t = 64 * 1024, value_name = "BYTES")]
    pub body_limit: usize,
    /// Sponsored decisions that cost rent (grants, guardians) per account per day: what one
    /// key can draw from the sponsor.
    #[arg(long, default_value_t = 10, value_name = "N")]
    pub sponsored_rent_per_day: u32,
    /// No request log lines on stderr.
    #[arg(long)]
    pub quiet: bool,
    /// A JSON file mapping an EHR's identifiers to wallets, `{"SYSTEM": {"VALUE": "PUBKEY"}}`
    /// (MRNs, NPIs), for CDS Hooks consults and FHIR searches. Kept off chain.
    #[arg(long, value_name = "FILE")]
    pub identifiers: Option<PathBuf>,
    /// Answer DSCSA VRS verification requests (`/vrs/…`) for this manufacturer (pubkey or
    /// keypair file): the GTINs under the GS1 company prefixes the registry licenses to it,
    /// from chain state, to registered trading partners only.
    #[arg(long, value_parser = crate::args::pubkey, value_name = "MANUFACTURER")]
    pub vrs_for: Option<caretrail_sdk::solana_sdk::pubkey::Pubkey>,
    /// With --vrs-for: where each VRS request and its answer are appended (one JSON line
    /// each), the six-year record.
    #[arg(
        long,
        default_value = "caretrail-vrs.jsonl",
        value_name = "FILE",
        requires = "vrs_for"
    )]
    pub vrs_log: PathBuf,
}

impl ServeArgs {
    fn config(&self, sponsor: Option<Keypair>) -> Result<caretrail_serve::Config> {
        if let Some(u) = &self.public_url {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                anyhow::bail!("--public-url must be an http(s) URL, not {u:?}");
            }
        }
        let identifiers = match &self.identifiers {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading {}", path.display()))?;
                caretrail_sdk::consent::cds::IdentifierMap::from_json(&text)
                    .with_context(|| format!("in {}", path.display()))?
            }
            None => Default::default(),
        };
        Ok(caretrail_serve::Config {
            identifiers: Arc::new(identifiers),
            sponsor: sponsor.map(Arc::new),
            public_url: self.public_url.clone(),
            body_limit: self.body_limit,
            rate_per_minute: self.rate_limit,
            sponsored_rent_per_day: self.sponsored_rent_per_day,
            log_requests: !self.quiet,
            vrs: None,
        })
    }

    /// The VRS responder of `--vrs-for`, its log opened.
    fn vrs(&self, ledger: &dyn Ledger) -> Result<Option<Arc<caretrail_serve::vrs::VrsConfig>>> {
        let Some(manufacturer) = self.vrs_for else {
            return Ok(None);
        };
        let responder = caretrail_sdk::custody::vrs::Responder::new(ledger, manufacturer)?;
        let config = caretrail_serve::vrs::VrsConfig::new(responder, Some(&self.vrs_log))
            .with_context(|| format!("opening the VRS log {}", self.vrs_log.display()))?;
        Ok(Some(Arc::new(config)))
    }

    /// Serves `ledger` until Ctrl-C or SIGTERM.
    pub fn run(&self, ledger: Arc<dyn Ledger>, sponsor: Option<Keypair>) -> Result<Output> {
        let sponsor_key = sponsor.as_ref().map(|k| k.pubkey());
        let mut config = self.config(sponsor)?;
        config.vrs = self.vrs(ledger.as_ref())?;
        let vrs_note = config
            .vrs
            .as_ref()
            .map(|v| {
                format!(
                    ", VRS for GLN {} (log {})",
                    v.responder.gln,
                    self.vrs_log.display()
                )
            })
            .unwrap_or_default();
        let app = caretrail_serve::router(ledger.clone(), config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .context("starting the server's runtime")?;
        let described = ledger.describe();
        let result: Result<SocketAddr> = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(self.bind)
                .await
                .with_context(|| format!("listening on {}", self.bind))?;
            let addr = listener.local_addr()?;
            emit(&format!(
                "caretrail serve: listening on http://{addr} (ledger {described}{}{vrs_note}) — portal http://{addr}/portal, routes http://{addr}/",
                sponsor_key
                    .map(|k| format!(", sponsor {k}"))
                    .unwrap_or_default()
            ));
            caretrail_serve::serve(listener, app, caretrail_serve::shutdown_signal())
                .await
                .context("serving")?;
            Ok(addr)
        });
        // The ledger's own runtime stops outside the server's.
        drop(runtime);
        let addr = result?;
        Ok(Output::new(
            json!({ "stopped": true, "address": addr.to_string() }),
            format!("caretrail serve on {addr}: stopped"),
        ))
    }
}

impl crate::command::Execute for ServeArgs {
    fn execute(self, ctx: &Context) -> Result<Output> {
        let ledger = ctx.shared_ledger()?;
        let sponsor = match &self.sponsor {
            Some(path) => {
                let k = read_keypair(path)?;
                if ledger.is_embedded() && ledger.get_balance(&k.pubkey())? < LAMPORTS_PER_SOL {
                    ledger.request_airdrop(&k.pubkey(), 100 * LAMPORTS_PER_SOL)?;
                }
                Some(k)
            }
            None => None,
        };
        self.run(ledger, sponsor)
    }
}
