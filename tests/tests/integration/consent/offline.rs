use super::*;

#[test]
fn the_patient_signs_offline_and_the_signed_transaction_is_submitted() {
    use caretrail_sdk::offline;
    let h = Harness::new();
    let t = h.care_team();
    // The clinic's machine builds the grant; the clinic pays the fee; the patient signs elsewhere.
    let clinic = h.funded();
    let ix = con::grant_ix(
        &clinic.pubkey(),
        &caretrail_sdk::consent::GrantRequest {
            patient: &t.patient.pubkey(),
            grantee: &t.provider.pubkey(),
            authority: &t.patient.pubkey(),
            grant_id: 1,
            args: args(&h, treatment_scope(), 30),
        },
    );
    let mut tx = offline::build(
        &[ix],
        &clinic.pubkey(),
        &offline::Lifetime::Blockhash(h.ledger.latest_blockhash().unwrap()),
    );
    offline::sign(&mut tx, &[&clinic]).unwrap();
    assert_eq!(offline::missing_signers(&tx), [t.patient.pubkey()]);
    expect_instruction_error_free_submit_refused(&h, &tx);
    let exported = offline::to_base64(&tx);
    // The patient's wallet: decode, sign, hand back PUBKEY=SIGNATURE.
    let mut at_wallet = offline::from_base64(&exported).unwrap();
    let pair = offline::sign(&mut at_wallet, &[&t.patient])
        .unwrap()
        .remove(0);
    // Back at the clinic: a forged signature is refused, the real one accepted.
    let forged = format!(
        "{}={}",
        t.patient.pubkey(),
        Keypair::new().sign_message(&tx.message_data())
    );
    assert!(offline::attach(&mut tx, &forged)
        .unwrap_err()
        .to_string()
        .contains("does not match"));
    offline::attach(&mut tx, &pair).unwrap();
    offline::submit(&h.ledger, &tx).unwrap();
    assert_eq!(
        grant(
            &h,
            &con::grant_pda(&t.patient.pubkey(), &t.provider.pubkey(), 1).0
        )
        .status,
        GrantStatus::Active
    );
}

#[test]
fn offline_signing_with_a_durable_nonce_survives_a_ledger_restart() {
    use caretrail_sdk::offline;
    use caretrail_sdk::registry::RegistryClient;
    let dir = tempfile::tempdir().unwrap();
    let (clinic, patient, provider, nonce) = (
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
        Keypair::new(),
    );
    let unsigned = {
        let ledger = caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap();
        for k in [&clinic, &patient, &provider] {
            ledger.request_airdrop(&k.pubkey(), 10_000_000_000).unwrap();
        }
        let reg = RegistryClient::new(&ledger, &clinic);
        reg.initialize(&clinic).unwrap();
        reg.register(
            &clinic,
            participant_args(
                &provider.pubkey(),
                roles::PROVIDER,
                ledger.get_clock().unwrap().unix_timestamp + 365 * DAY,
            ),
        )
        .unwrap();
        offline::create_nonce_account(&ledger, &clinic, &nonce, &clinic.pubkey()).unwrap();
        let value = offline::nonce_value(&ledger, &nonce.pubkey()).unwrap();
        let now = ledger.get_clock().unwrap().unix_timestamp;
        let ix = con::grant_ix(
            &clinic.pubkey(),
            &caretrail_sdk::consent::GrantRequest {
                patient: &patient.pubkey(),
                grantee: &provider.pubkey(),
                authority: &patient.pubkey(),
                grant_id: 1,
                args: GrantArgs {
                    scope: treatment_scope(),
                    not_before: now,
                    expires_at: now + 30 * DAY,
                    policy_hash: [1; 32],
                },
            },
        );
        let lifetime = offline::Lifetime::Nonce {
            account: nonce.pubkey(),
            authority: clinic.pubkey(),
            value,
        };
        let mut tx = offline::build(&[ix], &clinic.pubkey(), &lifetime);
        offline::sign(&mut tx, &[&clinic]).unwrap();
        offline::to_base64(&tx)
    };
    // Later, another process: the bank restarted (new blockhashes), the nonce still holds.
    drop(caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap());
    let mut tx = offline::from_base64(&unsigned).unwrap();
    let pair = offline::sign(&mut offline::from_base64(&unsigned).unwrap(), &[&patient])
        .unwrap()
        .remove(0);
    offline::attach(&mut tx, &pair).unwrap();
    let ledger = caretrail_sdk::EmbeddedLedger::open(dir.path()).unwrap();
    offline::submit(&ledger, &tx).unwrap();
    let g = con::fetch_grant(
        &ledger,
        &con::grant_pda(&patient.pubkey(), &provider.pubkey(), 1).0,
    )
    .unwrap()
    .unwrap();
    assert_eq!(g.status, GrantStatus::Active);
    // The nonce advanced: the same transaction cannot be replayed.
    assert!(offline::submit(&ledger, &tx).is_err());
}
