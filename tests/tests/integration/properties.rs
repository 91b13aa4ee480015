//! Stateful property tests: random sequences of instructions from several actors against the
//! embedded bank, with invariants checked after every step. 256 cases per program, a fixed
//! seed (override with PROPTEST_RNG_SEED / PROPTEST_CASES); a failing case shrinks.

use caretrail_sdk::claims::{self as clm, ClaimRefs, ClaimStatus};
use caretrail_sdk::consent::{self as con, AmendArgs, GrantArgs, Scope};
use caretrail_sdk::custody::{self as cus, UnitStatus};
use caretrail_sdk::Ledger;
use caretrail_tests::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use solana_sdk::{pubkey::Pubkey, signature::Keypair, signature::Signer};

fn config() -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(256);
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x0000_ca2e_7a11);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

// ----------------------------------------------------------------------------- custody

#[derive(Debug, Clone)]
enum CustodyOp {
    Ship { unit: usize, from: usize, to: usize },
    Receive { unit: usize, by: usize },
    Refuse { unit: usize, by: usize },
    Dispense { unit: usize, by: usize },
    Flag { unit: usize, by: usize },
    Clear { unit: usize },
    Illegitimate { unit: usize },
    Recall,
}

fn custody_op() -> impl Strategy<Value = CustodyOp> {
    let u = 0..3usize;
    let a = 0..3usize;
    prop_oneof![
        4 => (u.clone(), a.clone(), a.clone()).prop_map(|(unit, from, to)| CustodyOp::Ship { unit, from, to }),
        4 => (u.clone(), a.clone()).prop_map(|(unit, by)| CustodyOp::Receive { unit, by }),
        1 => (u.clone(), a.clone()).prop_map(|(unit, by)| CustodyOp::Refuse { unit, by }),
        2 => (u.clone(), a.clone()).prop_map(|(unit, by)| CustodyOp::Dispense { unit, by }),
        1 => (u.clone(), a.clone()).prop_map(|(unit, by)| CustodyOp::Flag { unit, by }),
        1 => u.clone().prop_map(|unit| CustodyOp::Clear { unit }),
        1 => u.clone().prop_map(|unit| CustodyOp::Illegitimate { unit }),
        1 => Just(CustodyOp::Recall),
    ]
}

fn chain_from_hops(h: &Harness, unit: &Pubkey, hop_count: u32) -> [u8; 32] {
    // The hop accounts close when they complete: the chain is rebuilt from the events.
    let hops = cus::epcis::completed_hops(&h.ledger, unit).unwrap();
    let indices: Vec<u32> = hops.iter().map(|h| h.index).collect();
    assert_eq!(
        indices,
        (0..hop_count).collect::<Vec<_>>(),
        "contiguous hops"
    );
    for i in 0..hop_count {
        assert!(
            cus::fetch_hop(&h.ledger, unit, i).unwrap().is_none(),
            "a completed hop is closed"
        );
    }
    cus::epcis::chain_of(&hops)
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn custody_invariants_hold_under_random_sequences(ops in proptest::collection::vec(custody_op(), 1..14)) {
        let h = Harness::new();
        let sc = h.supply_chain();
        let units = h.commission(&sc, &["P0", "P1", "P2"]);
        let actors: [&Keypair; 3] = [&sc.manufacturer, &sc.distributor, &sc.pharmacy];
        let c = h.custody();
        for op in &ops {
            let before: Vec<cus::Unit> = units.iter().map(|u| cus::fetch_unit(&h.ledger, u).unwrap().unwrap()).collect();
            let recalled_before = cus::fetch_lot(&h.ledger, &sc.lot).unwrap().unwrap().status == cus::LotStatus::Recalled;
            let _ = match op {
                CustodyOp::Ship { unit, from, to } => c.ship(actors[*from], &actors[*to].pubkey(), &units[*unit], ship_args()),
                CustodyOp::Receive { unit, by } => c.receive(actors[*by], &units[*unit]),
                CustodyOp::Refuse { unit, by } => c.refuse(actors[*by], &units[*unit], 1),
                CustodyOp::Dispense { unit, by } => c.dispense(actors[*by], &units[*unit]),
                CustodyOp::Flag { unit, by } => c.flag_suspect(actors[*by], &units[*unit], 1),
                CustodyOp::Clear { unit } => c.clear_suspect(&sc.regulator, &units[*unit]),
                CustodyOp::Illegitimate { unit } => c.declare_illegitimate(&sc.regulator, &units[*unit], 1),
                CustodyOp::Recall => c.recall_lot(&sc.manufacturer, &sc.lot, 1),
            };
            for (i, u) in units.iter().enumerate() {
                let x = cus::fetch_unit(&h.ledger, u).unwrap().unwrap();
                // Exactly one holder, always a party of the story.
                prop_assert!(actors.iter().any(|a| a.pubkey() == x.holder), "unknown holder {}", x.holder);
                // Nothing moves after dispense, illegitimacy or a recall.
                let frozen = matches!(before[i].status, UnitStatus::Dispensed | UnitStatus::Illegitimate) || recalled_before;
                if frozen {
                    prop_assert_eq!(x.holder, before[i].holder);
                    prop_assert!(x.hop_count == before[i].hop_count || recalled_before && before[i].status == UnitStatus::InTransit);
                }
                if matches!(before[i].status, UnitStatus::Dispensed | UnitStatus::Illegitimate) {
                    prop_assert_eq!(x.status, before[i].status, "terminal statuses never change");
                }
                // Hop indices contiguous and the chain head reproducible from them.
                prop_assert_eq!(x.chain_head, chain_from_hops(&h, u, x.hop_count));
                prop_assert!(cus::fetch_hop(&h.ledger, u, x.hop_count + 1).unwrap().is_none());
            }
        }
    }
}

