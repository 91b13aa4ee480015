//! Linkability (audit finding 8): with one key per relationship, a ledger dump alone does not
//! join a patient's treatment consent (here to substance-use data) with its coverage or with
//! the drugs dispensed to it, and never shows the patient's wallet.
//!
//! The analysis treats every account (its address and the data it holds) and every transaction
//! (the accounts of its instructions, their data and the events in its logs) as a record, joins
//! the patient-specific keys that appear together in any record, and follows those joins
//! transitively. Public, shared parties (programs, registered participants, the payer, its
//! vault and mint, the sponsor paying fees) are not patient-specific and do not join anything.

use anchor_lang::prelude::Pubkey;
use caretrail_sdk::claims::{self as clm, ClaimRefs, EnrollArgs};
use caretrail_sdk::consent::{self as con, GrantArgs, Scope};
use caretrail_sdk::custody as cus;
use caretrail_sdk::relationship::{self, Relationship};
use caretrail_tests::*;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::{BTreeMap, BTreeSet};

/// Union-find over the patient-specific keys.
struct Joins {
    parent: BTreeMap<Pubkey, Pubkey>,
}

impl Joins {
    fn find(&mut self, k: Pubkey) -> Pubkey {
        let p = *self.parent.entry(k).or_insert(k);
        if p == k {
            return k;
        }
        let root = self.find(p);
        self.parent.insert(k, root);
        root
    }
    fn join(&mut self, keys: &BTreeSet<Pubkey>) {
        let mut it = keys.iter();
        if let Some(first) = it.next() {
            let r = self.find(*first);
            for k in it {
                let rk = self.find(*k);
                self.parent.insert(rk, r);
            }
        }
    }
    fn joined(&mut self, a: Pubkey, b: Pubkey) -> bool {
        self.find(a) == self.find(b)
    }
}

/// The tracked keys whose 32 bytes appear in `bytes`.
fn found_in(bytes: &[u8], tracked: &[Pubkey]) -> BTreeSet<Pubkey> {
    tracked
        .iter()
        .filter(|k| bytes.windows(32).any(|w| w == k.as_ref()))
        .copied()
        .collect()
}

fn decoded_logs(logs: &[String]) -> Vec<u8> {
    use anchor_lang::__private::base64::{engine::general_purpose::STANDARD, Engine};
    logs.iter()
        .filter_map(|l| l.rsplit_once("Program data: "))
        .filter_map(|(_, b64)| STANDARD.decode(b64.trim()).ok())
        .flatten()
        .collect()
}

