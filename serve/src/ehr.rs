//! For EHR systems and exchange gateways: the CDS Hooks consent decision service
//! (`/cds-services`) and the FHIR R4 read API (`/fhir/metadata`, `Consent`, `AuditEvent`).
//! Decisions go through `caretrail_sdk::consent::cds` (the same check as `caretrail consent
//! check`); FHIR errors are `OperationOutcome`s.

use crate::actions::parse_pubkey;
use crate::http::JsonBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use caretrail_sdk::consent::{self, cds};
use caretrail_sdk::fhir;
use caretrail_sdk::solana_sdk::pubkey::Pubkey;
use serde_json::Value;
use std::sync::Arc;

pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/cds-services", get(discovery))
        .route("/cds-services/{id}", post(consult))
        .route("/fhir/metadata", get(metadata))
        .route("/fhir/Consent", get(consents))
        .route("/fhir/Consent/{id}", get(consent_read))
        .route("/fhir/AuditEvent", get(audit_events))
}

async fn discovery() -> Json<Value> {
    Json(cds::discovery())
}

async fn consult(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    JsonBody(request): JsonBody<Value>,
) -> Result<Json<Value>, ApiError> {
    if id != cds::HOOK {
        return Err(ApiError::not_found(format!(
            "no CDS service {id:?} (GET /cds-services lists them)"
        )));
    }
    let ids = state.config.identifiers.clone();
    Ok(Json(
        state
            .ledger(move |l| cds::consult(l, &request, &ids))
            .await?,
    ))
}

/// A FHIR error: an `OperationOutcome` with the status.
pub(crate) struct FhirError(ApiError);

impl From<ApiError> for FhirError {
    fn from(e: ApiError) -> Self {
        FhirError(e)
    }
}

impl IntoResponse for FhirError {
    fn into_response(self) -> Response {
        let code = match self.0.status {
            StatusCode::NOT_FOUND => "not-found",
            StatusCode::BAD_REQUEST => "invalid",
            StatusCode::TOO_MANY_REQUESTS => "throttled",
            _ => "exception",
        };
        fhir_json(
            self.0.status,
            fhir::operation_outcome(code, &self.0.message),
        )
    }
}

fn fhir_json(status: StatusCode, v: Value) -> Response {
    (
        status,
        [("content-type", "application/fhir+json")],
        v.to_string(),
    )
        .into_response()
}

fn base(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/fhir", crate::actions::base_url(state, headers))
}

async fn metadata(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    fhir_json(
        StatusCode::OK,
        fhir::capability_statement(&base(&state, &headers), env!("CARGO_PKG_VERSION")),
    )
}

/// `patient=PUBKEY` or `patient=system|value` (an identifier the map knows).
fn patient(state: &AppState, params: &[(String, String)]) -> Result<Pubkey, ApiError> {
    let v = params
        .iter()
        .find(|(k, _)| k == "patient")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| ApiError::bad_request("the search parameter patient is required"))?;
    let v = v.strip_prefix("Patient/").unwrap_or(v);
    match v.split_once('|') {
        Some((system, value)) => state
            .config
            .identifiers
            .resolve(system, value)
            .ok_or_else(|| ApiError::not_found(format!("no patient known as {system}|{value}"))),
        None => parse_pubkey("patient", v),
    }
}

fn page(params: &[(String, String)]) -> Result<(usize, usize), ApiError> {
    let num = |name: &str, default: usize, max: usize| -> Result<usize, ApiError> {
        match params.iter().find(|(k, _)| k == name) {
            None => Ok(default),
            Some((_, v)) => v
                .parse::<usize>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| {
                    ApiError::bad_request(format!("{name}: {v:?} is not a number from 0 to {max}"))
                }),
        }
    };
    let count = num("_count", 20, 100)?.max(1);
    Ok((count, num("_offset", 0, usize::MAX)?))
}

fn pairs(q: Option<String>) -> Result<Vec<(String, String)>, ApiError> {
    let q = q.unwrap_or_default();
    let mut out = Vec::new();
    for part in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=').unwrap_or((part, ""));
        let decode = |s: &str| -> Result<String, ApiError> {
            caretrail_sdk::util::percent_decode(&s.replace('+', " ")).map_err(|reason| {
                ApiError::bad_request(format!("malformed query string at {part:?}: {reason}"))
            })
        };
        out.push((decode(k)?, decode(v)?));
    }
    Ok(out)
}

fn known(params: &[(String, String)], allowed: &[&str]) -> Result<(), ApiError> {
    for (k, _) in params {
        if !allowed.contains(&k.as_str()) {
            return Err(ApiError::bad_request(format!(
                "unknown search parameter {k:?} (supported: {})",
                allowed.join(", ")
            )));
        }
    }
    Ok(())
}

