//! Claim intake from an X12 837 (`caretrail claims submit --x12 FILE`) or a FHIR R4 Claim
//! (`--from-fhir FILE`): every claim is checked and mapped first — the subscriber's member id to its coverage
//! through the provider's member file, a replacement's or void's original claim — and only
//! then submitted, one transaction per claim. Only the claim id's salted hash, the coverage,
//! the amount and the claim's document hash reach the chain.
//!
//! Safe to re-run: a claim already on chain is reported `already_submitted` (a void already
//! voided, `already_voided`), never sent twice.

use super::*;
use crate::x12::Claim837;
use std::collections::HashMap;

/// The provider's member file: member id → coverage, from a CSV with a `member_id` column and
/// either a `coverage` column (the coverage account, as the eligibility check gave it) or a
/// `member_salt` column (hex; the coverage is derived from `sha256(salt ‖ member id)`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFile {
    coverages: HashMap<String, CoverageRef>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum CoverageRef {
    Account(Pubkey),
    Salt([u8; 32]),
}

impl MemberFile {
    /// Reads the CSV (see the type's docs); a bad row is an error with its line.
    pub fn from_csv(text: &str) -> Result<MemberFile> {
        let rows = crate::custody::master_data::parse_csv(text.trim_start_matches('\u{feff}'))?;
        let mut rows = rows.into_iter();
        let Some((_, header)) = rows.next() else {
            return Err(Error::invalid("member file line 1: a header row is needed"));
        };
        let col = |name: &str| header.iter().position(|h| h.trim() == name);
        let id_col = col("member_id")
            .ok_or_else(|| Error::invalid("member file line 1: no member_id column"))?;
        let (coverage_col, salt_col) = (col("coverage"), col("member_salt"));
        if coverage_col.is_none() && salt_col.is_none() {
            return Err(Error::invalid(
                "member file line 1: a coverage or a member_salt column is needed",
            ));
        }
        let mut coverages = HashMap::new();
        for (line, row) in rows {
            let cell = |c: Option<usize>| {
                c.and_then(|c| row.get(c))
                    .map(|v| v.trim())
                    .filter(|v| !v.is_empty())
            };
            let bad = |why: String| Error::invalid(format!("member file line {line}: {why}"));
            let Some(id) = cell(Some(id_col)) else {
                continue;
            };
            let r = match (cell(coverage_col), cell(salt_col)) {
                (Some(c), _) => CoverageRef::Account(
                    c.parse()
                        .map_err(|_| bad(format!("coverage {c:?} is not an account address")))?,
                ),
                (None, Some(s)) => CoverageRef::Salt(
                    crate::util::parse_hex(s)
                        .and_then(|b| <[u8; 32]>::try_from(b).ok())
                        .ok_or_else(|| bad("member_salt is not 32 bytes of hex".into()))?,
                ),
                (None, None) => return Err(bad(format!("member {id} has no coverage"))),
            };
            if coverages.insert(id.to_string(), r).is_some() {
                return Err(bad(format!("member {id} is listed twice")));
            }
        }
        Ok(MemberFile { coverages })
    }

    /// The coverage of `member_id` at `payer` (the payer PDA).
    pub fn coverage(&self, payer: &Pubkey, member_id: &str) -> Option<Pubkey> {
        self.coverages.get(member_id).map(|r| match r {
            CoverageRef::Account(a) => *a,
            CoverageRef::Salt(salt) => {
                coverage_pda(payer, &crate::hash::commit(salt, member_id.as_bytes())).0
            }
        })
    }
}

/// What intake did with one claim.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IntakeStatus {
    Submitted,
    AlreadySubmitted,
    Voided,
    AlreadyVoided,
    Rejected,
}

/// A claim to take in, from an 837 or a FHIR Claim.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeClaim {
    /// The provider's claim id (CLM01, `Claim.identifier`).
    pub claim_id: String,
    pub billed_cents: u64,
    /// 1 original, 7 replacement, 8 void.
    pub frequency: u8,
    /// The claim a replacement or void names.
    pub original: Option<String>,
    /// The subscriber's member id (never on chain).
    pub member_id: String,
    /// The hash of the claim's own content (its 837 segments, or the FHIR Claim file).
    #[serde(skip)]
    pub document_hash: [u8; 32],
    /// Where it stands in its file, for messages (`X12 segment 20`, `FHIR Claim`).
    pub source: String,
}

impl From<&Claim837> for IntakeClaim {
    fn from(c: &Claim837) -> Self {
        IntakeClaim {
            claim_id: c.claim_id.clone(),
            billed_cents: c.billed_cents,
            frequency: c.frequency,
            original: c.original.clone(),
            member_id: c.member_id.clone(),
            document_hash: c.document_hash,
            source: format!("X12 segment {}", c.segment),
        }
    }
}

