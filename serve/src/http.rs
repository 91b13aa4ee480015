//! What every request goes through: the per-client rate limit, CORS and the Actions headers on
//! action routes, one JSON log line; and a JSON body extractor whose errors say where.

use crate::{ApiError, AppState};
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use caretrail_sdk::solana_sdk::pubkey::Pubkey;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The Solana Actions spec version these endpoints follow.
pub const ACTION_VERSION: &str = "2.4";

/// A token bucket per client address: `per_minute` requests, refilled continuously.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when `client` may make a request now, else the seconds until it may.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so the table stays bounded.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity
            });
        }
        let (tokens, at) = buckets.entry(client).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / per_second).ceil() as u64)
        }
    }
}

/// Counts of sponsored rent-bearing decisions per account per UTC day.
#[derive(Default)]
pub struct DailyBudget {
    used: Mutex<HashMap<Pubkey, (i64, u32)>>,
}

impl DailyBudget {
    /// Takes one from `account`'s budget of `limit` for `day`; false when it is spent.
    pub fn take(&self, account: &Pubkey, day: i64, limit: u32) -> bool {
        let mut used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let entry = used.entry(*account).or_insert((day, 0));
        if entry.0 != day {
            *entry = (day, 0);
        }
        if entry.1 >= limit {
            return false;
        }
        entry.1 += 1;
        true
    }
}

fn is_action_path(path: &str) -> bool {
    path == "/actions.json" || path.starts_with("/api/actions/")
}

/// Rate limit, CORS and Actions headers, the request log.
pub async fn gate(
    State(state): State<Arc<AppState>>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let action = is_action_path(&path);
    let mut response = if let Err(wait) = state.limiter.check(client.ip()) {
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "too many requests from {}: try again in {wait} s",
                client.ip()
            ),
        );
        e.retry_after = Some(wait);
        e.into_response()
    } else if action && method == Method::OPTIONS {
        StatusCode::OK.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    if action {
        set(headers, "access-control-allow-origin", "*");
        set(
            headers,
            "access-control-allow-methods",
            "GET,POST,PUT,OPTIONS",
        );
        set(
            headers,
            "access-control-allow-headers",
            "Content-Type, Authorization, Content-Encoding, Accept-Encoding, X-Accept-Action-Version, X-Accept-Blockchain-Ids",
        );
        set(
            headers,
            "access-control-expose-headers",
            "X-Action-Version, X-Blockchain-Ids",
        );
        set(headers, "x-action-version", ACTION_VERSION);
        set(headers, "x-blockchain-ids", &state.chain_id);
    }
    set(headers, "x-content-type-options", "nosniff");
    if state.config.log_requests {
        // Paths and statuses only: no query, no body (nothing that could be PHI).
        eprintln!(
            "{}",
            serde_json::json!({
                "time": caretrail_sdk::util::rfc3339(caretrail_sdk::util::unix_now()),
                "client": client.ip().to_string(),
                "method": method.as_str(),
                "path": path,
                "status": response.status().as_u16(),
                "ms": started.elapsed().as_secs_f64() * 1000.0,
            })
        );
    }
    response
}

fn set(headers: &mut HeaderMap, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        headers.insert(name, v);
    }
}

pub async fn not_found(request: Request) -> ApiError {
    ApiError::not_found(format!(
        "no route {} {} (GET / lists the routes)",
        request.method(),
        request.uri().path()
    ))
}

pub async fn method_not_allowed(request: Request) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!(
            "{} is not allowed on {} (GET / lists the routes)",
            request.method(),
            request.uri().path()
        ),
    )
}

/// A JSON request body: `application/json`, within the size limit, parsed with the line and
/// column of the first error.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: serde::de::DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request<Body>, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .eq_ignore_ascii_case("application/json")
            })
            .unwrap_or(false);
        if !json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "the body is larger than this server accepts",
                )
            } else {
                ApiError::bad_request(format!("the body could not be read: {e}"))
            }
        })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError::bad_request(format!(
                "malformed JSON body at line {} column {}: {e}",
                e.line(),
                e.column()
            ))
        })
    }
}
