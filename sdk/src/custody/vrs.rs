//! DSCSA verification of product identifiers between trading partners who may share no
//! ledger: the **VRS** of the GS1 Lightweight Messaging Standard for Verification of Product
//! Identifiers (GS1 US implementation guideline), both ends.
//!
//! - The **responder** ([`Responder::respond`]) answers, for the GTINs under the company
//!   prefixes the registry licenses to the manufacturer it runs for,
//!   `GET {base}/gtin/{gtin}/lot/{lot}/ser/{serial}?exp=YYMMDD&linkType=verificationService&context=dscsaSaleableReturn&reqGLN={GLN}&corrUUID={uuid}`
//!   from chain state: HTTP 200 with
//!   `{verificationTimestamp, responderGLN, data: {verified, verificationFailureReason?, additionalInfo?}, corrUUID}`.
//!   The requester's GLN must be an authorized trading partner in the registry before
//!   anything is answered: unknown → 401, known but not in good standing or not a trading
//!   partner → 403. A malformed request is a bare 400, a GTIN it does not serve a bare 404:
//!   only a 200 carries a body.
//! - The **requester** ([`Requester::verify`]) asks a partner's VRS about a scanned package
//!   and maps the answer to the verification names `custody verify` prints; every request
//!   has a timeout and a bounded number of retries, so a receiving dock never hangs on it.

use crate::custody::{self as cus, LotStatus, UnitKind, UnitStatus};
use crate::gs1::{self, Gs1Code};
use crate::ledger::Ledger;
use crate::registry::{self as reg, ParticipantQuery};
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use solana_sdk::pubkey::Pubkey;
use std::time::Duration;

/// The `GS1US-Version` this implementation speaks (sent and answered).
pub const GS1US_VERSION: &str = "1.3";
/// Versions of the guideline whose requests are answered.
pub const ACCEPTED_VERSIONS: [&str; 3] = ["1.2", "1.3", "1.3.0"];
/// The only `linkType` a verification request carries.
pub const LINK_TYPE: &str = "verificationService";
/// The verification contexts answered.
pub const CONTEXTS: [&str; 1] = ["dscsaSaleableReturn"];

/// Why a serialized product identifier did not verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum FailureReason {
    #[serde(rename = "No_match_GTIN_Serial")]
    NoMatchGtinSerial,
    #[serde(rename = "No_match_GTIN_Serial_Lot")]
    NoMatchGtinSerialLot,
    #[serde(rename = "No_match_GTIN_Serial_Expiry")]
    NoMatchGtinSerialExpiry,
    #[serde(rename = "No_match_GTIN_Serial_Lot_Expiry")]
    NoMatchGtinSerialLotExpiry,
    #[serde(rename = "No_reason_provided")]
    NoReasonProvided,
}

/// What the responder adds about a product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AdditionalInfo {
    Recalled,
    Suspect,
    Illegitimate,
    Expired,
}

/// The `data` of a verification response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationData {
    pub verified: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification_failure_reason: Option<FailureReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<AdditionalInfo>,
}

impl VerificationData {
    fn verified(info: Option<AdditionalInfo>) -> Self {
        VerificationData {
            verified: true,
            verification_failure_reason: None,
            additional_info: info,
        }
    }

    fn failed(reason: FailureReason, info: Option<AdditionalInfo>) -> Self {
        VerificationData {
            verified: false,
            verification_failure_reason: Some(reason),
            additional_info: info,
        }
    }

    /// The `custody verify` name of this answer (`genuine`, `lot_recalled`, `quarantined`,
    /// `expired`, `illegitimate`, `unknown_serial`, `label_mismatch`), or `not_verified`
    /// when the responder gave no reason.
    pub fn result_name(&self) -> &'static str {
        match (
            self.verified,
            self.verification_failure_reason,
            self.additional_info,
        ) {
            (_, _, Some(AdditionalInfo::Illegitimate)) => "illegitimate",
            (true, _, None) => "genuine",
            (true, _, Some(AdditionalInfo::Recalled)) => "lot_recalled",
            (true, _, Some(AdditionalInfo::Suspect)) => "quarantined",
            (true, _, Some(AdditionalInfo::Expired)) => "expired",
            (false, Some(FailureReason::NoMatchGtinSerial), _) => "unknown_serial",
            (
                false,
                Some(
                    FailureReason::NoMatchGtinSerialLot
                    | FailureReason::NoMatchGtinSerialExpiry
                    | FailureReason::NoMatchGtinSerialLotExpiry,
                ),
                _,
            ) => "label_mismatch",
            (false, _, _) => "not_verified",
        }
    }
}