/// The chain head of leaf `index` rebuilt from its tree's events (the hop accounts close).
fn package_chain_from_events(h: &Harness, tree: &Pubkey, index: u32) -> [u8; 32] {
    use caretrail_sdk::events::{CaretrailEvent, CustodyEvent};
    use custody::state::hop::{chain_hop, HopContent};
    let mut head = [0u8; 32];
    let mut shipped = None;
    for record in h.ledger.transactions_for_address(tree, usize::MAX).unwrap() {
        for event in record.events() {
            match event {
                CaretrailEvent::Custody(CustodyEvent::PackageShipped(e)) if e.index == index => {
                    shipped = Some(e)
                }
                CaretrailEvent::Custody(CustodyEvent::PackageHopCompleted(e))
                    if e.index == index =>
                {
                    let s = shipped.take().expect("a completed hop was shipped");
                    let status = if e.received {
                        cus::HopStatus::Received
                    } else {
                        cus::HopStatus::Refused
                    };
                    head = chain_hop(
                        &head,
                        e.hop_index,
                        &HopContent {
                            status,
                            from: s.from,
                            to: s.to,
                            shipped_at: s.timestamp,
                            received_at: e.timestamp,
                            read_point: s.read_point,
                            shipment_ref: s.shipment_ref,
                        },
                    );
                }
                _ => {}
            }
        }
    }
    head
}

