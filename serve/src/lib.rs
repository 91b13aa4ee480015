//! `caretrail serve`: one HTTP service over a ledger (the embedded one, or a cluster) for the
//! people who do not run a CLI.
//!
//! - **Patients' wallets**: every consent decision a patient makes (approve or reject a
//!   request, grant, amend, revoke, review an emergency access, name or remove a guardian) as a
//!   [Solana Action](https://solana.com/docs/advanced/actions) (`GET` describes it in plain
//!   words, `POST {account}` returns the transaction to sign) — the same endpoints are Solana Pay
//!   transaction requests (`solana:https://…`, [`qr`] draws them). With a sponsor the server
//!   signs as fee payer (and pays rent), so patients need no SOL; it never holds a patient key.
//! - **The patient portal** (`/portal`): a page with its assets inside the binary that connects
//!   a wallet through the Wallet Standard and shows grants, requests, emergencies, guardians and
//!   the access history.
//!
//! - **Every Solana client**: `POST /` is a Solana JSON-RPC node over the ledger ([`rpc`]), so
//!   the embedded ledger is reachable with `--url http://127.0.0.1:PORT`.
//! - **EHR systems**: a CDS Hooks consent decision service (`/cds-services`) and a FHIR R4
//!   read API (`/fhir/metadata`, `Consent`, `AuditEvent`).
//! - **Trading partners**: a DSCSA VRS responder for one manufacturer (`/vrs`, [`vrs`]).
//!
//! Every failure is a JSON body `{"message", "error", "status"}` with its status code; bodies
//! are size-limited, clients rate-limited, each request logged as one JSON line on stderr.
//! [`routes`] lists every route (also served at `/`).

pub mod actions;
mod ehr;
pub mod error;
mod http;
mod portal;
pub mod qr;
pub mod rpc;
pub mod vrs;

use axum::routing::{get, post};
use axum::Router;
use caretrail_sdk::solana_sdk::signature::Keypair;
use caretrail_sdk::Ledger;
use std::net::SocketAddr;
use std::sync::Arc;

pub use error::ApiError;

/// How the server runs.
#[derive(Clone)]
pub struct Config {
    /// Pays fees and rent of patients' decisions (partially signs as fee payer).
    pub sponsor: Option<Arc<Keypair>>,
    /// The address patients' wallets reach the server at (`https://clinic.example`), used for
    /// absolute links (icons, QR codes); default: `http://` and the request's `Host`.
    pub public_url: Option<String>,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Requests per minute per client address (a token bucket of that size).
    pub rate_per_minute: u32,
    /// Sponsored decisions that cost rent (grants, guardians) per account per day: bounds what
    /// one key can draw from the sponsor.
    pub sponsored_rent_per_day: u32,
    /// One JSON line per request on stderr.
    pub log_requests: bool,
    /// An EHR's identifiers (MRN, NPI) for wallets, for CDS Hooks and FHIR searches.
    pub identifiers: Arc<caretrail_sdk::consent::cds::IdentifierMap>,
    /// The VRS responder under `/vrs` (`None`: those routes answer 404).
    pub vrs: Option<Arc<vrs::VrsConfig>>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sponsor: None,
            public_url: None,
            body_limit: 64 * 1024,
            rate_per_minute: 6_000,
            sponsored_rent_per_day: 10,
            log_requests: true,
            identifiers: Arc::default(),
            vrs: None,
        }
    }
}

/// What every handler shares.
pub(crate) struct AppState {
    pub ledger: Arc<dyn Ledger>,
    pub config: Config,
    /// `solana:<genesis hash, first 32 characters>` (CAIP-2), for `X-Blockchain-Ids`.
    pub chain_id: String,
    pub limiter: http::RateLimiter,
    pub sponsor_budget: http::DailyBudget,
}

impl AppState {
    /// Runs a blocking ledger call off the async workers.
    pub async fn ledger<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&dyn Ledger) -> caretrail_sdk::Result<T> + Send + 'static,
    ) -> Result<T, ApiError> {
        let state = self.clone();
        tokio::task::spawn_blocking(move || f(state.ledger.as_ref()))
            .await
            .map_err(|e| ApiError::internal(format!("ledger task: {e}")))?
            .map_err(ApiError::from)
    }
}

/// A route of the server, for `/` and the README.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub description: &'static str,
}