/// A verification response (HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationResponse {
    pub verification_timestamp: String,
    #[serde(rename = "responderGLN")]
    pub responder_gln: String,
    pub data: VerificationData,
    #[serde(rename = "corrUUID")]
    pub corr_uuid: String,
}

/// A connectivity check's response (HTTP 200).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectivityResponse {
    #[serde(rename = "responderGLN")]
    pub responder_gln: String,
    #[serde(rename = "corrUUID")]
    pub corr_uuid: String,
    #[serde(rename = "connectivityTimestamp")]
    pub timestamp: String,
}

/// A verification request, parsed and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyRequest {
    pub gtin: String,
    pub lot: String,
    pub serial: String,
    /// `exp` as YYYYMMDD (day 00 resolved to the month's last day).
    pub expiry: u32,
    pub context: String,
    pub req_gln: String,
    pub corr_uuid: String,
}

/// What a responder answers: the HTTP status, and the body of a 200.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub body: Option<serde_json::Value>,
    /// Why a request was refused, for the responder's own log (never sent).
    pub why: Option<String>,
}

impl Answer {
    fn refuse(status: u16, why: impl Into<String>) -> Answer {
        Answer {
            status,
            body: None,
            why: Some(why.into()),
        }
    }

    fn ok(body: impl Serialize) -> Answer {
        Answer {
            status: 200,
            body: Some(serde_json::to_value(body).expect("plain data")),
            why: None,
        }
    }
}

/// The value of a query parameter (the first, when repeated).
fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A corrUUID: a UUID in its 8-4-4-4-12 hexadecimal form.
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// A new random (version 4) UUID.
pub fn new_uuid() -> String {
    let mut b: [u8; 16] = crate::hash::random_salt()[..16]
        .try_into()
        .expect("16 bytes");
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = crate::util::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

/// The requester's GLN and correlation id every request carries.
fn caller(query: &[(String, String)]) -> std::result::Result<(String, String), String> {
    let gln = param(query, "reqGLN").ok_or("no reqGLN")?;
    reg::parse_gln(gln).map_err(|e| format!("reqGLN: {e}"))?;
    let corr = param(query, "corrUUID").ok_or("no corrUUID")?;
    if !is_uuid(corr) {
        return Err(format!("corrUUID {corr:?} is not a UUID"));
    }
    Ok((gln.to_string(), corr.to_string()))
}

impl VerifyRequest {
    /// Checks the path's `gtin`, `lot`, `serial` and the query (`exp`, `linkType`, `context`,
    /// `reqGLN`, `corrUUID`): the reason in words when it is malformed.
    pub fn parse(
        gtin: &str,
        lot: &str,
        serial: &str,
        query: &[(String, String)],
    ) -> std::result::Result<VerifyRequest, String> {
        let (req_gln, corr_uuid) = caller(query)?;
        match param(query, "linkType") {
            Some(LINK_TYPE) | None => {}
            Some(other) => return Err(format!("linkType {other:?} is not {LINK_TYPE}")),
        }
        let context = param(query, "context").ok_or("no context")?;
        if !CONTEXTS.contains(&context) {
            return Err(format!("context {context:?} is not answered"));
        }
        let exp = param(query, "exp").ok_or("no exp")?;
        // The identifiers as one element string: the GS1 parser checks the GTIN's check
        // digit, the lot's and serial's characters and lengths, and the date.
        let element = format!("01{gtin}17{exp}10{lot}\u{1d}21{serial}");
        let code = gs1::parse(&element).map_err(|e| e.to_string())?;
        if code.lot.as_deref() != Some(lot) || code.serial.as_deref() != Some(serial) {
            return Err("lot or serial holds a separator".into());
        }
        Ok(VerifyRequest {
            gtin: gtin.to_string(),
            lot: lot.to_string(),
            serial: serial.to_string(),
            expiry: code
                .expiry
                .map(|d| d.year as u32 * 10_000 + d.month * 100 + d.day)
                .ok_or("no expiry")?,
            context: context.to_string(),
            req_gln,
            corr_uuid,
        })
    }
}

/// A VRS answering for one manufacturer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Responder {
    pub manufacturer: Pubkey,
    /// The manufacturer's registered GLN (`responderGLN`).
    pub gln: String,
}