proptest! {
    #![proptest_config(config())]
    /// The same random sequences against compressed packages: the rules hold on the proven
    /// leaves, the SDK's rebuilt tree always has the chain's root, and every chain head is
    /// reproducible from the events.
    #[test]
    fn compressed_package_invariants_hold_under_random_sequences(ops in proptest::collection::vec(custody_op(), 1..14)) {
        use caretrail_sdk::custody::{PackageTreeIndex, Resolution};
        let h = Harness::new();
        let sc = h.supply_chain();
        let c = h.custody();
        let (tree, _) = c.create_package_tree(&sc.manufacturer, &sc.lot).unwrap();
        let mut hashes: Vec<[u8; 32]> = ["P0", "P1", "P2"].iter().map(|s| cus::serial_hash(&sc.gtin, s)).collect();
        hashes.sort();
        c.commission_packages(&sc.manufacturer, &tree, None, hashes.clone()).unwrap();
        let actors: [&Keypair; 3] = [&sc.manufacturer, &sc.distributor, &sc.pharmacy];
        let shipment = package_shipment();
        for op in &ops {
            let before = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
            let recalled_before = cus::fetch_lot(&h.ledger, &sc.lot).unwrap().unwrap().status == cus::LotStatus::Recalled;
            let _ = match op {
                CustodyOp::Ship { unit, from, to } => c.ship_package(actors[*from], &tree, &hashes[*unit], &actors[*to].pubkey(), &shipment),
                CustodyOp::Receive { unit, by } => c.receive_package(actors[*by], &tree, &hashes[*unit]),
                CustodyOp::Refuse { unit, by } => c.refuse_package(actors[*by], &tree, &hashes[*unit], 1),
                CustodyOp::Dispense { unit, by } => c.dispense_package(actors[*by], &tree, &hashes[*unit]),
                CustodyOp::Flag { unit, by } => c.flag_package(actors[*by], &tree, &hashes[*unit], 1),
                CustodyOp::Clear { unit } => c.resolve_package(&sc.regulator, &tree, &hashes[*unit], Resolution::Clear),
                CustodyOp::Illegitimate { unit } => c.resolve_package(&sc.regulator, &tree, &hashes[*unit], Resolution::Illegitimate { reason_code: 1 }),
                CustodyOp::Recall => c.recall_lot(&sc.manufacturer, &sc.lot, 1),
            };
            let after = PackageTreeIndex::sync(&h.ledger, &tree).unwrap();
            let chain = cus::fetch_tree(&h.ledger, &tree).unwrap().unwrap();
            prop_assert_eq!(after.root(), chain.root);
            for i in 0..3u32 {
                let (b, x) = (before.leaf(i).unwrap(), after.leaf(i).unwrap());
                prop_assert!(actors.iter().any(|a| a.pubkey() == x.holder), "unknown holder {}", x.holder);
                let frozen = matches!(b.status, UnitStatus::Dispensed | UnitStatus::Illegitimate) || recalled_before;
                if frozen {
                    prop_assert_eq!(x.holder, b.holder);
                    prop_assert!(x.hop_count == b.hop_count || recalled_before && b.status == UnitStatus::InTransit);
                }
                if matches!(b.status, UnitStatus::Dispensed | UnitStatus::Illegitimate) {
                    prop_assert_eq!(x.status, b.status, "terminal statuses never change");
                }
                prop_assert_eq!(x.chain_head, package_chain_from_events(&h, &tree, i));
                // A pending hop exists exactly while the package is in transit (or quarantined
                // in transit); completed ones are closed.
                for k in 0..x.hop_count {
                    prop_assert!(h.ledger.get_account(&cus::package_hop_pda(&tree, i, k).0).unwrap().is_none());
                }
            }
        }
    }
}

// ----------------------------------------------------------------------------- consent

#[derive(Debug, Clone)]
enum ConsentOp {
    Grant {
        id: u64,
        classes: u16,
        actions: u8,
        purposes: u8,
        days: i64,
    },
    Revoke {
        id: u64,
    },
    Narrow {
        id: u64,
        classes: u16,
    },
    Access {
        id: u64,
        class: u16,
        action: u8,
        purpose: u8,
    },
    Stranger {
        id: u64,
    },
    Warp {
        days: i64,
    },
}

fn bit16(n: u32) -> impl Strategy<Value = u16> {
    (0..n).prop_map(|b| 1u16 << b)
}

fn bit8(n: u32) -> impl Strategy<Value = u8> {
    (0..n).prop_map(|b| 1u8 << b)
}

