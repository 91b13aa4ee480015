//! The VRS responder (`caretrail serve --vrs-for MANUFACTURER`): DSCSA verification requests
//! of trading partners, answered from the chain by
//! [`caretrail_sdk::custody::vrs::Responder`], under `/vrs`.
//!
//! As the GS1 Lightweight Messaging Standard has it, only a 200 carries a body: a malformed
//! request is a bare 400, an unknown requester 401, one without standing 403, a GTIN not
//! served 404, another method 405. Every response carries `GS1US-Version`. Each request and
//! its answer is appended to the responder's log (one JSON line each), the record a
//! manufacturer keeps for six years.

use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{ConnectInfo, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use caretrail_sdk::custody::vrs::{self, Answer, Responder};
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// The responder and its log.
pub struct VrsConfig {
    pub responder: Responder,
    /// Appended: one JSON line per request.
    pub log: Option<Mutex<std::fs::File>>,
}

impl VrsConfig {
    /// A responder whose log is appended to `log` (created when missing).
    pub fn new(responder: Responder, log: Option<&std::path::Path>) -> std::io::Result<Self> {
        let log = match log {
            Some(p) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(p)?,
            )),
            None => None,
        };
        Ok(VrsConfig { responder, log })
    }
}

pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route(
            "/vrs/gtin/{gtin}/lot/{lot}/ser/{serial}",
            get(verify).fallback(not_allowed),
        )
        .route(
            "/vrs/checkConnectivity",
            get(connectivity).fallback(not_allowed),
        )
        .route("/vrs/{*rest}", get(not_found).fallback(not_allowed))
}

/// A bare status with the version header.
fn bare(status: u16) -> Response {
    let mut r = StatusCode::from_u16(status)
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
        .into_response();
    version(&mut r);
    r
}

fn version(r: &mut Response) {
    r.headers_mut().insert(
        "gs1us-version",
        HeaderValue::from_static(vrs::GS1US_VERSION),
    );
}

async fn not_allowed() -> Response {
    bare(405)
}

async fn not_found() -> Response {
    bare(404)
}

/// Query parameters in order (`None` when the query is not form-encoded).
fn pairs(raw: Option<&str>) -> Option<Vec<(String, String)>> {
    serde_urlencoded::from_str(raw.unwrap_or("")).ok()
}

/// Refuses a request whose `GS1US-Version` this responder does not speak (absent is taken as
/// the current one).
fn version_ok(headers: &HeaderMap) -> Result<(), String> {
    match headers.get("gs1us-version").map(|v| v.to_str()) {
        None => Ok(()),
        Some(Ok(v)) if vrs::ACCEPTED_VERSIONS.contains(&v.trim()) => Ok(()),
        Some(v) => Err(format!("GS1US-Version {v:?} is not answered")),
    }
}

/// Answers with `answer`, logging the exchange.
async fn reply(
    state: &Arc<AppState>,
    client: SocketAddr,
    request: String,
    answer: Result<Answer, String>,
) -> Response {
    let (status, body, why) = match answer {
        Ok(a) => (a.status, a.body, a.why),
        Err(e) => (500, None, Some(e)),
    };
    if let Some(log) = state.config.vrs.as_ref().and_then(|v| v.log.as_ref()) {
        let line = serde_json::json!({
            "received": caretrail_sdk::util::rfc3339(caretrail_sdk::util::unix_now()),
            "client": client.ip().to_string(),
            "request": request,
            "status": status,
            "why": why,
            "response": body,
        });
        if let Ok(mut f) = log.lock() {
            // A lost log line must not lose the answer; the error goes to stderr.
            if let Err(e) = writeln!(f, "{line}") {
                eprintln!("vrs: writing the request log: {e}");
            }
        }
    }
    match body {
        Some(b) if status == 200 => {
            let mut r = axum::Json(b).into_response();
            version(&mut r);
            r
        }
        _ => bare(status),
    }
}

async fn verify(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    path: Result<Path<(String, String, String)>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(config) = state.config.vrs.as_ref() else {
        return bare(404);
    };
    let responder = config.responder.clone();
    let request = match (&path, &raw) {
        (Ok(Path((g, l, s))), q) => {
            format!("gtin/{g}/lot/{l}/ser/{s}?{}", q.as_deref().unwrap_or(""))
        }
        (Err(_), q) => format!("(unreadable path)?{}", q.as_deref().unwrap_or("")),
    };
    let answer = match (path, pairs(raw.as_deref()), version_ok(&headers)) {
        (Ok(Path((gtin, lot, serial))), Some(query), Ok(())) => state
            .ledger(move |l| responder.respond(l, (&gtin, &lot, &serial), &query))
            .await
            .map_err(|e| e.message),
        (_, _, Err(why)) => Ok(Answer {
            status: 400,
            body: None,
            why: Some(why),
        }),
        _ => Ok(Answer {
            status: 400,
            body: None,
            why: Some("unreadable path or query".into()),
        }),
    };
    reply(&state, client, request, answer).await
}

async fn connectivity(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let Some(config) = state.config.vrs.as_ref() else {
        return bare(404);
    };
    let responder = config.responder.clone();
    let request = format!("checkConnectivity?{}", raw.as_deref().unwrap_or(""));
    let answer = match (pairs(raw.as_deref()), version_ok(&headers)) {
        (Some(query), Ok(())) => state
            .ledger(move |l| responder.connectivity(l, &query))
            .await
            .map_err(|e| e.message),
        (_, Err(why)) => Ok(Answer {
            status: 400,
            body: None,
            why: Some(why),
        }),
        (None, _) => Ok(Answer {
            status: 400,
            body: None,
            why: Some("unreadable query".into()),
        }),
    };
    reply(&state, client, request, answer).await
}
