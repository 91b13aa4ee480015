//! The payer's 835 from chain state: claims taken in from the project's 837, then paid with a
//! deductible, denied, and paid then reversed; each linked back to its 837 claim by the
//! document hash, balanced, traced to its payment transaction, and valid against 005010X221A1
//! by pyx12's x12valid.

use super::*;
use caretrail_sdk::claims::intake::submit_837;
use caretrail_sdk::claims::remit::{member_names, remittance, Parties};
use caretrail_sdk::x12;

fn parties() -> Parties {
    Parties {
        payer_id: "CARETRAILPAYER".into(),
        payer_name: "DEMO PAYER".into(),
        payer_tax_id: "123456789".into(),
        payer_street: "1 PAYER PLAZA".into(),
        payer_city: "SPRINGFIELD".into(),
        payer_state: "IL".into(),
        payer_zip: "627010000".into(),
        payer_phone: "5555550300".into(),
        payee_id: "CARETRAILPHARM".into(),
        payee_name: "DEMO PHARMACY".into(),
        payee_npi: "1234567893".into(),
    }
}

#[test]
fn an_835_remits_what_the_chain_settled_and_validates() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let received = x12_fixture("837p-multi.x12");
    let members = members(&p, &["MBR0001", "MBR0003"]);
    let lines = submit_837(
        &h.ledger,
        &p.provider,
        &h.payer,
        &p.insurer.pubkey(),
        &members,
        &received,
    )
    .unwrap();
    let (a, b, c) = (lines[0].claim, lines[1].claim, lines[2].claim);
    let claims = h.claims();
    // RX-3001 paid less the deductible, RX-3002 denied (CARC 50), RX-3003 paid then reversed.
    claims.adjudicate(&p.insurer, None, &a, 4_250, 0).unwrap();
    let paid = claims.pay(&p.insurer, &a, &p.provider_token).unwrap();
    claims.adjudicate(&p.insurer, None, &b, 0, 50).unwrap();
    claims.adjudicate(&p.insurer, None, &c, 700, 0).unwrap();
    claims.pay(&p.insurer, &c, &p.provider_token).unwrap();
    let reversed = claims
        .reverse(&p.insurer, &p.provider, &c, &p.provider_token, 1)
        .unwrap();
    // A paid claim no received 837 names (submitted with another document).
    let other = h.submit(&p, "ELSEWHERE", 500);
    claims.adjudicate(&p.insurer, None, &other, 500, 0).unwrap();
    claims.pay(&p.insurer, &other, &p.provider_token).unwrap();

    let names =
        member_names("member_id,last_name,first_name\nMBR0001,DOE,JANE\nMBR0003,ROE,RICHARD\n")
            .unwrap();
    let r = remittance(
        &h.ledger,
        &p.insurer.pubkey(),
        &p.provider.pubkey(),
        0,
        &received,
        &names,
        &parties(),
        42,
    )
    .unwrap();
    let got: Vec<(&str, &str, i64, i64)> = r
        .lines
        .iter()
        .map(|l| (l.claim_id.as_str(), l.clp02, l.billed_cents, l.paid_cents))
        .collect();
    assert_eq!(
        got,
        [
            ("RX-3001", "1", 4250, 3250),
            ("RX-3002", "4", 1875, 0),
            ("RX-3003", "22", 700, -700),
        ]
    );
    assert_eq!(r.unmatched, [other]);
    assert_eq!(r.total_paid_cents, 3250 - 700);
    assert_eq!(r.lines[0].trace, Some(paid.signature.to_string()));
    assert_eq!(r.lines[2].trace, Some(reversed.signature.to_string()));
    for needle in [
        "BPR*I*32.5*C*NON",
        &format!("TRN*1*{}*1123456789~", &paid.signature.to_string()[..50]),
        &format!("CLP*RX-3001*1*42.5*32.5*10*12*{a}~"),
        "CAS*PR*1*10~",
        &format!("CLP*RX-3002*4*18.75*0**12*{b}~"),
        "CAS*CO*50*18.75~",
        "BPR*H*0*C*NON",
        &format!("CLP*RX-3003*22*-7*-7**12*{c}~"),
        "NM1*QC*1*DOE*JANE****MI*MBR0001~",
        "NM1*QC*1*ROE*RICHARD****MI*MBR0003~",
    ] {
        assert!(r.x12.contains(needle), "{needle} missing from\n{}", r.x12);
    }
    assert!(!r.x12.contains("ELSEWHERE"));
    // Totals balance: each set's BPR02 is its CLP04s, each CLP03 its CLP04 and CAS amounts.
    let cents = |v: &str| -> i64 {
        let neg = v.starts_with('-');
        let v = v.trim_start_matches('-');
        let (w, f) = v.split_once('.').unwrap_or((v, ""));
        let c = w.parse::<i64>().unwrap() * 100 + format!("{f:0<2}").parse::<i64>().unwrap();
        if neg {
            -c
        } else {
            c
        }
    };
    let ix = x12::parse(&r.x12).unwrap();
    let (mut bpr, mut clp04_sum, mut open): (i64, i64, Option<(i64, i64)>) = (0, 0, None);
    let close_claim = |open: &mut Option<(i64, i64)>| {
        if let Some((clp03, rest)) = open.take() {
            assert_eq!(clp03, rest, "CLP03 = CLP04 + CAS");
        }
    };
    for seg in &ix.segments {
        match seg.id.as_str() {
            "BPR" => {
                bpr = cents(seg.e(2))
                    * if seg.e(3) == "D" && !seg.e(2).starts_with('-') {
                        -1
                    } else {
                        1
                    };
                clp04_sum = 0;
            }
            "CLP" => {
                close_claim(&mut open);
                clp04_sum += cents(seg.e(4));
                open = Some((cents(seg.e(3)), cents(seg.e(4))));
            }
            "CAS" => {
                let o = open.as_mut().expect("CAS after CLP");
                o.1 += cents(seg.e(3));
            }
            "SE" => {
                close_claim(&mut open);
                assert_eq!(bpr, clp04_sum, "BPR02 = the CLP04s of its set");
            }
            _ => {}
        }
    }
    // pyx12's x12valid agrees.
    let said = x12_validated("remit.835", &r.x12);
    assert!(said.contains("valid (005010X221A1)"), "{said}");
    // A member the payer's file does not know is an error, not a nameless CLP.
    let err = remittance(
        &h.ledger,
        &p.insurer.pubkey(),
        &p.provider.pubkey(),
        0,
        &received,
        &member_names("member_id,last_name,first_name\nMBR0001,DOE,JANE\n").unwrap(),
        &parties(),
        43,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("member MBR0003 (claim RX-3003) is not in the payer's member file"),
        "{err}"
    );
}

