//! The payer's X12 277CA claim acknowledgement (005010X214) of the 837 claims it received from
//! one provider: each accepted into adjudication (`STC*A2:20`, the claim's address as payer
//! claim control number) when the chain holds it — found by its document hash — or returned
//! as unprocessable (`STC*A3:21`) when it never landed; with the counts and totals per
//! receiver and billing provider. Names come from the payer's member file.

use super::remit::{MemberName, Parties};
use super::*;
use crate::x12::Claim837;
use std::collections::HashMap;

/// One claim's acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AckLine {
    pub claim_id: String,
    pub accepted: bool,
    /// The claim's address when accepted.
    #[serde(serialize_with = "crate::util::ser_display_opt")]
    pub claim: Option<Pubkey>,
}

/// A 277CA and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    pub x12: String,
    pub lines: Vec<AckLine>,
}

fn amount(cents: u64) -> String {
    crate::util::hundredths(cents as i64)
}

/// The 277CA of the `received` claims of `provider` at the payer of `payer_authority`.
#[allow(clippy::too_many_arguments)]
pub fn acknowledgement(
    ledger: &dyn Ledger,
    payer_authority: &Pubkey,
    provider: &Pubkey,
    received: &[Claim837],
    members: &HashMap<String, MemberName>,
    parties: &Parties,
    control: u32,
) -> Result<Acknowledgement> {
    if received.is_empty() {
        return Err(Error::invalid("no claim to acknowledge"));
    }
    let payer = payer_pda(payer_authority).0;
    let on_chain: HashMap<[u8; 32], Pubkey> =
        list_claims(ledger, Some(&payer), Some(provider), None)?
            .into_iter()
            .map(|(k, c)| (c.document_hash, k))
            .collect();
    let stamp = crate::x12::Stamp::at(ledger.get_clock()?.unix_timestamp);
    let (date8, time4) = (&stamp.date8, &stamp.time4);
    let mut lines = Vec::new();
    let mut patients = Vec::new();
    let (mut acc, mut rej) = ((0u64, 0u64), (0u64, 0u64));
    for (n, c) in received.iter().enumerate() {
        let name = members.get(&c.member_id).ok_or_else(|| {
            Error::invalid(format!(
                "member {} (claim {}) is not in the payer's member file",
                c.member_id, c.claim_id
            ))
        })?;
        let address = on_chain.get(&c.document_hash).copied();
        let mut seg = vec![
            format!("HL*{}*3*PT", n + 4),
            format!(
                "NM1*QC*1*{}*{}****MI*{}",
                name.last, name.first, c.member_id
            ),
            format!("TRN*2*{}", c.claim_id),
        ];
        match address {
            Some(a) => {
                acc = (acc.0 + 1, acc.1 + c.billed_cents);
                seg.push(format!("STC*A2:20*{date8}*WQ*{}", amount(c.billed_cents)));
                seg.push(format!("REF*1K*{a}"));
            }
            None => {
                rej = (rej.0 + 1, rej.1 + c.billed_cents);
                seg.push(format!("STC*A3:21*{date8}*U*{}", amount(c.billed_cents)));
            }
        }
        let (q, v) = c
            .service_date
            .clone()
            .unwrap_or_else(|| ("D8".into(), date8.clone()));
        seg.push(format!("DTP*472*{q}*{v}"));
        patients.extend(seg);
        lines.push(AckLine {
            claim_id: c.claim_id.clone(),
            accepted: address.is_some(),
            claim: address,
        });
    }
    let total = amount(acc.1 + rej.1);
    let counts = |accepted: &str, rejected: &str| {
        let mut v = Vec::new();
        if acc.0 > 0 {
            v.push(format!("QTY*{accepted}*{}", acc.0));
        }
        if rej.0 > 0 {
            v.push(format!("QTY*{rejected}*{}", rej.0));
        }
        if acc.0 > 0 {
            v.push(format!("AMT*YU*{}", amount(acc.1)));
        }
        if rej.0 > 0 {
            v.push(format!("AMT*YY*{}", amount(rej.1)));
        }
        v
    };
    let mut body = vec![
        format!("BHT*0085*08*{control}*{date8}*{time4}*TH"),
        "HL*1**20*1".to_string(),
        format!(
            "NM1*PR*2*{}*****PI*{}",
            parties.payer_name, parties.payer_id
        ),
        format!("TRN*1*{control}"),
        format!("DTP*050*D8*{date8}"),
        format!("DTP*009*D8*{date8}"),
        "HL*2*1*21*1".to_string(),
        format!(
            "NM1*41*2*{}*****46*{}",
            parties.payee_name, parties.payee_id
        ),
        format!("TRN*2*{control}"),
        format!("STC*A1:20*{date8}*WQ*{total}"),
    ];
    body.extend(counts("90", "AA"));
    body.extend([
        "HL*3*2*19*1".to_string(),
        format!(
            "NM1*85*2*{}*****XX*{}",
            parties.payee_name, parties.payee_npi
        ),
        format!("TRN*1*{}", parties.payee_npi),
        format!("STC*A1:20**WQ*{total}"),
    ]);
    body.extend(counts("QA", "QC"));
    body.extend(patients);
    let x = crate::x12::write_interchange(
        &crate::x12::Envelope {
            sender: &parties.payer_id,
            receiver: &parties.payee_id,
            stamp: &stamp,
            control,
            functional: "HN",
            version: "005010X214",
            set: "277",
            st03: true,
        },
        &[body],
    );
    Ok(Acknowledgement { x12: x, lines })
}