/// One claim's line of the intake report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct IntakeLine {
    pub claim_id: String,
    /// Where it stands in its file (`X12 segment 20`, `FHIR Claim`).
    pub source: String,
    pub frequency: u8,
    pub status: IntakeStatus,
    #[serde(serialize_with = "crate::util::ser_display")]
    pub claim: Pubkey,
    pub billed: u64,
    pub reason: Option<String>,
    pub signature: Option<String>,
}

/// A claim ready to send.
struct Planned<'a> {
    claim: &'a IntakeClaim,
    coverage: Pubkey,
    billed: u64,
    address: Pubkey,
    original: Option<Pubkey>,
}

/// [`submit_claims`] of every claim of an 837.
pub fn submit_837(
    ledger: &dyn Ledger,
    provider: &Keypair,
    fee_payer: &Keypair,
    payer_authority: &Pubkey,
    members: &MemberFile,
    claims: &[Claim837],
) -> Result<Vec<IntakeLine>> {
    let claims: Vec<IntakeClaim> = claims.iter().map(IntakeClaim::from).collect();
    submit_claims(
        ledger,
        provider,
        fee_payer,
        payer_authority,
        members,
        &claims,
    )
}

/// Checks and maps every claim (an error names the claim and where it stands, and nothing is
/// sent), then submits each (or voids its original) as `provider` at the payer whose
/// authority is `payer_authority`.
pub fn submit_claims(
    ledger: &dyn Ledger,
    provider: &Keypair,
    fee_payer: &Keypair,
    payer_authority: &Pubkey,
    members: &MemberFile,
    claims: &[IntakeClaim],
) -> Result<Vec<IntakeLine>> {
    let payer = payer_pda(payer_authority).0;
    let p = fetch_payer(ledger, &payer)?.ok_or_else(|| Error::not_found("payer", payer))?;
    let decimals = crate::tokens::fetch_mint(ledger, &p.mint)?.decimals;
    let scale = match decimals.checked_sub(2) {
        Some(d) => 10u64.pow(d as u32),
        None => {
            return Err(Error::invalid(format!(
                "the payer's mint has {decimals} decimals: cents cannot be paid in it"
            )))
        }
    };
    let at = |c: &IntakeClaim, why: String| {
        Error::invalid(format!("claim {} ({}): {why}", c.claim_id, c.source))
    };
    // 1. Everything checked and mapped before anything is sent.
    let mut planned = Vec::with_capacity(claims.len());
    let mut seen = std::collections::HashSet::new();
    for c in claims {
        if !seen.insert((&c.claim_id, c.frequency)) {
            return Err(at(c, "the claim appears twice in the file".into()));
        }
        let coverage = members.coverage(&payer, &c.member_id).ok_or_else(|| {
            at(
                c,
                "its subscriber's member id is not in the member file".into(),
            )
        })?;
        let billed = c
            .billed_cents
            .checked_mul(scale)
            .ok_or_else(|| at(c, "the amount overflows the mint's units".into()))?;
        let original = match &c.original {
            Some(o) => {
                let a = claim_address(&payer, provider, o);
                if fetch_claim(ledger, &a)?.is_none() && !claims.iter().any(|x| x.claim_id == *o) {
                    return Err(at(
                        c,
                        format!("the original claim {o} (REF*F8) was never submitted"),
                    ));
                }
                Some(a)
            }
            None => None,
        };
        planned.push(Planned {
            claim: c,
            coverage,
            billed,
            address: claim_address(&payer, provider, &c.claim_id),
            original,
        });
    }
    // 2. One transaction per claim.
    let client = ClaimsClient::new(ledger, fee_payer);
    let mut out = Vec::with_capacity(planned.len());
    for p in planned {
        let c = p.claim;
        let mut line = IntakeLine {
            claim_id: c.claim_id.clone(),
            source: c.source.clone(),
            frequency: c.frequency,
            status: IntakeStatus::Rejected,
            claim: p.address,
            billed: p.billed,
            reason: None,
            signature: None,
        };
        let sent = if c.frequency == frequency::VOID {
            let original = p.original.expect("a void names its original");
            line.claim = original;
            match fetch_claim(ledger, &original)? {
                Some(o) if o.status == ClaimStatus::Voided => {
                    line.status = IntakeStatus::AlreadyVoided;
                    None
                }
                _ => Some(
                    client
                        .void(provider, &original)
                        .map(|o| (o, IntakeStatus::Voided)),
                ),
            }
        } else if fetch_claim(ledger, &p.address)?.is_some() {
            line.status = IntakeStatus::AlreadySubmitted;
            None
        } else {
            let refs = ClaimRefs {
                consent_grant: None,
                unit: None,
                replaces: p.original,
            };
            Some(
                client
                    .submit(
                        provider,
                        &c.claim_id,
                        &SubmitClaim {
                            payer: &payer,
                            coverage: &p.coverage,
                            document_hash: c.document_hash,
                            billed: p.billed,
                            refs: &refs,
                        },
                    )
                    .map(|o| (o, IntakeStatus::Submitted)),
            )
        };
        match sent {
            Some(Ok((o, status))) => {
                line.status = status;
                line.signature = Some(o.signature.to_string());
            }
            Some(Err(e)) => {
                line.reason = Some(match crate::error::decode(&e) {
                    Some(info) => format!("{}: {}", info.name, info.message),
                    None => e.to_string(),
                })
            }
            None => {}
        }
        out.push(line);
    }
    Ok(out)
}

