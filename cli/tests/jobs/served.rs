//! The embedded ledger served as a Solana JSON-RPC node by `caretrail serve`: caretrail's own
//! `RpcLedger` runs the validator suite's custody scan and claim against it (so the RPC backend
//! is exercised on every run, not only in the on-demand validator run), several CLI processes
//! work on one embedded ledger at once, and `@anchor-lang/core`, web3.js and `@solana/kit`
//! read and send through it.

use super::wallets::{node_test, web_dir, Net, Served};
use std::process::Command;

#[test]
fn the_served_embedded_ledger_is_a_node_for_rpc_ledger_the_cli_and_anchor() {
    let web = web_dir();
    let tmp = tempfile::tempdir().unwrap();
    let net = Net {
        dir: tmp.path().to_path_buf(),
        url: None,
    };
    let (authority, _) = net.keygen("authority");
    let served = Served::start(&net, &["--rate-limit", "1000000", "--quiet"]);
    let node = Net {
        dir: tmp.path().to_path_buf(),
        url: Some(served.url.clone()),
    };

    // The registry authority's fees, from the node's faucet (requestAirdrop).
    node.run(&authority, &["airdrop", "100"]);
    // The validator suite's flows, over caretrail's RpcLedger against this node. Only this
    // test reads the suite's settings, and only once.
    std::env::set_var("CARETRAIL_E2E_URL", &served.url);
    std::env::set_var("CARETRAIL_E2E_AUTHORITY", &authority);
    std::env::set_var("CARETRAIL_E2E_WORK", tmp.path().join("suite"));
    super::validator::a_custody_scan_of_three_hundred_lines_over_rpc();
    super::validator::a_claim_paid_in_spl_tokens_over_rpc_with_balances_read_back();
    // A VRS responder over this node (caretrail serve on caretrail serve's JSON-RPC).
    super::validator::vrs_requests_answered_over(served.url.clone());

    // Several CLI processes on the one embedded ledger at once.
    let keys: Vec<(String, String)> = (0..4).map(|i| node.keygen(&format!("w{i}"))).collect();
    let children: Vec<_> = keys
        .iter()
        .map(|(k, _)| {
            Command::new(assert_cmd::cargo::cargo_bin("caretrail"))
                .env("CARETRAIL_URL", &served.url)
                .env("HOME", tmp.path())
                .args(["--keypair", k, "--output", "json", "airdrop", "3"])
                .output()
        })
        .collect();
    for c in children {
        let out = c.unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for (k, _) in &keys {
        assert_eq!(node.run(k, &["address"])["balance"], 3_000_000_000u64);
    }

    // A patient's grant to the story's provider, then @anchor-lang/core reads and revokes it.
    let story = super::validator::rpc_story();
    let (patient, _) = &keys[0];
    let grant = node.grant(patient, &story.wallet("provider"), "labs");
    node_test(
        &web,
        "rpc.test.mjs",
        &[
            ("CARETRAIL_SERVER", served.url.clone()),
            ("CARETRAIL_PATIENT", patient.clone()),
            ("CARETRAIL_GRANT", grant.clone()),
        ],
    );
    assert!(served.interrupt().contains("stopped"));

    // Everything landed in the embedded ledger itself: the CLI opens it directly now.
    let listed = net.run(patient, &["consent", "list", "--patient", &keys[0].1]);
    let g = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["address"] == grant.as_str())
        .unwrap();
    assert_eq!(g["status"], "inactive", "revoked by @anchor-lang/core: {g}");
}