#[test]
fn a_277ca_acknowledges_what_landed_and_returns_what_did_not() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    let multi = x12_fixture("837p-multi.x12");
    let members = members(&p, &["MBR0001", "MBR0003"]);
    let submitted = submit_837(
        &h.ledger,
        &p.provider,
        &h.payer,
        &p.insurer.pubkey(),
        &members,
        &multi,
    )
    .unwrap();
    // The payer also received RX-1001, which never landed on chain.
    let mut received = multi.clone();
    received.extend(x12_fixture("837p-single.x12"));
    let names =
        member_names("member_id,last_name,first_name\nMBR0001,DOE,JANE\nMBR0003,ROE,RICHARD\n")
            .unwrap();
    let ack = caretrail_sdk::claims::ack::acknowledgement(
        &h.ledger,
        &p.insurer.pubkey(),
        &p.provider.pubkey(),
        &received,
        &names,
        &parties(),
        7,
    )
    .unwrap();
    let got: Vec<(&str, bool)> = ack
        .lines
        .iter()
        .map(|l| (l.claim_id.as_str(), l.accepted))
        .collect();
    assert_eq!(
        got,
        [
            ("RX-3001", true),
            ("RX-3002", true),
            ("RX-3003", true),
            ("RX-1001", false)
        ]
    );
    assert_eq!(ack.lines[0].claim, Some(submitted[0].claim));
    for needle in [
        "STC*A2:20*",
        &format!("REF*1K*{}~", submitted[0].claim),
        "TRN*2*RX-1001~",
        "STC*A3:21*",
        "QTY*90*3~",
        "QTY*AA*1~",
        "AMT*YU*68.25~",
        "AMT*YY*42.5~",
    ] {
        assert!(
            ack.x12.contains(needle),
            "{needle} missing from\n{}",
            ack.x12
        );
    }
    let said = x12_validated("ack.277", &ack.x12);
    assert!(said.contains("valid (005010X214)"), "{said}");
}