/// A FHIR R4 Claim (the file's `bytes`) as a claim to take in: `identifier[0].value` the claim
/// id, `total` the billed amount, the member id from the focal insurance's coverage (a
/// contained Coverage's `subscriberId`, or the coverage reference's `identifier.value`), a
/// replacement from `related[].relationship` `prior` and its claim's `identifier.value`, a
/// void when `status` is `cancelled` (with that related prior claim). The document hash is the
/// file's. A missing or malformed field is named by its path.
pub fn from_fhir_claim(bytes: &[u8]) -> Result<IntakeClaim> {
    let bad = |path: &str, why: &str| Error::invalid(format!("FHIR Claim {path}: {why}"));
    let v: Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::invalid(format!(
            "FHIR Claim: not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if v["resourceType"] != "Claim" {
        return Err(bad("resourceType", "is not Claim"));
    }
    let text = |x: &Value, path: &str| -> Result<String> {
        x.as_str()
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.trim().to_string())
            .ok_or_else(|| bad(path, "is missing or not text"))
    };
    let claim_id = text(&v["identifier"][0]["value"], "identifier[0].value")?;
    if claim_id.len() > 38 {
        return Err(bad("identifier[0].value", "is longer than 38 characters"));
    }
    let total = &v["total"];
    if total["currency"].as_str().is_some_and(|c| c != "USD") {
        return Err(bad("total.currency", "only USD claims are taken in"));
    }
    let amount = match &total["value"] {
        Value::Number(n) => n.to_string(),
        _ => return Err(bad("total.value", "is missing or not a number")),
    };
    let billed_cents = crate::x12::parse_cents(&amount).map_err(|why| bad("total.value", why))?;
    // The focal insurance's member id.
    let insurance = v["insurance"]
        .as_array()
        .and_then(|a| a.iter().find(|i| i["focal"] == true).or(a.first()))
        .ok_or_else(|| bad("insurance", "is missing"))?;
    let coverage = &insurance["coverage"];
    let member_id = match coverage["reference"].as_str() {
        Some(r) if r.starts_with('#') => {
            let contained = v["contained"]
                .as_array()
                .and_then(|c| c.iter().find(|x| x["id"] == r[1..]))
                .ok_or_else(|| {
                    bad(
                        "insurance.coverage.reference",
                        "names no contained resource",
                    )
                })?;
            text(
                &contained["subscriberId"],
                "contained Coverage.subscriberId",
            )?
        }
        _ => text(
            &coverage["identifier"]["value"],
            "insurance.coverage.identifier.value",
        )?,
    };
    let prior = v["related"].as_array().and_then(|r| {
        r.iter().find(|x| {
            x["relationship"]["coding"]
                .as_array()
                .is_some_and(|c| c.iter().any(|c| c["code"] == "prior"))
        })
    });
    let original = match prior {
        Some(p) => Some(text(
            &p["claim"]["identifier"]["value"],
            "related.claim.identifier.value",
        )?),
        None => None,
    };
    let frequency = match (v["status"].as_str(), &original) {
        (Some("cancelled"), Some(_)) => frequency::VOID,
        (Some("cancelled"), None) => {
            return Err(bad(
                "status",
                "a cancelled Claim names the claim it voids in related (prior)",
            ))
        }
        (Some("active"), Some(_)) => frequency::REPLACEMENT,
        (Some("active"), None) => frequency::ORIGINAL,
        _ => return Err(bad("status", "is neither active nor cancelled")),
    };
    Ok(IntakeClaim {
        claim_id,
        billed_cents,
        frequency,
        original,
        member_id,
        document_hash: crate::hash::sha256(&[bytes]),
        source: "FHIR Claim".into(),
    })
}