fn links(
    base: &str,
    kind: &str,
    params: &[(String, String)],
    count: usize,
    offset: usize,
    total: usize,
) -> (String, Option<String>) {
    let rest: Vec<String> = params
        .iter()
        .filter(|(k, _)| k != "_count" && k != "_offset")
        .map(|(k, v)| format!("{k}={}", crate::actions::encode(v)))
        .collect();
    let url = |offset: usize| {
        let mut q = rest.clone();
        q.push(format!("_count={count}"));
        q.push(format!("_offset={offset}"));
        format!("{base}/{kind}?{}", q.join("&"))
    };
    let next = (offset + count < total).then(|| url(offset + count));
    (url(offset), next)
}

async fn consents(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, FhirError> {
    let params = pairs(q)?;
    known(&params, &["patient", "_count", "_offset"])?;
    let patient = patient(&state, &params)?;
    let (count, offset) = page(&params)?;
    let (resources, total) = state
        .ledger(move |l| {
            let now = l.get_clock()?.unix_timestamp;
            let grants = consent::list_grants(l, Some(&patient), None)?;
            let total = grants.len();
            Ok((
                grants
                    .iter()
                    .skip(offset)
                    .take(count)
                    .map(|(k, g)| fhir::consent_resource(k, g, now))
                    .collect::<Vec<_>>(),
                total,
            ))
        })
        .await?;
    let base = base(&state, &headers);
    let (me, next) = links(&base, "Consent", &params, count, offset, total);
    Ok(fhir_json(
        StatusCode::OK,
        fhir::searchset(&base, resources, total, me, next),
    ))
}

async fn consent_read(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> Result<Response, FhirError> {
    let address = parse_pubkey("id", &id)?;
    let resource = state
        .ledger(move |l| {
            let g = consent::fetch_grant(l, &address)?
                .ok_or_else(|| caretrail_sdk::Error::not_found("Consent (grant)", address))?;
            Ok(fhir::consent_resource(
                &address,
                &g,
                l.get_clock()?.unix_timestamp,
            ))
        })
        .await?;
    Ok(fhir_json(StatusCode::OK, resource))
}

/// `date` search values: `[ge|gt|le|lt|eq]YYYY-MM-DD[Thh:mm:ssZ]`, all of which must hold.
fn date_filters(params: &[(String, String)]) -> Result<Vec<(String, i64, i64)>, ApiError> {
    params
        .iter()
        .filter(|(k, _)| k == "date")
        .map(|(_, v)| {
            let (prefix, rest) = match v.get(..2) {
                Some(p @ ("ge" | "gt" | "le" | "lt" | "eq")) => (p.to_string(), &v[2..]),
                _ => ("eq".to_string(), v.as_str()),
            };
            let start = fhir::parse_rfc3339(rest).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "date: {v:?} is not [ge|gt|le|lt|eq] and a date (YYYY-MM-DD) or an RFC 3339 date-time"
                ))
            })?;
            // A day covers the whole day; a date-time, its second.
            let end = if rest.len() == 10 { start + 86_400 } else { start + 1 };
            Ok((prefix, start, end))
        })
        .collect()
}

async fn audit_events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Result<Response, FhirError> {
    let params = pairs(q)?;
    known(&params, &["patient", "date", "_count", "_offset"])?;
    let patient = patient(&state, &params)?;
    let (count, offset) = page(&params)?;
    let filters = date_filters(&params)?;
    let (resources, total) = state
        .ledger(move |l| {
            let overview = consent::patient_overview(l, &patient)?;
            let matching: Vec<_> = overview
                .accesses
                .iter()
                .filter(|a| {
                    filters.iter().all(|(p, start, end)| match p.as_str() {
                        "ge" => a.unix_time >= *start,
                        "gt" => a.unix_time >= *end,
                        "le" => a.unix_time < *end,
                        "lt" => a.unix_time < *start,
                        _ => a.unix_time >= *start && a.unix_time < *end,
                    })
                })
                .collect();
            let total = matching.len();
            Ok((
                matching
                    .into_iter()
                    .skip(offset)
                    .take(count)
                    .map(|a| fhir::audit_event_resource(&patient, a))
                    .collect::<Vec<_>>(),
                total,
            ))
        })
        .await?;
    let base = base(&state, &headers);
    let (me, next) = links(&base, "AuditEvent", &params, count, offset, total);
    Ok(fhir_json(
        StatusCode::OK,
        fhir::searchset(&base, resources, total, me, next),
    ))
}