/// Every route the server answers.
pub fn routes() -> Vec<Route> {
    let r = |method, path, description| Route {
        method,
        path,
        description,
    };
    vec![
        r("GET", "/", "this list of routes, the ledger and the sponsor"),
        r("POST", "/", "Solana JSON-RPC: the ledger as a node for RpcLedger, @solana/kit, web3.js, @anchor-lang/core (see caretrail_serve::rpc for the methods)"),
        r("GET", "/actions.json", "Solana Actions rules: which paths are actions"),
        r("GET", "/api/actions/consent/approve?grant=GRANT", "the action approving a pending request: what the patient signs, in words"),
        r("POST", "/api/actions/consent/approve?grant=GRANT", "body {account}: the transaction approving it, for that wallet to sign"),
        r("GET|POST", "/api/actions/consent/reject?grant=GRANT", "reject a pending request"),
        r("GET|POST", "/api/actions/consent/revoke?grant=GRANT", "revoke a grant (or withdraw a pending request)"),
        r("GET|POST", "/api/actions/consent/amend?grant=GRANT&classes=&actions=&purposes=&days=", "narrow or widen a grant, or move its end"),
        r("GET|POST", "/api/actions/consent/review?grant=GRANT", "review an emergency (break-glass) access"),
        r("GET|POST", "/api/actions/consent/grant?grantee=PUBKEY&classes=&actions=&purposes=&days=", "grant a registered provider access (GET without parameters: the form)"),
        r("GET|POST", "/api/actions/consent/guardian?guardian=PUBKEY&classes=&actions=&purposes=&days=", "name a guardian"),
        r("GET|POST", "/api/actions/consent/remove-guardian?guardian=PUBKEY", "end a guardianship"),
        r("POST", "/api/actions/consent/next?kind=KIND&…", "body {account, signature}: the outcome of a landed decision (a completed action)"),
        r("POST", "/api/transactions", "body {transaction}: submit a wallet-signed consent transaction (the embedded ledger has no RPC node)"),
        r("GET", "/api/patients/PUBKEY", "a patient's grants, pending requests, emergencies, guardians and accesses"),
        r("GET", "/api/grants/GRANT", "one grant"),
        r("GET", "/portal", "the patient portal (Wallet Standard wallets)"),
        r("GET", "/cds-services", "CDS Hooks discovery: the consent decision service"),
        r("POST", "/cds-services/patient-consent-consult", "CDS Hooks: may this actor access this class of the patient's record for this purpose? CONSENT_PERMIT, CONSENT_DENY or NO_CONSENT"),
        r("GET", "/fhir/metadata", "FHIR R4 CapabilityStatement"),
        r("GET", "/fhir/Consent?patient=PUBKEY&_count=&_offset=", "FHIR R4 searchset Bundle of the patient's Consents (paged)"),
        r("GET", "/fhir/Consent/GRANT", "FHIR R4 Consent of one grant"),
        r("GET", "/fhir/AuditEvent?patient=PUBKEY&date=geYYYY-MM-DD", "FHIR R4 AuditEvents: each recorded access of the patient's record"),
        r("GET", "/vrs/gtin/GTIN/lot/LOT/ser/SERIAL?exp=YYMMDD&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=GLN&corrUUID=UUID", "DSCSA VRS verification (with --vrs-for): {verificationTimestamp, responderGLN, data: {verified, verificationFailureReason?, additionalInfo?}, corrUUID}; bare 400/401/403/404 otherwise"),
        r("GET", "/vrs/checkConnectivity?reqGLN=GLN&corrUUID=UUID", "VRS connectivity check: {responderGLN, corrUUID, connectivityTimestamp}"),
        r("GET", "/healthz", "liveness: the ledger answers"),
    ]
}

/// The router of the whole service over `ledger`.
pub fn router(ledger: Arc<dyn Ledger>, config: Config) -> caretrail_sdk::Result<Router> {
    let chain_id = match ledger.genesis_hash() {
        Ok(h) => format!("solana:{}", &h.to_string()[..32.min(h.to_string().len())]),
        Err(_) => "solana:unknown".into(),
    };
    let state = Arc::new(AppState {
        limiter: http::RateLimiter::new(config.rate_per_minute),
        sponsor_budget: http::DailyBudget::default(),
        ledger,
        config,
        chain_id,
    });
    let body_limit = state.config.body_limit;
    let app = Router::new()
        .route("/", get(index).post(rpc::handle))
        .route("/healthz", get(healthz))
        .merge(actions::router())
        .merge(portal::router())
        .merge(ehr::router())
        .merge(vrs::router())
        .route("/api/transactions", post(actions::submit))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(axum::extract::DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            http::gate,
        ))
        .with_state(state);
    Ok(app)
}

async fn index(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> axum::Json<serde_json::Value> {
    use caretrail_sdk::solana_sdk::signature::Signer;
    axum::Json(serde_json::json!({
        "service": "caretrail serve",
        "version": env!("CARGO_PKG_VERSION"),
        "ledger": state.ledger.describe(),
        "chain": state.chain_id,
        "sponsor": state.config.sponsor.as_ref().map(|k| k.pubkey().to_string()),
        "routes": routes(),
    }))
}

async fn healthz(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    let slot = state.ledger(|l| Ok(l.get_clock()?.slot)).await?;
    Ok(axum::Json(
        serde_json::json!({ "status": "ok", "slot": slot }),
    ))
}

/// Serves `app` on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

/// `app` served on a loopback port of its own, on a thread with its own runtime (tests,
/// benchmarks, a service embedding the routes); stops gracefully when dropped.
pub struct Background {
    pub addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Background {
    pub fn start(app: Router) -> std::io::Result<Background> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                let _ = serve(listener, app, async {
                    let _ = stopped.await;
                })
                .await;
            });
        });
        Ok(Background {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
