//! The DSCSA VRS between two real processes (also over the validator, from
//! `e2e/validator.rs`): `caretrail serve --vrs-for` the demo's
//! manufacturer answers `caretrail custody verify CODE --vrs URL` about each demo package
//! (genuine, recalled, quarantined, counterfeit, dispensed) from the demo's ledger, refuses a
//! requester the registry does not know, and logs every exchange.

use super::wallets::{Net, Served};
use serde_json::Value;
use std::path::Path;

pub fn demo_packages_over_vrs(out: &Path, story: &Value) {
    packages_over_vrs(out, story, None)
}

/// The VRS exchange of the demo in `out` (its story `story`), the responder serving the
/// ledger at `ledger_url` (the demo's embedded ledger when `None`).
pub fn packages_over_vrs(out: &Path, story: &Value, ledger_url: Option<String>) {
    let wallet = |name: &str| super::wallet(story, name);
    let local = Net {
        dir: out.to_path_buf(),
        url: ledger_url,
    };
    let log = out.join("vrs-requests.jsonl");
    let _ = std::fs::remove_file(&log);
    let served = Served::start(
        &local,
        &[
            "--quiet",
            "--vrs-for",
            &wallet("manufacturer"),
            "--vrs-log",
            log.to_str().unwrap(),
        ],
    );
    // The distributor asks (its GLN read from the registry over the served ledger).
    let partner = Net {
        dir: out.to_path_buf(),
        url: Some(served.url.clone()),
    };
    let distributor = out.join("keys/distributor.json");
    let base = format!("{}/vrs", served.url);
    let checks = story["custody"]["vrs_checks"].as_array().unwrap();
    assert_eq!(checks.len(), 5);
    for check in checks {
        let code = check["code"].as_str().unwrap();
        let (v, status) = partner.run_status(
            distributor.to_str().unwrap(),
            &["custody", "verify", code, "--vrs", &base],
        );
        assert_eq!(v["result"], check["expected"], "{}: {v}", check["what"]);
        assert_eq!(status, if v["result"] == "genuine" { 0 } else { 1 });
        assert_eq!(v["responderGLN"], "0614141000012", "{v}");
        let expected_data = match check["expected"].as_str().unwrap() {
            "genuine" => serde_json::json!({"verified": true}),
            "lot_recalled" => serde_json::json!({"verified": true, "additionalInfo": "Recalled"}),
            "quarantined" => serde_json::json!({"verified": true, "additionalInfo": "Suspect"}),
            "unknown_serial" => {
                serde_json::json!({"verified": false, "verificationFailureReason": "No_match_GTIN_Serial"})
            }
            _ => {
                serde_json::json!({"verified": false, "verificationFailureReason": "No_reason_provided"})
            }
        };
        assert_eq!(v["data"], expected_data, "{}", check["what"]);
        assert!(v["url"]
            .as_str()
            .unwrap()
            .contains("reqGLN=0614141000029&corrUUID="));
    }
    // A requester the registry does not know: refused, and told why in words.
    let (refused, status) = partner.run_status(
        distributor.to_str().unwrap(),
        &[
            "custody",
            "verify",
            checks[0]["code"].as_str().unwrap(),
            "--vrs",
            &base,
            "--req-gln",
            "0614141000098",
        ],
    );
    assert_eq!(status, 3, "{refused}");
    assert!(
        refused["message"]
            .as_str()
            .unwrap()
            .contains("answered HTTP 401: it does not know our GLN as a trading partner"),
        "{refused}"
    );
    assert!(served.interrupt().contains("stopped"));
    let lines = super::json_lines(&std::fs::read_to_string(&log).unwrap());
    let statuses: Vec<u64> = lines
        .iter()
        .map(|l| l["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [200, 200, 200, 200, 200, 401]);
}
