//! Lamports per real-world action, measured from balances.

use crate::Table;
use caretrail_sdk::custody::{self as cus, UnitKind};
use caretrail_sdk::Ledger;
use caretrail_tests::{treatment_scope, Harness};
use solana_sdk::{pubkey::Pubkey, signature::Signer};

/// Lamports one real-world action costs (rent + fees), measured from the paying wallets.
pub(crate) fn actions(quick: bool) -> Table {
    let mut t = Table::new(
        "Cost per real-world action (measured from balances: rent + fees)",
        &["action", "lamports", "transactions", "note"],
    );
    let h = Harness::new();
    let sc = h.supply_chain();
    let spent = |f: &dyn Fn()| {
        let wallets = [
            h.payer.pubkey(),
            sc.manufacturer.pubkey(),
            sc.distributor.pubkey(),
            sc.pharmacy.pubkey(),
        ];
        let before: u64 = wallets
            .iter()
            .map(|w| h.ledger.get_balance(w).unwrap())
            .sum();
        let txs = h.ledger.transaction_count().unwrap();
        f();
        let after: u64 = wallets
            .iter()
            .map(|w| h.ledger.get_balance(w).unwrap())
            .sum();
        (before - after, h.ledger.transaction_count().unwrap() - txs)
    };
    let n = 100;
    let serials: Vec<String> = (0..n).map(|i| format!("A{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let (lamports, txs) = spent(&|| {
        h.commission(&sc, &refs);
    });
    t.row(vec![
        "commission one unit".into(),
        (lamports / n as u64).to_string(),
        format!("{txs} for {n}"),
        "Unit account + share of batch fees".into(),
    ]);
    let units: Vec<Pubkey> = refs.iter().map(|s| cus::unit_pda(&sc.gtin, s).0).collect();
    let (lamports, txs) = spent(&|| h.hop(&sc.manufacturer, &sc.distributor, &units[0]));
    t.row(vec![
        "one custody hop (ship + receive)".into(),
        lamports.to_string(),
        txs.to_string(),
        "2 fees (the Hop account's rent comes back at receipt)".into(),
    ]);
    // A pallet moved by aggregation vs its units one by one.
    let pallet_n = if quick { 100 } else { 1_000 };
    let serials: Vec<String> = (0..pallet_n).map(|i| format!("P{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let pallet_units = h.commission(&sc, &refs);
    let sscc = cus::parse_sscc(&cus::complete_sscc("10614141000000777").unwrap()).unwrap();
    let (agg_lamports, agg_txs) = spent(&|| {
        h.custody()
            .create_aggregate(&sc.manufacturer, sscc, UnitKind::Pallet)
            .unwrap();
        let pallet = cus::sscc_pda(&sscc).0;
        for chunk in pallet_units.chunks(20) {
            h.custody()
                .aggregate(&sc.manufacturer, &pallet, chunk)
                .unwrap();
        }
        h.hop(&sc.manufacturer, &sc.distributor, &pallet);
    });
    t.row(vec![
        format!("move a {pallet_n}-unit pallet by aggregation"),
        agg_lamports.to_string(),
        agg_txs.to_string(),
        "create pallet + pack + one hop".into(),
    ]);
    let loose_n = pallet_n.min(if quick { 100 } else { 1_000 });
    let serials: Vec<String> = (0..loose_n).map(|i| format!("L{i:05}")).collect();
    let refs: Vec<&str> = serials.iter().map(String::as_str).collect();
    let loose = h.commission(&sc, &refs);
    let (one_lamports, one_txs) = spent(&|| {
        for u in &loose {
            h.hop(&sc.manufacturer, &sc.distributor, u);
        }
    });
    t.row(vec![
        format!("move the same {loose_n} units one by one"),
        one_lamports.to_string(),
        one_txs.to_string(),
        format!(
            "{:.1}x the pallet's cost",
            one_lamports as f64 / agg_lamports as f64
        ),
    ]);
    // One consent grant and one claim.
    let h = Harness::new();
    let team = h.care_team();
    let (lamports, _) = {
        let before = h.ledger.get_balance(&team.patient.pubkey()).unwrap()
            + h.ledger.get_balance(&h.payer.pubkey()).unwrap();
        h.grant(&team, &team.provider, 1, treatment_scope(), 30);
        let after = h.ledger.get_balance(&team.patient.pubkey()).unwrap()
            + h.ledger.get_balance(&h.payer.pubkey()).unwrap();
        (before - after, 1)
    };
    t.row(vec![
        "one consent grant".into(),
        lamports.to_string(),
        "1".into(),
        "ConsentGrant account + fee".into(),
    ]);
    let h2 = Harness::new();
    let p = h2.plan(&caretrail_sdk::tokens::TOKEN);
    let before = h2.ledger.get_balance(&p.provider.pubkey()).unwrap()
        + h2.ledger.get_balance(&h2.payer.pubkey()).unwrap();
    h2.submit(&p, "COST-1", 1_000);
    let after = h2.ledger.get_balance(&p.provider.pubkey()).unwrap()
        + h2.ledger.get_balance(&h2.payer.pubkey()).unwrap();
    t.row(vec![
        "one claim".into(),
        (before - after).to_string(),
        "1".into(),
        "Claim account + fee".into(),
    ]);
    t
}
