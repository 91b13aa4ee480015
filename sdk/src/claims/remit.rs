//! The payer's X12 835 remittance advice (005010X221A1) for one provider, from chain state:
//! its paid, denied and reversed claims since a time.
//!
//! The chain knows a claim's id only as a salted hash, so the payer links each claim to the
//! 837 it received by the claim's document hash (the hash of the claim's own segments, see
//! [`crate::x12::Claim837::document_hash`]): CLP01 is that 837's CLM01. Names come from the
//! payer's own member file, never from the chain.
//!
//! Each payment (and each reversal) is its own transaction set — BPR with the amount, TRN
//! with the chain transaction's signature as trace number — and denials share one
//! notification-only set (`BPR*H*0`). Every claim balances: CLP03 = CLP04 + its CAS
//! adjustments (PR-1 patient responsibility, CO with the adjudication's CARC).

use super::*;
use crate::x12::Claim837;
use std::collections::HashMap;

/// Who the remittance is from and to (kept off chain by the payer; `claims remit --parties
/// FILE` reads it as JSON with these field names).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parties {
    /// ISA06 / GS02 and N1*PR name.
    pub payer_id: String,
    pub payer_name: String,
    /// The payer's EIN (9 digits): TRN03 is `1` and it.
    pub payer_tax_id: String,
    /// Payer address (N3, N4: street; city, state, ZIP).
    pub payer_street: String,
    pub payer_city: String,
    pub payer_state: String,
    pub payer_zip: String,
    /// Payer contact for the PER*BL segment.
    pub payer_phone: String,
    /// ISA08 / GS03 and N1*PE name, with the payee's NPI.
    pub payee_id: String,
    pub payee_name: String,
    pub payee_npi: String,
}

/// A member's name in the payer's member file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberName {
    pub last: String,
    pub first: String,
}

/// Reads the payer's member file: CSV with `member_id`, `last_name`, `first_name`.
pub fn member_names(text: &str) -> Result<HashMap<String, MemberName>> {
    let rows = crate::custody::master_data::parse_csv(text.trim_start_matches('\u{feff}'))?;
    let mut rows = rows.into_iter();
    let Some((_, header)) = rows.next() else {
        return Err(Error::invalid("member file line 1: a header row is needed"));
    };
    let col = |n: &str| {
        header
            .iter()
            .position(|h| h.trim() == n)
            .ok_or_else(|| Error::invalid(format!("member file line 1: no {n} column")))
    };
    let (id, last, first) = (col("member_id")?, col("last_name")?, col("first_name")?);
    let mut out = HashMap::new();
    for (line, row) in rows {
        let cell = |c: usize| row.get(c).map(|v| v.trim().to_string()).unwrap_or_default();
        if cell(id).is_empty() {
            continue;
        }
        if cell(last).is_empty() {
            return Err(Error::invalid(format!(
                "member file line {line}: member {} has no last_name",
                cell(id)
            )));
        }
        out.insert(
            cell(id),
            MemberName {
                last: cell(last),
                first: cell(first),
            },
        );
    }
    Ok(out)
}

/// One claim of the remittance.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RemitLine {
    #[serde(serialize_with = "crate::util::ser_display")]
    pub claim: Pubkey,
    pub claim_id: String,
    /// CLP02: 1 paid, 4 denied, 22 reversal.
    pub clp02: &'static str,
    pub billed_cents: i64,
    pub paid_cents: i64,
    /// The chain transaction the payment (or reversal) was, the TRN02 trace.
    pub trace: Option<String>,
}

/// An 835 and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Remittance {
    pub x12: String,
    pub lines: Vec<RemitLine>,
    /// Settled claims no received 837 names (their document hash matched none): left out.
    pub unmatched: Vec<Pubkey>,
    pub total_paid_cents: i64,
}

/// Cents as an X12 decimal (`4250` → `42.5`, `700` → `7`, `-4250` → `-42.5`).
fn amount(cents: i64) -> String {
    crate::util::hundredths(cents)
}

