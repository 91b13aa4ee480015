//! Every failure as JSON: `{"message": "...", "error": "not_found", "status": 404}` (the
//! `message` is the Solana Actions `ActionError` shape wallets display).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use caretrail_sdk::Error;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// A stable machine word: `bad_request`, `not_found`, `forbidden`, `conflict`…
    pub error: &'static str,
    pub message: String,
    /// Seconds to wait (429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, error: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            error,
            message: message.into(),
            retry_after: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        let message = e.to_string();
        match &e {
            Error::NotFound { .. } => ApiError::not_found(message),
            Error::Invalid(_) | Error::Gs1(_) => ApiError::bad_request(message),
            Error::Forbidden(_) => ApiError::forbidden(message),
            Error::Conflict(_) => ApiError::new(StatusCode::CONFLICT, "conflict", message),
            Error::Transaction { .. } => {
                let message = match e.program_error() {
                    Some(p) => format!("the chain refused it: {p}"),
                    None => message,
                };
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "rejected", message)
            }
            Error::Rpc { .. } | Error::Bank(_) => {
                ApiError::new(StatusCode::BAD_GATEWAY, "ledger_unavailable", message)
            }
            _ => ApiError::internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "message": self.message,
            "error": self.error,
            "status": self.status.as_u16(),
        });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(s) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                response.headers_mut().insert("retry-after", v);
            }
        }
        response
    }
}