fn consent_op() -> impl Strategy<Value = ConsentOp> {
    let id = 1..3u64;
    prop_oneof![
        2 => (id.clone(), 1..4096u16, 1..16u8, 1..128u8, 1..20i64).prop_map(|(id, classes, actions, purposes, days)| ConsentOp::Grant { id, classes, actions, purposes, days }),
        1 => id.clone().prop_map(|id| ConsentOp::Revoke { id }),
        1 => (id.clone(), 1..4096u16).prop_map(|(id, classes)| ConsentOp::Narrow { id, classes }),
        5 => (id.clone(), bit16(12), bit8(4), bit8(7)).prop_map(|(id, class, action, purpose)| ConsentOp::Access { id, class, action, purpose }),
        1 => id.clone().prop_map(|id| ConsentOp::Stranger { id }),
        1 => (1..15i64).prop_map(|days| ConsentOp::Warp { days }),
    ]
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn consent_no_access_outside_an_active_in_period_covering_grant(ops in proptest::collection::vec(consent_op(), 1..14)) {
        let h = Harness::new();
        let t = h.care_team();
        let stranger = h.funded();
        let c = h.consent();
        for op in &ops {
            match op {
                ConsentOp::Grant { id, classes, actions, purposes, days } => {
                    let args = GrantArgs { scope: Scope { classes: *classes, actions: *actions, purposes: *purposes }, not_before: h.now(), expires_at: h.now() + days * DAY, policy_hash: [1; 32] };
                    let _ = c.grant(&t.patient, &t.patient.pubkey(), &t.provider.pubkey(), *id, args);
                }
                ConsentOp::Revoke { id } => {
                    let _ = c.revoke(&t.patient, &con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), *id).0);
                }
                ConsentOp::Narrow { id, classes } => {
                    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), *id).0;
                    if let Some(x) = con::fetch_grant(&h.ledger, &g).unwrap() {
                        let scope = Scope { classes: x.scope.classes & classes, ..x.scope };
                        let _ = c.amend(&t.patient, &g, AmendArgs { scope: Some(scope), expires_at: None });
                    }
                }
                ConsentOp::Access { id, class, action, purpose } => {
                    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), *id).0;
                    let before = con::fetch_grant(&h.ledger, &g).unwrap();
                    let now = h.now();
                    let permitted = before.as_ref().is_some_and(|x| {
                        x.status == con::GrantStatus::Active && now >= x.not_before && now < x.expires_at
                            && x.scope.classes & class != 0 && x.scope.actions & action != 0 && x.scope.purposes & purpose != 0
                    });
                    let r = if before.is_some() { Some(c.record_access(&t.provider, &g, access(*class, *action, *purpose))) } else { None };
                    let succeeded = matches!(r, Some(Ok(_)));
                    prop_assert_eq!(succeeded, permitted, "access decision differs from the grant: {:?}", before);
                    if succeeded {
                        let after = con::fetch_grant(&h.ledger, &g).unwrap().unwrap();
                        prop_assert_eq!(after.access_count, before.unwrap().access_count + 1);
                    }
                }
                ConsentOp::Stranger { id } => {
                    // Nobody but the patient (or a delegate) changes a grant.
                    let g = con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), *id).0;
                    if let Some(x) = con::fetch_grant(&h.ledger, &g).unwrap() {
                        let mut ix = con::revoke_ix(&g, &x.patient, &stranger.pubkey());
                        meta(&mut ix, "delegate").pubkey = consent::ID;
                        prop_assert!(h.send(&[&stranger], &[ix]).is_err());
                        prop_assert_eq!(con::fetch_grant(&h.ledger, &g).unwrap().unwrap().status, x.status);
                    }
                }
                ConsentOp::Warp { days } => h.warp(days * DAY),
            }
        }
    }
}

// ----------------------------------------------------------------------------- claims

#[derive(Debug, Clone)]
enum ClaimsOp {
    Submit { billed: u64 },
    Adjudicate { claim: usize, percent: u64 },
    Pay { claim: usize },
    Reverse { claim: usize },
    Void { claim: usize },
    Replace { claim: usize, billed: u64 },
    NextDay,
}