impl Responder {
    /// The responder of a registered manufacturer (its GLN from the registry).
    pub fn new(ledger: &dyn Ledger, manufacturer: Pubkey) -> Result<Responder> {
        let p = reg::fetch_participant(ledger, &manufacturer)?
            .ok_or_else(|| Error::not_found("participant", manufacturer))?;
        if !p.has_any_role(reg::roles::MANUFACTURER | reg::roles::REPACKAGER) {
            return Err(Error::invalid(format!(
                "{manufacturer} is not a manufacturer or repackager: a VRS answers for the brand owner"
            )));
        }
        Ok(Responder {
            manufacturer,
            gln: reg::gln_str(&p.gln),
        })
    }

    /// Is `req_gln` an authorized trading partner now? `None` when it is; else the status
    /// (401 unknown, 403 not in good standing or no trading-partner role) and why.
    pub fn authorize(&self, ledger: &dyn Ledger, req_gln: &str) -> Result<Option<(u16, String)>> {
        let gln = reg::parse_gln(req_gln)?;
        let found = reg::list_participants(
            ledger,
            &ParticipantQuery {
                gln: Some(gln),
                ..Default::default()
            },
        )?;
        if found.is_empty() {
            return Ok(Some((
                401,
                format!("no registered party has GLN {req_gln}"),
            )));
        }
        let now = ledger.get_clock()?.unix_timestamp;
        let standing = found.iter().any(|(_, p)| {
            p.check_role(&p.wallet, reg::roles::TRADING_PARTNER, now)
                .is_ok()
        });
        Ok((!standing).then(|| {
            (
                403,
                format!("GLN {req_gln} is not an authorized trading partner in good standing"),
            )
        }))
    }

    /// Does this responder answer for `gtin` (its company prefix licensed to the manufacturer)?
    pub fn serves(&self, ledger: &dyn Ledger, gtin: &str) -> Result<bool> {
        Ok(reg::find_prefix(ledger, gtin.as_bytes())?
            .is_some_and(|(_, p)| p.holder == self.manufacturer))
    }

    /// The answer to `GET …/gtin/{gtin}/lot/{lot}/ser/{serial}?{query}`: parse (400),
    /// authorize the requester (401 / 403), the GTIN served (404), then the chain's answer.
    pub fn respond(
        &self,
        ledger: &dyn Ledger,
        (gtin, lot, serial): (&str, &str, &str),
        query: &[(String, String)],
    ) -> Result<Answer> {
        let request = match VerifyRequest::parse(gtin, lot, serial, query) {
            Ok(r) => r,
            Err(why) => return Ok(Answer::refuse(400, why)),
        };
        if let Some((status, why)) = self.authorize(ledger, &request.req_gln)? {
            return Ok(Answer::refuse(status, why));
        }
        if !self.serves(ledger, &request.gtin)? {
            return Ok(Answer::refuse(
                404,
                format!(
                    "GTIN {} is not under this manufacturer's prefixes",
                    request.gtin
                ),
            ));
        }
        let data = answer(ledger, &request)?;
        Ok(Answer::ok(VerificationResponse {
            verification_timestamp: timestamp(),
            responder_gln: self.gln.clone(),
            data,
            corr_uuid: request.corr_uuid,
        }))
    }

    /// The answer to `GET …/checkConnectivity?reqGLN=…&corrUUID=…`.
    pub fn connectivity(&self, ledger: &dyn Ledger, query: &[(String, String)]) -> Result<Answer> {
        let (req_gln, corr_uuid) = match caller(query) {
            Ok(c) => c,
            Err(why) => return Ok(Answer::refuse(400, why)),
        };
        if let Some((status, why)) = self.authorize(ledger, &req_gln)? {
            return Ok(Answer::refuse(status, why));
        }
        Ok(Answer::ok(ConnectivityResponse {
            responder_gln: self.gln.clone(),
            corr_uuid,
            timestamp: timestamp(),
        }))
    }
}

/// Now, RFC 3339 in UTC.
fn timestamp() -> String {
    crate::util::rfc3339(crate::util::unix_now())
}

