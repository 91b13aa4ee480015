//! Solana Actions (spec 2.4) for patients' consent decisions; the same endpoints are Solana
//! Pay transaction requests (`GET` → `{label, icon}`, `POST {account}` → `{transaction,
//! message}`).
//!
//! `GET /api/actions/consent/{kind}?…` describes the decision in plain words (for a pending
//! request, with Approve and Reject buttons); `POST` with `{"account": PUBKEY}` returns the
//! legacy transaction for that wallet to sign, partially signed by the sponsor when the server
//! has one. After it lands the client `POST`s `{account, signature}` to `links.next` and gets a
//! completed action saying what changed. `POST /api/transactions` submits a signed transaction
//! (the embedded ledger has no RPC node a wallet could send it to).

use crate::http::JsonBody;
use crate::{ApiError, AppState};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use caretrail_sdk::consent::decision::{self, PatientDecision, Prepared};
use caretrail_sdk::consent::{self, Scope};
use caretrail_sdk::solana_sdk::{
    pubkey::Pubkey,
    signature::{Signature, Signer},
    transaction::Transaction,
};
use caretrail_sdk::{offline, Error};
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;

type Params = HashMap<String, String>;

pub(crate) fn router() -> Router<Arc<AppState>> {
    Router::new()
        .route("/actions.json", get(actions_json))
        .route("/api/actions/consent/next", post(next))
        .route(
            "/api/actions/consent/{kind}",
            get(get_action).post(post_action),
        )
        .route("/icon.svg", get(icon))
}

/// The decisions offered as actions.
pub const KINDS: [&str; 8] = [
    "approve",
    "reject",
    "revoke",
    "amend",
    "review",
    "grant",
    "guardian",
    "remove-guardian",
];

async fn actions_json() -> Json<Value> {
    Json(json!({
        "rules": [
            { "pathPattern": "/api/actions/**", "apiPath": "/api/actions/**" }
        ]
    }))
}

async fn icon() -> impl axum::response::IntoResponse {
    (
        [
            ("content-type", "image/svg+xml"),
            ("cache-control", "public, max-age=86400"),
        ],
        include_str!("../assets/icon.svg"),
    )
}

