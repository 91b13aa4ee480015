//! No-panic harnesses (proptest, bounded, run in CI): arbitrary instruction data against every
//! program, arbitrary scanner input through the scan-file reader and the GS1 parser. Every bad
//! input is a clear error, never a panic (a native panic would surface as
//! ProgramFailedToComplete).

use caretrail_sdk::gs1;
use caretrail_sdk::scan;
use caretrail_tests::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use solana_sdk::{
    instruction::{AccountMeta, Instruction, InstructionError},
    pubkey::Pubkey,
    signature::Signer,
    transaction::TransactionError,
};

fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x0f_22),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Instruction discriminators of every program (so the fuzzer reaches argument decoding).
fn discriminators() -> Vec<(Pubkey, Vec<u8>)> {
    let mut out = Vec::new();
    for (program, idl) in [
        (registry::ID, include_str!("../../../idls/registry.json")),
        (consent::ID, include_str!("../../../idls/consent.json")),
        (custody::ID, include_str!("../../../idls/custody.json")),
        (claims::ID, include_str!("../../../idls/claims.json")),
        (records::ID, include_str!("../../../idls/records.json")),
        (trials::ID, include_str!("../../../idls/trials.json")),
    ] {
        let v: serde_json::Value = serde_json::from_str(idl).unwrap();
        for ix in v["instructions"].as_array().unwrap() {
            let d: Vec<u8> = ix["discriminator"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_u64().unwrap() as u8)
                .collect();
            out.push((program, d));
        }
    }
    out
}

proptest! {
    #![proptest_config(config(256))]
    #[test]
    fn arbitrary_instruction_data_is_rejected_without_panicking(
        which in 0..64usize,
        keep_discriminator in any::<bool>(),
        tail in proptest::collection::vec(any::<u8>(), 0..96),
        accounts in 0..8usize,
    ) {
        thread_local! {
            static H: Harness = Harness::new();
        }
        let all = discriminators();
        let (program, disc) = &all[which % all.len()];
        let mut data = if keep_discriminator { disc.clone() } else { Vec::new() };
        data.extend_from_slice(&tail);
        H.with(|h| {
            let metas: Vec<AccountMeta> = (0..accounts).map(|i| if i == 0 { AccountMeta::new(h.payer.pubkey(), true) } else { AccountMeta::new(Pubkey::new_unique(), false) }).collect();
            let r = h.send(&[], &[Instruction { program_id: *program, accounts: metas, data }]);
            match r {
                Ok(_) => Ok(()),
                Err(e) => {
                    let panicked = matches!(e.transaction_error(), Some(TransactionError::InstructionError(_, InstructionError::ProgramFailedToComplete)));
                    prop_assert!(!panicked, "the program panicked: {e}");
                    Ok(())
                }
            }
        })?;
    }

    #[test]
    fn the_scan_file_reader_and_gs1_parser_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        for (line, code) in scan::scan_lines(&text) {
            prop_assert!(line >= 1);
            if let Err(e) = gs1::parse_with_year(&code, 2026) {
                prop_assert!(!e.reason.is_empty());
            }
        }
    }

    #[test]
    fn gs1_shaped_inputs_never_panic(
        prefix in prop_oneof![Just(""), Just("]d2"), Just("]C1"), Just("("), Just("https://x.io/01/")],
        body in "[0-9A-Za-z()<>/%?=&\\x1d]{0,80}",
    ) {
        let s = format!("{prefix}{body}");
        if let Err(e) = gs1::parse_with_year(&s, 2026) {
            prop_assert!(!e.reason.is_empty());
        }
    }

    /// The EPCIS importer answers every input with a document or an error, never a panic:
    /// random bytes, and XML/JSON-shaped text built from EPCIS's own tokens.
    #[test]
    fn the_epcis_importer_never_panics(
        bytes in proptest::collection::vec(any::<u8>(), 0..300),
        tokens in proptest::collection::vec(prop_oneof![
            Just("<EPCISDocument>"), Just("</EPCISDocument>"), Just("<EPCISBody>"), Just("<EventList>"),
            Just("<ObjectEvent>"), Just("</ObjectEvent>"), Just("<epcList>"), Just("<epc>"), Just("</epc>"),
            Just("urn:epc:id:sgtin:0614141.107346.2017"), Just("urn:epc:id:sscc:0614141.1"), Just("<!--"), Just("-->"),
            Just("<![CDATA["), Just("]]>"), Just("<!DOCTYPE x>"), Just("<a b='>'>"), Just("/>"), Just("\""),
            Just("{\"type\":\"EPCISDocument\",\"epcisBody\":{\"eventList\":["), Just("]}}"), Just("{"), Just("}"),
        ], 0..40),
    ) {
        let _ = caretrail_sdk::custody::epcis_import::import(&bytes);
        let text: String = tokens.concat();
        if let Ok(d) = caretrail_sdk::custody::epcis_import::import(text.as_bytes()) {
            let _ = d.report();
        }
    }
}