fn claims_op() -> impl Strategy<Value = ClaimsOp> {
    let c = 0..4usize;
    prop_oneof![
        3 => (1..120_000u64).prop_map(|billed| ClaimsOp::Submit { billed }),
        3 => (c.clone(), 0..=100u64).prop_map(|(claim, percent)| ClaimsOp::Adjudicate { claim, percent }),
        3 => c.clone().prop_map(|claim| ClaimsOp::Pay { claim }),
        1 => c.clone().prop_map(|claim| ClaimsOp::Reverse { claim }),
        1 => c.clone().prop_map(|claim| ClaimsOp::Void { claim }),
        2 => (c.clone(), 1..120_000u64).prop_map(|(claim, billed)| ClaimsOp::Replace { claim, billed }),
        1 => Just(ClaimsOp::NextDay),
    ]
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn claims_money_invariants_hold(ops in proptest::collection::vec(claims_op(), 1..14)) {
        let h = Harness::new();
        let p = h.plan(&caretrail_sdk::tokens::TOKEN);
        let c = h.claims();
        let mut claims: Vec<Pubkey> = Vec::new();
        let mut payouts = std::collections::HashMap::<Pubkey, u32>::new();
        for (n, op) in ops.iter().enumerate() {
            match op {
                ClaimsOp::Submit { billed } => {
                    let id = format!("P{n}");
                    if c.submit(&p.provider, &id, &p.claim([1; 32], *billed)).is_ok() {
                        claims.push(clm::claim_address(&p.payer, &p.provider, &id));
                    }
                }
                ClaimsOp::Adjudicate { claim, percent } => {
                    if let Some(k) = claims.get(*claim) {
                        let x = clm::fetch_claim(&h.ledger, k).unwrap().unwrap();
                        let allowed = (x.billed as u128 * *percent as u128 / 100) as u64;
                        let reason = if allowed < x.billed { 45 } else { 0 };
                        let _ = c.adjudicate(&p.insurer, Some(&p.adjudicator), k, allowed, reason);
                    }
                }
                ClaimsOp::Pay { claim } => {
                    if let Some(k) = claims.get(*claim) {
                        if c.pay(&p.insurer, k, &p.provider_token).is_ok() {
                            *payouts.entry(*k).or_default() += 1;
                        }
                    }
                }
                ClaimsOp::Reverse { claim } => {
                    if let Some(k) = claims.get(*claim) {
                        let _ = c.reverse(&p.insurer, &p.provider, k, &p.provider_token, 1);
                    }
                }
                ClaimsOp::Void { claim } => {
                    if let Some(k) = claims.get(*claim) {
                        let _ = c.void(&p.provider, k);
                    }
                }
                ClaimsOp::Replace { claim, billed } => {
                    if let Some(k) = claims.get(*claim).copied() {
                        let id = format!("R{n}");
                        let refs = ClaimRefs { replaces: Some(k), ..Default::default() };
                        if c.submit(&p.provider, &id, &clm::SubmitClaim { refs: &refs, ..p.claim([2; 32], *billed) }).is_ok() {
                            claims.push(clm::claim_address(&p.payer, &p.provider, &id));
                        }
                    }
                }
                ClaimsOp::NextDay => h.warp(DAY),
            }
            // The coverage carries exactly what its live (not voided, not reversed) claims
            // charged to it: plan liability and the member's deductible share.
            let (mut used, mut deductible_met) = (0u64, 0u64);
            for k in &claims {
                let x = clm::fetch_claim(&h.ledger, k).unwrap().unwrap();
                if !matches!(x.status, ClaimStatus::Voided | ClaimStatus::Reversed) {
                    used += x.approved;
                    deductible_met += x.patient_share;
                }
            }
            let cov = clm::fetch_coverage(&h.ledger, &p.coverage).unwrap().unwrap();
            prop_assert_eq!(cov.used, used, "coverage.used = sum of approved over live claims");
            prop_assert_eq!(cov.deductible_met, deductible_met, "deductible_met = sum of patient shares");
            for k in &claims {
                let x = clm::fetch_claim(&h.ledger, k).unwrap().unwrap();
                prop_assert!(x.paid <= x.approved && x.approved <= x.billed, "{:?}", x);
                prop_assert!(payouts.get(k).copied().unwrap_or(0) <= 1, "paid at most once");
                if x.status == ClaimStatus::Paid {
                    prop_assert_eq!(x.paid, x.approved);
                }
            }
            let payer = clm::fetch_payer(&h.ledger, &p.payer).unwrap().unwrap();
            prop_assert_eq!(h.token_balance(&p.vault), payer.total_funded - payer.total_paid + payer.total_reversed);
            prop_assert!(payer.window.paid <= payer.daily_limit);
            prop_assert_eq!(payer.outstanding, claims.iter().map(|k| clm::fetch_claim(&h.ledger, k).unwrap().unwrap()).filter(|x| !matches!(x.status, ClaimStatus::Paid | ClaimStatus::Voided | ClaimStatus::Reversed)).map(|x| x.approved).sum::<u64>(), "outstanding = approved of unpaid live claims");
        }
    }
}