/// The chain's answer about a serialized package (see the module docs for the mapping).
pub fn answer(ledger: &dyn Ledger, r: &VerifyRequest) -> Result<VerificationData> {
    use AdditionalInfo as Info;
    let gtin = cus::parse_gtin(&r.gtin)?;
    let address = cus::unit_pda(&gtin, &r.serial).0;
    let unit = match cus::fetch_unit(ledger, &address)? {
        Some(u) if u.kind == UnitKind::Item => u,
        _ => {
            return Ok(VerificationData::failed(
                FailureReason::NoMatchGtinSerial,
                None,
            ))
        }
    };
    let lot =
        cus::fetch_lot(ledger, &unit.lot)?.ok_or_else(|| Error::not_found("lot", unit.lot))?;
    let lot_ok = cus::lot_pda(&gtin, &r.lot).0 == unit.lot;
    let expiry_ok = r.expiry == lot.expiry_date;
    let mismatch = match (lot_ok, expiry_ok) {
        (true, true) => None,
        (false, true) => Some(FailureReason::NoMatchGtinSerialLot),
        (true, false) => Some(FailureReason::NoMatchGtinSerialExpiry),
        (false, false) => Some(FailureReason::NoMatchGtinSerialLotExpiry),
    };
    if let Some(reason) = mismatch {
        return Ok(VerificationData::failed(reason, None));
    }
    match unit.status {
        UnitStatus::Illegitimate => {
            return Ok(VerificationData::failed(
                FailureReason::NoReasonProvided,
                Some(Info::Illegitimate),
            ))
        }
        // Not saleable again, and the standard has no code saying why.
        UnitStatus::Dispensed | UnitStatus::Decommissioned | UnitStatus::Destroyed => {
            return Ok(VerificationData::failed(
                FailureReason::NoReasonProvided,
                None,
            ))
        }
        _ => {}
    }
    if lot.status == LotStatus::Recalled {
        return Ok(VerificationData::verified(Some(Info::Recalled)));
    }
    // A packed unit follows the aggregate it travels in (read only when it is packed).
    let quarantined = unit.status == UnitStatus::Quarantined
        || (unit.in_aggregate()
            && cus::top_most(ledger, &address)?
                .is_some_and(|(_, top)| top.status == UnitStatus::Quarantined));
    if quarantined {
        return Ok(VerificationData::verified(Some(Info::Suspect)));
    }
    if unit.is_expired(ledger.get_clock()?.unix_timestamp) {
        return Ok(VerificationData::verified(Some(Info::Expired)));
    }
    Ok(VerificationData::verified(None))
}

/// A partner's VRS, asked over HTTP.
#[derive(Debug, Clone)]
pub struct Requester {
    /// The responder's base URL (`https://vrs.example.com/vrs`); requests go to
    /// `{base}/gtin/…` and `{base}/checkConnectivity`.
    pub base: String,
    /// The requester's own GLN (`reqGLN`).
    pub req_gln: String,
    /// Per attempt, connecting included (set before the first request).
    pub timeout: Duration,
    /// Attempts after the first, on no answer, 408, 429 and 5xx.
    pub retries: u32,
    /// Wait before the first retry (doubled each time).
    pub backoff: Duration,
    /// The HTTP client, built at the first request with `timeout` (connections are reused).
    client: std::sync::OnceLock<std::result::Result<reqwest::blocking::Client, String>>,
}

/// The requester's view of one verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VrsVerification {
    /// The `custody verify` name of the answer (see [`VerificationData::result_name`]).
    pub result: &'static str,
    pub url: String,
    pub attempts: u32,
    #[serde(flatten)]
    pub response: VerificationResponse,
}