#[test]
fn a_ledger_dump_does_not_join_a_patients_consents_coverage_and_drugs() {
    let h = Harness::new();
    let p = h.plan(&anchor_spl::token::ID);
    // The patient's wallet never goes on chain: it only derives its relationship keys.
    let wallet = Keypair::new();
    let treatment = relationship::derive(
        &wallet,
        &Relationship::Consent {
            grantee: p.provider.pubkey(),
        },
    );
    let coverage_key = relationship::derive(
        &wallet,
        &Relationship::Coverage {
            payer: p.insurer.pubkey(),
        },
    );
    // 1. Treatment consent to substance-use data (the sponsor pays fees and rent).
    let sensitive = Scope {
        classes: con::class::SUBSTANCE_USE | con::class::MEDICATIONS,
        actions: con::action::ACCESS,
        purposes: con::purpose::TREAT,
    };
    let args = |scope| GrantArgs {
        scope,
        not_before: h.now(),
        expires_at: h.now() + 30 * DAY,
        policy_hash: [7; 32],
    };
    h.consent()
        .grant(
            &treatment,
            &treatment.pubkey(),
            &p.provider.pubkey(),
            1,
            args(sensitive),
        )
        .unwrap();
    let treatment_grant = con::grant_pda(&treatment.pubkey(), &p.provider.pubkey(), 1).0;
    h.consent()
        .record_access(
            &p.provider,
            &treatment_grant,
            access(
                con::class::SUBSTANCE_USE,
                con::action::ACCESS,
                con::purpose::TREAT,
            ),
        )
        .unwrap();
    // 2. Coverage under its own key.
    let member = caretrail_sdk::hash::commit(&[5; 32], b"member 424242");
    h.claims()
        .enroll(
            &p.insurer,
            &coverage_key,
            EnrollArgs {
                member_commitment: member,
                period_start: T0,
                period_end: T0 + 365 * DAY,
                annual_max: 100_000,
                deductible: 0,
            },
        )
        .unwrap();
    let coverage = clm::coverage_pda(&p.payer, &member).0;
    // 3. A package dispensed by the pharmacy, billed with the coverage key's payment consent.
    let unit = h.pharmacy_units(&p, &["PRIV-1"], 1)[0];
    let lot = cus::lot_pda(&cus::parse_gtin(GTIN).unwrap(), LOT).0;
    let payment_scope = Scope {
        classes: con::class::MEDICATIONS,
        actions: con::action::DISCLOSE,
        purposes: con::purpose::HPAYMT,
    };
    h.consent()
        .grant(
            &coverage_key,
            &coverage_key.pubkey(),
            &p.pharmacy.pubkey(),
            1,
            args(payment_scope),
        )
        .unwrap();
    let payment_grant = con::grant_pda(&coverage_key.pubkey(), &p.pharmacy.pubkey(), 1).0;
    h.claims()
        .submit(
            &p.pharmacy,
            "RX-PRIV-1",
            &caretrail_sdk::claims::SubmitClaim {
                payer: &p.payer,
                coverage: &coverage,
                document_hash: [3; 32],
                billed: 900,
                refs: &ClaimRefs {
                    consent_grant: Some(payment_grant),
                    unit: Some(unit),
                    replaces: None,
                },
            },
        )
        .unwrap();
    let claim = clm::claim_address(&p.payer, &p.pharmacy, "RX-PRIV-1");
    h.claims()
        .adjudicate(&p.insurer, None, &claim, 900, 0)
        .unwrap();
    h.claims()
        .pay(&p.insurer, &claim, &p.pharmacy_token)
        .unwrap();

    // The ledger dump, as anyone replicating the chain has it.
    let dump = h.ledger.dump().unwrap();
    let tracked = vec![
        wallet.pubkey(),
        treatment.pubkey(),
        treatment_grant,
        coverage_key.pubkey(),
        coverage,
        payment_grant,
        claim,
        unit,
        clm::evidence_pda(&unit).0,
        lot,
        con::patient_record_pda(&treatment.pubkey()).0,
    ];
    let mut joins = Joins {
        parent: BTreeMap::new(),
    };
    let mut gtin_with = BTreeSet::new();
    for a in &dump.accounts {
        let mut keys = found_in(&a.data_base64, &tracked);
        if tracked.contains(&a.pubkey) {
            keys.insert(a.pubkey);
        }
        if a.data_base64.windows(14).any(|w| w == GTIN.as_bytes()) {
            gtin_with.extend(keys.iter().copied());
        }
        joins.join(&keys);
    }
    for t in &dump.transactions {
        let mut keys = found_in(&decoded_logs(&t.logs), &tracked);
        for ix in &t.instructions {
            keys.extend(ix.accounts.iter().filter(|k| tracked.contains(k)).copied());
            keys.extend(found_in(&ix.data_base64, &tracked));
        }
        joins.join(&keys);
    }
    // The wallet appears nowhere.
    assert!(
        dump.accounts.iter().all(|a| a.pubkey != wallet.pubkey()
            && !found_in(&a.data_base64, &[wallet.pubkey()]).contains(&wallet.pubkey())),
        "the patient's wallet is on the ledger"
    );
    assert!(!joins.joined(wallet.pubkey(), treatment.pubkey()));
    assert!(!joins.joined(wallet.pubkey(), coverage_key.pubkey()));
    // The treatment consent (substance use) is joined to neither the coverage nor the drug.
    let t = treatment.pubkey();
    for other in [
        coverage_key.pubkey(),
        coverage,
        payment_grant,
        claim,
        unit,
        lot,
    ] {
        assert!(!joins.joined(t, other), "treatment key joined to {other}");
    }
    assert!(!gtin_with.contains(&t) && !gtin_with.contains(&treatment_grant));
    // What stays joined, as the threat model says: the coverage key, its claim and the
    // dispensed unit (known to the pharmacy and the payer anyway), under a key that names no
    // one and appears in no other relationship.
    assert!(joins.joined(coverage_key.pubkey(), unit));
    assert!(joins.joined(coverage_key.pubkey(), claim));
}
