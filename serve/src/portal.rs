//! The patient portal: one page and its script and style, inside the binary (no CDN, works
//! offline), and the read API it uses.

use crate::actions::parse_pubkey;
use crate::{ApiError, AppState};
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use caretrail_sdk::consent;
use caretrail_sdk::solana_sdk::signature::Signer;
use serde_json::{json, Value};
use std::sync::Arc;

pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/portal", get(page))
        .route("/portal/", get(page))
        .route("/portal/app.js", get(script))
        .route("/portal/app.css", get(style))
        .route("/api/patients/{patient}", get(patient))
        .route("/api/grants/{grant}", get(grant))
}

/// The page may load only its own script, style and images, and talk only to this server.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

async fn page() -> impl IntoResponse {
    (
        [
            ("content-type", "text/html; charset=utf-8"),
            ("content-security-policy", CSP),
            ("referrer-policy", "no-referrer"),
        ],
        include_str!("../assets/portal.html"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [("content-type", "text/javascript; charset=utf-8")],
        include_str!("../assets/portal.js"),
    )
}

async fn style() -> impl IntoResponse {
    (
        [("content-type", "text/css; charset=utf-8")],
        include_str!("../assets/portal.css"),
    )
}

async fn patient(
    State(state): State<Arc<AppState>>,
    Path(patient): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let patient = parse_pubkey("patient", &patient)?;
    let sponsor = state
        .config
        .sponsor
        .as_ref()
        .map(|k| k.pubkey().to_string());
    let (overview, lamports) = state
        .ledger(move |l| {
            Ok((
                consent::patient_overview(l, &patient)?,
                l.get_balance(&patient)?,
            ))
        })
        .await?;
    let mut v = serde_json::to_value(overview).map_err(|e| ApiError::internal(e.to_string()))?;
    v["lamports"] = json!(lamports);
    v["sponsor"] = json!(sponsor);
    Ok(Json(v))
}

async fn grant(
    State(state): State<Arc<AppState>>,
    Path(grant): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let address = parse_pubkey("grant", &grant)?;
    let view = state
        .ledger(move |l| {
            let g = consent::fetch_grant(l, &address)?
                .ok_or_else(|| caretrail_sdk::Error::not_found("grant", address))?;
            Ok(consent::GrantView::new(
                &address,
                &g,
                l.get_clock()?.unix_timestamp,
            ))
        })
        .await?;
    Ok(Json(
        serde_json::to_value(view).map_err(|e| ApiError::internal(e.to_string()))?,
    ))
}