impl Requester {
    /// A requester with a 5-second timeout and two retries.
    pub fn new(base: &str, req_gln: &str) -> Result<Requester> {
        reg::parse_gln(req_gln)?;
        let base = base.trim_end_matches('/').to_string();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Error::invalid(format!(
                "{base:?}: a VRS is reached at an http:// or https:// URL"
            )));
        }
        Ok(Requester {
            base,
            req_gln: req_gln.to_string(),
            timeout: Duration::from_secs(5),
            retries: 2,
            backoff: Duration::from_millis(250),
            client: std::sync::OnceLock::new(),
        })
    }

    /// The request URL of `code` (a package's GTIN, serial, lot and expiry are all needed).
    pub fn verify_url(&self, code: &Gs1Code, corr_uuid: &str) -> Result<String> {
        let need = |v: &Option<String>, what: &str| {
            v.clone().ok_or_else(|| {
                Error::invalid(format!(
                    "a VRS request needs the package's {what}: scan the whole 2D barcode"
                ))
            })
        };
        let gtin = need(&code.gtin, "GTIN (AI 01)")?;
        let serial = need(&code.serial, "serial number (AI 21)")?;
        let lot = need(&code.lot, "lot number (AI 10)")?;
        let expiry = code.expiry.as_ref().ok_or_else(|| {
            Error::invalid(
                "a VRS request needs the package's expiry (AI 17): scan the whole 2D barcode",
            )
        })?;
        let enc = |s: &str| crate::custody::epcis::encode_segment(s);
        Ok(format!(
            "{}/gtin/{gtin}/lot/{}/ser/{}?exp={:02}{:02}{:02}&linkType={LINK_TYPE}&context={}&reqGLN={}&corrUUID={corr_uuid}",
            self.base,
            enc(&lot),
            enc(&serial),
            expiry.year % 100,
            expiry.month,
            expiry.day,
            CONTEXTS[0],
            self.req_gln
        ))
    }

    /// GETs `url` with retries: the status and body of the first answer that is not worth
    /// retrying, or an error naming the last failure.
    fn get(&self, url: &str) -> Result<(u16, String, u32)> {
        let client = self
            .client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(self.timeout)
                    .connect_timeout(self.timeout)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(|e| Error::Remote(format!("HTTP client: {e}")))?;
        let mut wait = self.backoff;
        let mut last = String::new();
        for attempt in 1..=self.retries + 1 {
            match client
                .get(url)
                .header("GS1US-Version", GS1US_VERSION)
                .header("Accept", "application/json")
                .send()
            {
                Ok(r) => {
                    let status = r.status().as_u16();
                    let body = r.text().unwrap_or_default();
                    if !matches!(status, 408 | 429 | 500..=599) {
                        return Ok((status, body, attempt));
                    }
                    last = format!("HTTP {status}");
                }
                Err(e) if e.is_timeout() => {
                    last = format!("no answer within {} ms", self.timeout.as_millis())
                }
                Err(e) => last = format!("{e}"),
            }
            if attempt <= self.retries {
                std::thread::sleep(wait);
                wait *= 2;
            }
        }
        Err(Error::Remote(format!(
            "the VRS at {} did not answer after {} attempts: {last}",
            self.base,
            self.retries + 1
        )))
    }

    /// Asks the responder about a scanned package.
    pub fn verify(&self, code: &Gs1Code) -> Result<VrsVerification> {
        let corr = new_uuid();
        let url = self.verify_url(code, &corr)?;
        let (status, body, attempts) = self.get(&url)?;
        if status != 200 {
            return Err(refusal(status, &self.base));
        }
        let response: VerificationResponse = serde_json::from_str(&body).map_err(|e| {
            Error::Remote(format!(
                "the VRS at {} answered an unreadable body: {e}",
                self.base
            ))
        })?;
        if response.corr_uuid != corr {
            return Err(Error::Remote(format!(
                "the VRS at {} answered corrUUID {} to request {corr}",
                self.base, response.corr_uuid
            )));
        }
        Ok(VrsVerification {
            result: response.data.result_name(),
            url,
            attempts,
            response,
        })
    }

    /// `checkConnectivity`: the responder's GLN when it answers us.
    pub fn check_connectivity(&self) -> Result<ConnectivityResponse> {
        let corr = new_uuid();
        let url = format!(
            "{}/checkConnectivity?reqGLN={}&corrUUID={corr}",
            self.base, self.req_gln
        );
        let (status, body, _) = self.get(&url)?;
        if status != 200 {
            return Err(refusal(status, &self.base));
        }
        serde_json::from_str(&body).map_err(|e| {
            Error::Remote(format!(
                "the VRS at {} answered an unreadable body: {e}",
                self.base
            ))
        })
    }
}