/// The chain transaction of a claim's payment or reversal.
fn trace_of(ledger: &dyn Ledger, claim: &Pubkey, reversal: bool) -> Result<Option<String>> {
    use crate::events::{CaretrailEvent, ClaimsEvent};
    for r in ledger.transactions_for_address(claim, 64)? {
        for e in r.events() {
            let hit = match e {
                CaretrailEvent::Claims(ClaimsEvent::ClaimPaid(p)) => !reversal && p.claim == *claim,
                CaretrailEvent::Claims(ClaimsEvent::PaymentReversed(p)) => {
                    reversal && p.claim == *claim
                }
                _ => false,
            };
            if hit {
                return Ok(Some(r.signature.to_string()));
            }
        }
    }
    Ok(None)
}

/// The 835 of `provider`'s claims at the payer of `payer_authority` settled since `since`
/// (unix seconds), linked to the `received` 837 claims; `control` numbers the interchange.
#[allow(clippy::too_many_arguments)]
pub fn remittance(
    ledger: &dyn Ledger,
    payer_authority: &Pubkey,
    provider: &Pubkey,
    since: i64,
    received: &[Claim837],
    members: &HashMap<String, MemberName>,
    parties: &Parties,
    control: u32,
) -> Result<Remittance> {
    let payer = payer_pda(payer_authority).0;
    let p = fetch_payer(ledger, &payer)?.ok_or_else(|| Error::not_found("payer", payer))?;
    let decimals = crate::tokens::fetch_mint(ledger, &p.mint)?.decimals;
    let per_cent = 10u64.pow(decimals.saturating_sub(2) as u32);
    let cents = |units: u64| -> Result<i64> {
        if decimals < 2 || !units.is_multiple_of(per_cent) {
            return Err(Error::invalid(format!(
                "{units} base units of a {decimals}-decimal mint are not whole cents"
            )));
        }
        i64::try_from(units / per_cent).map_err(|_| Error::invalid("amount too large"))
    };
    let by_hash: HashMap<[u8; 32], &Claim837> =
        received.iter().map(|c| (c.document_hash, c)).collect();
    let mut settled: Vec<(Pubkey, Claim)> =
        list_claims(ledger, Some(&payer), Some(provider), None)?
            .into_iter()
            .filter(|(_, c)| {
                matches!(
                    c.status,
                    ClaimStatus::Paid | ClaimStatus::Denied | ClaimStatus::Reversed
                ) && c.updated_at >= since
            })
            .collect();
    // In settlement order, then by claim id.
    settled.sort_by_key(|(k, c)| {
        let id = by_hash.get(&c.document_hash).map(|s| s.claim_id.clone());
        (c.updated_at, id, *k)
    });
    let stamp = crate::x12::Stamp::at(ledger.get_clock()?.unix_timestamp);
    let date8 = &stamp.date8;
    let header = |sets: &mut Vec<Vec<String>>, bpr: String, trn: String| {
        sets.push(vec![
            bpr,
            trn,
            format!("DTM*405*{date8}"),
            format!("N1*PR*{}", parties.payer_name),
            format!("N3*{}", parties.payer_street),
            format!(
                "N4*{}*{}*{}",
                parties.payer_city, parties.payer_state, parties.payer_zip
            ),
            format!("PER*BL*CLAIMS*TE*{}", parties.payer_phone),
            format!("N1*PE*{}*XX*{}", parties.payee_name, parties.payee_npi),
        ]);
    };
    let mut lines = Vec::new();
    let mut unmatched = Vec::new();
    let mut sets: Vec<Vec<String>> = Vec::new();
    let mut denials: Vec<String> = Vec::new();
    let mut total = 0i64;
    let tax = &parties.payer_tax_id;
    for (address, c) in &settled {
        let Some(src) = by_hash.get(&c.document_hash) else {
            unmatched.push(*address);
            continue;
        };
        let name = members.get(&src.member_id).ok_or_else(|| {
            Error::invalid(format!(
                "member {} (claim {}) is not in the payer's member file",
                src.member_id, src.claim_id
            ))
        })?;
        let billed = cents(c.billed)?;
        let paid = cents(c.paid)?;
        let share = cents(c.patient_share)?;
        let approved = cents(c.approved)?;
        let contractual = billed - approved - share;
        let carc = if c.carc != 0 {
            c.carc
        } else {
            carc_default(c.status)
        };
        let qc = format!(
            "NM1*QC*1*{}*{}****MI*{}",
            name.last, name.first, src.member_id
        );
        let (clp02, sign, trace) = match c.status {
            ClaimStatus::Paid => ("1", 1, trace_of(ledger, address, false)?),
            ClaimStatus::Reversed => ("22", -1, trace_of(ledger, address, true)?),
            _ => ("4", 1, None),
        };
        let mut claim_segments = vec![];
        if c.status == ClaimStatus::Denied {
            claim_segments.push(format!(
                "CLP*{}*4*{}*0**12*{address}",
                src.claim_id,
                amount(billed)
            ));
            claim_segments.push(format!("CAS*CO*{carc}*{}", amount(billed)));
        } else {
            claim_segments.push(format!(
                "CLP*{}*{clp02}*{}*{}*{}*12*{address}",
                src.claim_id,
                amount(sign * billed),
                amount(sign * paid),
                if share > 0 {
                    amount(sign * share)
                } else {
                    String::new()
                }
            ));
            if share > 0 {
                claim_segments.push(format!("CAS*PR*1*{}", amount(sign * share)));
            }
            if contractual > 0 {
                claim_segments.push(format!("CAS*CO*{carc}*{}", amount(sign * contractual)));
            }
        }
        claim_segments.push(qc);
        if c.status == ClaimStatus::Denied {
            denials.extend(claim_segments);
        } else {
            let trace_id: String = trace
                .clone()
                .unwrap_or_else(|| address.to_string())
                .chars()
                .take(50)
                .collect();
            let (bpr03, value) = if sign < 0 { ("D", -paid) } else { ("C", paid) };
            total += sign * paid;
            header(
                &mut sets,
                format!(
                    "BPR*I*{}*{bpr03}*NON************{date8}",
                    amount(sign * value.abs())
                ),
                format!("TRN*1*{trace_id}*1{tax}"),
            );
            let set = sets.last_mut().expect("just pushed");
            set.push("LX*1".into());
            set.extend(claim_segments);
        }
        lines.push(RemitLine {
            claim: *address,
            claim_id: src.claim_id.clone(),
            clp02: if c.status == ClaimStatus::Denied {
                "4"
            } else {
                clp02
            },
            billed_cents: billed,
            paid_cents: sign * paid,
            trace,
        });
    }
    if !denials.is_empty() {
        header(
            &mut sets,
            format!("BPR*H*0*C*NON************{date8}"),
            format!("TRN*1*DENIALS-{date8}-{control}*1{tax}"),
        );
        let set = sets.last_mut().expect("just pushed");
        set.push("LX*1".into());
        set.extend(denials);
    }
    if sets.is_empty() {
        return Err(Error::invalid(format!(
            "no claim of {provider} was paid, denied or reversed since then{}",
            if unmatched.is_empty() {
                String::new()
            } else {
                format!(
                    " that a received 837 names ({} settled claims matched none)",
                    unmatched.len()
                )
            }
        )));
    }
    let x = crate::x12::write_interchange(
        &crate::x12::Envelope {
            sender: &parties.payer_id,
            receiver: &parties.payee_id,
            stamp: &stamp,
            control,
            functional: "HP",
            version: "005010X221A1",
            set: "835",
            st03: false,
        },
        &sets,
    );
    Ok(Remittance {
        x12: x,
        lines,
        unmatched,
        total_paid_cents: total,
    })
}

/// The CARC when adjudication recorded none: 45 (charges exceed the fee schedule) for a
/// reduction, 96 (non-covered charges) for a denial.
fn carc_default(status: ClaimStatus) -> u16 {
    if status == ClaimStatus::Denied {
        96
    } else {
        45
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn amounts_are_x12_decimals() {
        for (c, a) in [
            (4250, "42.5"),
            (700, "7"),
            (-4250, "-42.5"),
            (1875, "18.75"),
            (0, "0"),
            (5, "0.05"),
        ] {
            assert_eq!(super::amount(c), a);
        }
    }
}