/// The server's address as wallets see it.
pub(crate) fn base_url(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = &state.config.public_url {
        return u.trim_end_matches('/').to_string();
    }
    let host = headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn pubkey(params: &Params, name: &str) -> Result<Pubkey, ApiError> {
    let v = params
        .get(name)
        .ok_or_else(|| ApiError::bad_request(format!("the parameter {name} is required")))?;
    parse_pubkey(name, v)
}

pub(crate) fn parse_pubkey(name: &str, v: &str) -> Result<Pubkey, ApiError> {
    v.trim().parse().map_err(|_| {
        ApiError::bad_request(format!(
            "{name}: {:?} is not a base58 public key",
            v.chars().take(64).collect::<String>()
        ))
    })
}

fn days(params: &Params) -> Result<Option<u32>, ApiError> {
    params
        .get("days")
        .map(|d| {
            d.trim().parse::<u32>().map_err(|_| {
                ApiError::bad_request(format!("days: {d:?} is not a whole number of days"))
            })
        })
        .transpose()
}

fn scope(params: &Params, default_actions: &str) -> Result<Option<Scope>, ApiError> {
    let classes = params.get("classes");
    let purposes = params.get("purposes");
    let actions = params.get("actions");
    if classes.is_none() && purposes.is_none() && actions.is_none() {
        return Ok(None);
    }
    let (Some(classes), Some(purposes)) = (classes, purposes) else {
        return Err(ApiError::bad_request(
            "a scope needs classes and purposes (and optionally actions)",
        ));
    };
    let actions = actions.map(String::as_str).unwrap_or(default_actions);
    consent::parse_scope(classes, actions, purposes)
        .map(Some)
        .map_err(ApiError::from)
}

/// The decision a request names.
pub(crate) fn decision(kind: &str, params: &Params) -> Result<PatientDecision, ApiError> {
    let required = |s: Option<Scope>| {
        s.ok_or_else(|| ApiError::bad_request("the parameters classes and purposes are required"))
    };
    let required_days =
        |d: Option<u32>| d.ok_or_else(|| ApiError::bad_request("the parameter days is required"));
    Ok(match kind {
        "approve" => PatientDecision::Approve {
            grant: pubkey(params, "grant")?,
        },
        "reject" => PatientDecision::Reject {
            grant: pubkey(params, "grant")?,
        },
        "revoke" => PatientDecision::Revoke {
            grant: pubkey(params, "grant")?,
        },
        "review" => PatientDecision::Review {
            grant: pubkey(params, "grant")?,
        },
        "amend" => PatientDecision::Amend {
            grant: pubkey(params, "grant")?,
            scope: scope(params, "access")?,
            days: days(params)?,
        },
        "grant" => PatientDecision::Grant {
            grantee: pubkey(params, "grantee")?,
            scope: required(scope(params, "access")?)?,
            days: required_days(days(params)?)?,
        },
        "guardian" => PatientDecision::NameGuardian {
            guardian: pubkey(params, "guardian")?,
            scope: required(scope(params, "access,use,disclose,correct")?)?,
            days: required_days(days(params)?)?,
        },
        "remove-guardian" => PatientDecision::RemoveGuardian {
            guardian: pubkey(params, "guardian")?,
        },
        other => {
            return Err(ApiError::not_found(format!(
                "no consent action {other:?} (known: {})",
                KINDS.join(", ")
            )))
        }
    })
}

fn query(
    q: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Params, ApiError> {
    q.map(|Query(p)| p)
        .map_err(|e| ApiError::bad_request(format!("malformed query string: {e}")))
}

fn href(kind: &str, params: &Params, keys: &[&str]) -> String {
    let mut pairs: Vec<String> = keys
        .iter()
        .filter_map(|k| params.get(*k).map(|v| format!("{k}={}", encode(v))))
        .collect();
    pairs.sort();
    if pairs.is_empty() {
        format!("/api/actions/consent/{kind}")
    } else {
        format!("/api/actions/consent/{kind}?{}", pairs.join("&"))
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters and `,` kept).
pub fn encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~,".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

const PARAM_KEYS: [&str; 7] = [
    "grant", "grantee", "guardian", "classes", "actions", "purposes", "days",
];

fn label(kind: &str) -> &'static str {
    match kind {
        "approve" => "Approve",
        "reject" => "Reject",
        "revoke" => "Revoke",
        "amend" => "Change",
        "review" => "Mark reviewed",
        "grant" => "Grant access",
        "guardian" => "Name guardian",
        _ => "End guardianship",
    }
}

/// The form of a decision that takes parameters (grant, guardian).
fn form(kind: &str, base: &str, title: String, params: &Params) -> Value {
    let who = if kind == "grant" {
        "grantee"
    } else {
        "guardian"
    };
    let options = |names: &[&str]| -> Vec<Value> {
        names
            .iter()
            .map(|n| json!({ "label": n.replace('-', " "), "value": n }))
            .collect()
    };
    let purposes: Vec<Value> = consent::purpose::NAMES
        .iter()
        .map(|p| json!({ "label": decision::purpose_words(p), "value": p }))
        .collect();
    json!({
        "type": "action",
        "icon": format!("{base}/icon.svg"),
        "title": title,
        "description": if kind == "grant" {
            "Choose a registered provider (its wallet address), the kinds of data it may see, why, and for how long. You will see exactly what you sign before your wallet asks."
        } else {
            "Choose the person who may decide for you (their wallet address), for which kinds of data, and for how long. A guardian can narrow or revoke grants, never widen them."
        },
        "label": label(kind),
        "links": { "actions": [{
            "type": "transaction",
            "label": label(kind),
            "href": format!("/api/actions/consent/{kind}?{who}={{{who}}}&classes={{classes}}&actions={{actions}}&purposes={{purposes}}&days={{days}}"),
            "parameters": [
                { "name": who, "label": format!("{who} wallet address"), "required": true, "type": "text",
                  "pattern": "^[1-9A-HJ-NP-Za-km-z]{32,44}$", "patternDescription": "a base58 public key" },
                { "name": "classes", "label": "data classes", "required": true, "type": "checkbox",
                  "options": options(&consent::class::NAMES) },
                { "name": "actions", "label": "what it may do", "required": true, "type": "checkbox",
                  "options": options(&consent::action::NAMES) },
                { "name": "purposes", "label": "for what purpose", "required": true, "type": "checkbox",
                  "options": purposes },
                { "name": "days", "label": "for how many days", "required": true, "type": "number",
                  "min": 1, "max": decision::MAX_DAYS }
            ]
        }]},
        "prefilled": params,
    })
}

async fn get_action(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
    headers: HeaderMap,
    q: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
) -> Result<Json<Value>, ApiError> {
    let params = query(q)?;
    let base = base_url(&state, &headers);
    if !KINDS.contains(&kind.as_str()) {
        decision(&kind, &params)?; // the 404 with the known kinds
    }
    if (kind == "grant" || kind == "guardian")
        && !(params.contains_key("classes") && params.contains_key("days"))
    {
        let who = if kind == "grant" {
            "grantee"
        } else {
            "guardian"
        };
        let title = match params.get(who) {
            Some(w) => {
                let w = parse_pubkey(who, w)?;
                let name = state.ledger(move |l| decision::short_party(l, &w)).await?;
                if kind == "grant" {
                    format!("Give {name} access to your record")
                } else {
                    format!("Name {name} your guardian")
                }
            }
            None if kind == "grant" => "Give a provider access to your record".to_string(),
            None => "Name a guardian".to_string(),
        };
        return Ok(Json(form(&kind, &base, title, &params)));
    }
    let d = decision(&kind, &params)?;
    // Described as its patient would sign it (the patient of the grant, or for decisions that
    // create accounts, a placeholder account: the POST describes it for the real signer).
    let sponsor = state.config.sponsor.as_ref().map(|k| k.pubkey());
    let described = state
        .ledger(move |l| {
            let patient = match &d {
                PatientDecision::Approve { grant }
                | PatientDecision::Reject { grant }
                | PatientDecision::Revoke { grant }
                | PatientDecision::Review { grant }
                | PatientDecision::Amend { grant, .. } => {
                    consent::fetch_grant(l, grant)?
                        .ok_or_else(|| Error::not_found("grant", *grant))?
                        .patient
                }
                _ => Pubkey::new_from_array([1; 32]),
            };
            Ok(
                match decision::prepare(l, &d, &patient, &sponsor.unwrap_or(patient)) {
                    Ok(p) => Ok(p),
                    Err(e @ (Error::Conflict(_) | Error::Forbidden(_))) => Err(e.to_string()),
                    Err(e) => return Err(e),
                },
            )
        })
        .await?;
    let keys: Vec<&str> = PARAM_KEYS.to_vec();
    Ok(Json(match described {
        Ok(p) => {
            let mut links = vec![json!({
                "type": "transaction",
                "label": label(&kind),
                "href": href(&kind, &params, &keys),
            })];
            if kind == "approve" {
                links.push(json!({
                    "type": "transaction",
                    "label": label("reject"),
                    "href": href("reject", &params, &keys),
                }));
            }
            json!({
                "type": "action",
                "icon": format!("{base}/icon.svg"),
                "title": p.title,
                "description": p.description,
                "label": label(&kind),
                "links": { "actions": links },
            })
        }
        Err(reason) => json!({
            "type": "action",
            "icon": format!("{base}/icon.svg"),
            "title": format!("{} — not available", label(&kind)),
            "description": reason,
            "label": label(&kind),
            "disabled": true,
            "error": { "message": reason },
        }),
    }))
}

#[derive(Deserialize)]
struct PostBody {
    account: String,
}

/// What a POST builds: the transaction for `account`, partially signed by the sponsor.
fn build(
    ledger: &dyn caretrail_sdk::Ledger,
    d: &PatientDecision,
    account: &Pubkey,
    sponsor: Option<&caretrail_sdk::solana_sdk::signature::Keypair>,
) -> caretrail_sdk::Result<(Prepared, Transaction)> {
    let fee_payer = sponsor.map(|k| k.pubkey()).unwrap_or(*account);
    let prepared = decision::prepare(ledger, d, account, &fee_payer)?;
    let mut tx = Transaction::new_with_payer(&prepared.instructions, Some(&fee_payer));
    let blockhash = ledger.latest_blockhash()?;
    tx.message.recent_blockhash = blockhash;
    if let Some(k) = sponsor {
        tx.partial_sign(&[k], blockhash);
    }
    Ok((prepared, tx))
}

async fn post_action(
    State(state): State<Arc<AppState>>,
    Path(kind): Path<String>,
    q: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
    JsonBody(body): JsonBody<PostBody>,
) -> Result<Json<Value>, ApiError> {
    let params = query(q)?;
    let d = decision(&kind, &params)?;
    let account = parse_pubkey("account", &body.account)?;
    let sponsor = state.config.sponsor.clone();
    let d2 = d.clone();
    let (prepared, tx) = state
        .ledger(move |l| build(l, &d2, &account, sponsor.as_deref()))
        .await?;
    if prepared.rent > 0 && state.config.sponsor.is_some() {
        let day = caretrail_sdk::util::unix_now().div_euclid(86_400);
        if !state
            .sponsor_budget
            .take(&account, day, state.config.sponsored_rent_per_day)
        {
            let mut e = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "sponsor_budget_spent",
                format!(
                    "the clinic sponsors {} decisions that cost rent per account per day; this account has used them",
                    state.config.sponsored_rent_per_day
                ),
            );
            e.retry_after =
                Some(86_400 - caretrail_sdk::util::unix_now().rem_euclid(86_400) as u64);
            return Err(e);
        }
    }
    let mut next = format!("/api/actions/consent/next?kind={kind}");
    for k in ["grant", "grantee", "guardian"] {
        if let Some(v) = params.get(k) {
            next.push_str(&format!("&{k}={}", encode(v)));
        }
    }
    Ok(Json(json!({
        "type": "transaction",
        "transaction": offline::to_base64(&tx),
        "message": prepared.description,
        "links": { "next": { "type": "post", "href": next } },
    })))
}

#[derive(Deserialize)]
struct NextBody {
    account: String,
    signature: String,
}

/// The outcome of a landed decision, as a completed action.
async fn next(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    q: Result<Query<Params>, axum::extract::rejection::QueryRejection>,
    JsonBody(body): JsonBody<NextBody>,
) -> Result<Json<Value>, ApiError> {
    let params = query(q)?;
    let kind = params.get("kind").cloned().unwrap_or_default();
    if !KINDS.contains(&kind.as_str()) {
        return Err(ApiError::bad_request(format!(
            "kind: {kind:?} is not one of {}",
            KINDS.join(", ")
        )));
    }
    let account = parse_pubkey("account", &body.account)?;
    let signature: Signature = body.signature.trim().parse().map_err(|_| {
        ApiError::bad_request(format!(
            "signature: {:?} is not a base58 transaction signature",
            body.signature.chars().take(100).collect::<String>()
        ))
    })?;
    let base = base_url(&state, &headers);
    let (title, description) = state
        .ledger(move |l| {
            let Some(record) = l.transaction(&signature)? else {
                return Ok(None);
            };
            if let Some(e) = &record.error {
                return Err(Error::Conflict(format!("the transaction failed: {e}")));
            }
            outcome(l, &record, &account).map(Some)
        })
        .await?
        .ok_or_else(|| ApiError::not_found(format!("the ledger has no transaction {signature}")))?;
    Ok(Json(json!({
        "type": "completed",
        "icon": format!("{base}/icon.svg"),
        "title": title,
        "description": description,
        "label": "Done",
    })))
}

/// What a consent transaction did, in words, from its events.
fn outcome(
    l: &dyn caretrail_sdk::Ledger,
    record: &caretrail_sdk::ledger::TxRecord,
    account: &Pubkey,
) -> caretrail_sdk::Result<(String, String)> {
    use caretrail_sdk::events::{CaretrailEvent, ConsentEvent as E};
    let grant_words = |grant: &Pubkey| -> caretrail_sdk::Result<String> {
        let g = consent::fetch_grant(l, grant)?.ok_or_else(|| Error::not_found("grant", *grant))?;
        Ok(format!(
            "{} may {} until {}",
            decision::party(l, &g.grantee)?,
            decision::scope_words(&g.scope),
            &caretrail_sdk::util::rfc3339(g.expires_at)[..10]
        ))
    };
    for ev in record.events() {
        let CaretrailEvent::Consent(e) = ev else {
            continue;
        };
        let by_account = |by: &Pubkey| by == account;
        let said = match &e {
            E::GrantApproved(x) if by_account(&x.by) => Some((
                "Approved".to_string(),
                format!("{}.", grant_words(&x.grant)?),
            )),
            E::GrantCreated(x) if by_account(&x.by) => Some((
                "Access granted".to_string(),
                format!("{}.", grant_words(&x.grant)?),
            )),
            E::GrantRejected(x) if by_account(&x.by) => Some((
                "Rejected".to_string(),
                "The request was rejected: it gives no access.".to_string(),
            )),
            E::GrantRevoked(x) if by_account(&x.by) => {
                let g = consent::fetch_grant(l, &x.grant)?
                    .ok_or_else(|| Error::not_found("grant", x.grant))?;
                Some((
                    "Revoked".to_string(),
                    format!(
                        "{} may no longer {}.",
                        decision::party(l, &g.grantee)?,
                        decision::scope_words(&g.scope)
                    ),
                ))
            }
            E::GrantAmended(x) if by_account(&x.by) => Some((
                "Changed".to_string(),
                format!("{}.", grant_words(&x.grant)?),
            )),
            E::EmergencyReviewed(x) if by_account(&x.patient) => Some((
                "Reviewed".to_string(),
                "The emergency access is marked as reviewed.".to_string(),
            )),
            E::DelegateSet(x) if by_account(&x.patient) => Some((
                "Guardian named".to_string(),
                format!(
                    "{} may decide for you until {}.",
                    decision::party(l, &x.guardian)?,
                    &caretrail_sdk::util::rfc3339(x.expires_at)[..10]
                ),
            )),
            E::DelegateRemoved(x) if by_account(&x.patient) => Some((
                "Guardianship ended".to_string(),
                format!(
                    "{} may no longer decide for you.",
                    decision::party(l, &x.guardian)?
                ),
            )),
            _ => None,
        };
        if let Some(s) = said {
            return Ok(s);
        }
    }
    Err(Error::Conflict(format!(
        "transaction {} made no consent decision of {account}",
        record.signature
    )))
}

#[derive(Deserialize)]
pub(crate) struct SubmitBody {
    pub transaction: String,
}

const SYSTEM_PROGRAM: Pubkey =
    caretrail_sdk::solana_sdk::pubkey!("11111111111111111111111111111111");
const COMPUTE_BUDGET_PROGRAM: Pubkey =
    caretrail_sdk::solana_sdk::pubkey!("ComputeBudget111111111111111111111111111111");

/// Programs a submitted transaction may call: consent, the system transfer a sponsor adds, and
/// the compute budget.
fn allowed_program(p: &Pubkey) -> bool {
    [consent::PROGRAM_ID, SYSTEM_PROGRAM, COMPUTE_BUDGET_PROGRAM].contains(p)
}

/// `POST /api/transactions`: a signed consent transaction, submitted to the ledger.
pub(crate) async fn submit(
    State(state): State<Arc<AppState>>,
    JsonBody(body): JsonBody<SubmitBody>,
) -> Result<Json<Value>, ApiError> {
    let tx = offline::from_base64(&body.transaction)
        .map_err(|e| ApiError::bad_request(format!("transaction: {e}")))?;
    let keys = &tx.message.account_keys;
    for ix in &tx.message.instructions {
        let p = keys
            .get(ix.program_id_index as usize)
            .ok_or_else(|| ApiError::bad_request("transaction: a program index is out of range"))?;
        if !allowed_program(p) {
            return Err(ApiError::forbidden(format!(
                "this server submits consent transactions only, not calls of program {p}"
            )));
        }
    }
    let missing = offline::missing_signers(&tx);
    if !missing.is_empty() {
        return Err(ApiError::bad_request(format!(
            "transaction: not signed by {}",
            missing
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if tx.verify().is_err() {
        return Err(ApiError::bad_request(
            "transaction: a signature does not match the message (was it changed after signing?)",
        ));
    }
    let outcome = state.ledger(move |l| l.send_transaction(&tx)).await?;
    Ok(Json(json!({
        "signature": outcome.signature.to_string(),
        "slot": outcome.slot,
    })))
}