/// A responder's bare status code, in words.
fn refusal(status: u16, base: &str) -> Error {
    let why = match status {
        400 => "the request was malformed",
        401 => "it does not know our GLN as a trading partner",
        403 => "our GLN is not an authorized trading partner in good standing",
        404 => "it does not answer for this GTIN",
        405 => "it does not take GET",
        _ => "unexpected status",
    };
    Error::Remote(format!("the VRS at {base} answered HTTP {status}: {why}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const UUID: &str = "2d4b6b1c-5f8e-4a3b-9c1d-0e2f3a4b5c6d";

    #[test]
    fn requests_are_parsed_and_malformed_ones_named() {
        let good = q(&[
            ("exp", "271200"),
            ("linkType", "verificationService"),
            ("context", "dscsaSaleableReturn"),
            ("reqGLN", "0614141000029"),
            ("corrUUID", UUID),
        ]);
        let r = VerifyRequest::parse("09501101020917", "LOT-A1", "SN/1", &good).unwrap();
        assert_eq!(r.expiry, 20271231, "day 00 is the month's last");
        assert_eq!(r.serial, "SN/1");
        for (pairs, gtin, why) in [
            (&good[..], "09501101020918", "check digit"),
            (&good[1..], "09501101020917", "no exp"),
            (&good[..4], "09501101020917", "no corrUUID"),
        ] {
            let err = VerifyRequest::parse(gtin, "LOT-A1", "SN1", pairs).unwrap_err();
            assert!(err.contains(why), "{err}");
        }
        let mut bad = good.clone();
        bad[4].1 = "not-a-uuid".into();
        assert!(VerifyRequest::parse("09501101020917", "L", "S", &bad).is_err());
        bad = good.clone();
        bad[3].1 = "0614141000028".into();
        assert!(VerifyRequest::parse("09501101020917", "L", "S", &bad)
            .unwrap_err()
            .contains("reqGLN"));
        bad = good.clone();
        bad[2].1 = "dscsaSomethingElse".into();
        assert!(VerifyRequest::parse("09501101020917", "L", "S", &bad).is_err());
        bad = good.clone();
        bad[0].1 = "271332".into();
        assert!(VerifyRequest::parse("09501101020917", "L", "S", &bad).is_err());
    }

    #[test]
    fn answers_map_to_the_verification_names() {
        use AdditionalInfo as I;
        use FailureReason as F;
        let v = VerificationData::verified;
        let f = VerificationData::failed;
        for (data, name) in [
            (v(None), "genuine"),
            (v(Some(I::Recalled)), "lot_recalled"),
            (v(Some(I::Suspect)), "quarantined"),
            (v(Some(I::Expired)), "expired"),
            (
                f(F::NoReasonProvided, Some(I::Illegitimate)),
                "illegitimate",
            ),
            (f(F::NoMatchGtinSerial, None), "unknown_serial"),
            (f(F::NoMatchGtinSerialLot, None), "label_mismatch"),
            (f(F::NoMatchGtinSerialExpiry, None), "label_mismatch"),
            (f(F::NoMatchGtinSerialLotExpiry, None), "label_mismatch"),
            (f(F::NoReasonProvided, None), "not_verified"),
        ] {
            assert_eq!(data.result_name(), name, "{data:?}");
        }
        let json = serde_json::to_value(VerificationResponse {
            verification_timestamp: "2026-12-02T10:00:00Z".into(),
            responder_gln: "0614141000012".into(),
            data: f(F::NoMatchGtinSerialLot, None),
            corr_uuid: UUID.into(),
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "verificationTimestamp": "2026-12-02T10:00:00Z",
                "responderGLN": "0614141000012",
                "data": {"verified": false, "verificationFailureReason": "No_match_GTIN_Serial_Lot"},
                "corrUUID": UUID,
            })
        );
    }

    #[test]
    fn uuids_are_version_4() {
        let u = new_uuid();
        assert!(is_uuid(&u), "{u}");
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(new_uuid(), u);
    }

    #[test]
    fn a_requester_needs_the_whole_barcode() {
        let r = Requester::new("http://127.0.0.1:1/vrs/", "0614141000029").unwrap();
        let code = gs1::parse("(01)09501101020917(17)271231(10)LOT-A(21)S/1").unwrap();
        assert_eq!(
            r.verify_url(&code, UUID).unwrap(),
            format!("http://127.0.0.1:1/vrs/gtin/09501101020917/lot/LOT-A/ser/S%2F1?exp=271231&linkType=verificationService&context=dscsaSaleableReturn&reqGLN=0614141000029&corrUUID={UUID}")
        );
        let no_lot = gs1::parse("(01)09501101020917(21)S1").unwrap();
        assert!(r
            .verify_url(&no_lot, UUID)
            .unwrap_err()
            .to_string()
            .contains("lot number"));
        assert!(Requester::new("ftp://x", "0614141000029").is_err());
    }
}