// ----------------------------------------------------------------------------- records

use caretrail_sdk::records::{self as rec, RecordProof, RecordStatus, RecordVersion};

#[derive(Debug, Clone)]
struct Correction {
    record: usize,
    by: usize,
    /// 0: supersede the latest version; more: an older one (a fork attempt).
    back: usize,
}

fn correction() -> impl Strategy<Value = Correction> {
    (
        0..2usize,
        0..2usize,
        prop_oneof![3 => Just(0usize), 1 => 1..3usize],
    )
        .prop_map(|(record, by, back)| Correction { record, by, back })
}

proptest! {
    #![proptest_config(config())]
    /// Version chains: a version is superseded only by its provider, once, by the next version;
    /// every version ever anchored verifies as current (the last) or superseded by the next
    /// with the chain's end as latest, and altered bytes never verify.
    #[test]
    fn record_version_chains_are_linear_and_verify(ops in proptest::collection::vec(correction(), 1..8)) {
        let h = Harness::new();
        let c = h.clinic();
        let providers: [&Keypair; 2] = [&c.provider, &c.other_provider];
        // Record r is anchored by provider r.
        let mut chains: Vec<Vec<(RecordProof, Vec<u8>)>> = (0..2)
            .map(|r| {
                let content = format!("record {r} v1").into_bytes();
                let a = h.anchor(providers[r], &[(&format!("r{r}"), &content)]);
                vec![(a.proofs[0].clone(), content)]
            })
            .collect();
        for (step, op) in ops.iter().enumerate() {
            let chain = &chains[op.record];
            let Some(index) = chain.len().checked_sub(1 + op.back) else { continue };
            let old = chain[index].0.clone();
            let content = format!("record {} step {step}", op.record).into_bytes();
            let by = providers[op.by];
            let next = RecordVersion::successor(&old, &content).unwrap();
            let anchored = h.records().anchor_records(by, &[next]).unwrap();
            let args = rec::supersede_args(&old, &anchored.proofs[0]).unwrap();
            let ix = rec::supersede_ix(&by.pubkey(), &old.batch_address().unwrap(), &anchored.batch, args);
            let result = h.send(&[by], &[ix]);
            let allowed = op.by == op.record && op.back == 0;
            prop_assert_eq!(result.is_ok(), allowed, "{:?}: {:?}", op, result.err());
            if allowed {
                chains[op.record].push((anchored.proofs[0].clone(), content));
            }
        }
        for chain in &chains {
            let latest = chain.len() as u32;
            for (i, (proof, content)) in chain.iter().enumerate() {
                let v = rec::verify_record(&h.ledger, content, proof).unwrap();
                let n = i as u32 + 1;
                prop_assert_eq!(proof.version, n);
                if n == latest {
                    prop_assert!(matches!(v.status, RecordStatus::Current { version, .. } if version == n), "{:?}", v);
                } else {
                    prop_assert!(matches!(v.status, RecordStatus::Superseded { version, by_version, latest_version, .. }
                        if version == n && by_version == n + 1 && latest_version == latest), "{:?}", v);
                }
                let mut tampered = content.clone();
                tampered.push(b'!');
                prop_assert!(!rec::verify_record(&h.ledger, &tampered, proof).unwrap().is_intact());
            }
        }
    }
}
