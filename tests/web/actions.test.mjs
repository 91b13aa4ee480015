// The Solana Actions / Solana Pay flow of `caretrail serve`, driven by the reference clients
// (@solana/pay 1.x on @solana/kit, @solana/actions on web3.js): parse the desk's QR URL, fetch
// the action, POST the patient's account, deserialize and check what it asks to sign, sign
// with the patient's key, submit, follow links.next, read the grant back.
//
// Started by the Rust test `cli/tests/jobs/wallets.rs` with:
//   CARETRAIL_SERVER   http://127.0.0.1:PORT (where the server listens)
//   CARETRAIL_PUBLIC   https://clinic.example (its public address, in the QR code)
//   CARETRAIL_PAY_URL  the solana: URL the QR code holds
//   CARETRAIL_PATIENT  the patient's keypair file (the wallet's key, never the server's)
//   CARETRAIL_SPONSOR  the sponsor's public key
//   CARETRAIL_CONSENT  the consent program id
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parseURL as parsePayURL, fetchTransaction as payFetchTransaction } from "@solana/pay";
import { fetchTransaction as actionFetchTransaction, ACTIONS_CORS_HEADERS } from "@solana/actions";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { getCompiledTransactionMessageDecoder } from "@solana/kit";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (this test is started by cli/tests/jobs/wallets.rs)`);
  return v;
};
const SERVER = env("CARETRAIL_SERVER");
const PUBLIC = env("CARETRAIL_PUBLIC");
const PAY_URL = env("CARETRAIL_PAY_URL");
const SPONSOR = env("CARETRAIL_SPONSOR");
const CONSENT = env("CARETRAIL_CONSENT");
const patient = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(env("CARETRAIL_PATIENT"), "utf8"))));

// The QR code names the clinic's public https address; this test reaches the same server on
// loopback (what the clinic's TLS proxy does).
const local = (url) => new URL(String(url).replace(PUBLIC, SERVER));

// Neither client needs a cluster here: a sponsored transaction arrives with its blockhash.
const noRpc = new Connection("http://127.0.0.1:9"); // never called
const noKitRpc = { getLatestBlockhash: () => { throw new Error("not called"); } };

async function postJson(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  const json = await r.json();
  assert.equal(r.status, 200, JSON.stringify(json));
  return json;
}

test("the desk's QR code is a Solana Pay transaction request the reference client parses", async () => {
  const parsed = parsePayURL(PAY_URL);
  assert.ok(parsed.link, "a transaction request has a link");
  assert.equal(parsed.link.origin, PUBLIC);
  assert.equal(parsed.link.pathname, "/api/actions/consent/approve");
  // Solana Pay GET: label and icon.
  const r = await fetch(local(parsed.link));
  assert.equal(r.status, 200);
  const meta = await r.json();
  assert.equal(typeof meta.label, "string");
  assert.match(meta.icon, /^https:\/\/clinic\.example\/icon\.svg$/);
  // Solana Pay POST through @solana/pay's own fetchTransaction: signatures checked by it.
  const tx = await payFetchTransaction(noKitRpc, patient.publicKey.toBase58(), local(parsed.link));
  const signers = Object.keys(tx.signatures);
  assert.deepEqual(signers, [SPONSOR, patient.publicKey.toBase58()]);
  assert.equal(tx.signatures[patient.publicKey.toBase58()], null, "the patient has not signed yet");
  const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes);
  const programs = message.instructions.map((ix) => message.staticAccounts[ix.programAddressIndex]);
  assert.deepEqual(programs, [CONSENT], "the only instruction is the consent program's");
});

test("an approval through Solana Actions: fetch, check, sign with the patient's key, submit, next", async () => {
  const link = local(parsePayURL(PAY_URL).link);
  // The action, with the headers the spec requires.
  const r = await fetch(link, { headers: { "X-Accept-Action-Version": "2.4" } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("x-action-version"), "2.4");
  assert.match(r.headers.get("x-blockchain-ids"), /^solana:[1-9A-HJ-NP-Za-km-z]{32}$/);
  for (const h of ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Expose-Headers"]) {
    assert.equal(r.headers.get(h), ACTIONS_CORS_HEADERS[h], h);
  }
  const action = await r.json();
  assert.equal(action.type, "action");
  assert.match(action.title, /^Approve a request from provider \d{13}$/);
  assert.match(action.description, /may access your medications and labs for treatment \(TREAT\) from \d{4}-\d\d-\d\d until \d{4}-\d\d-\d\d/);
  assert.deepEqual(action.links.actions.map((a) => a.label), ["Approve", "Reject"]);

  // POST {account} through @solana/actions' fetchTransaction (it verifies the sponsor's
  // signature and that only `account` still has to sign).
  const href = new URL(action.links.actions[0].href, link);
  const posted = await actionFetchTransaction(noRpc, href, { account: patient.publicKey.toBase58() });
  const tx = posted.transaction;
  assert.equal(tx.feePayer.toBase58(), SPONSOR, "the clinic pays the fee");
  assert.equal(tx.instructions.length, 1);
  assert.equal(tx.instructions[0].programId.toBase58(), CONSENT);
  const signerKeys = tx.instructions[0].keys.filter((k) => k.isSigner).map((k) => k.pubkey.toBase58());
  assert.deepEqual(signerKeys, [patient.publicKey.toBase58()], "the patient signs the decision");
  assert.equal(posted.message, action.description, "what is signed is what was described");

  const grant = new URL(href).searchParams.get("grant");
  const before = await (await fetch(`${SERVER}/api/patients/${patient.publicKey.toBase58()}`)).json();

  tx.partialSign(patient);
  const sent = await postJson(`${SERVER}/api/transactions`, { transaction: tx.serialize().toString("base64") });
  assert.match(sent.signature, /^[1-9A-HJ-NP-Za-km-z]{64,88}$/);

  const next = await postJson(new URL(posted.links.next.href, link), { account: patient.publicKey.toBase58(), signature: sent.signature });
  assert.equal(next.type, "completed");
  assert.equal(next.title, "Approved");

  const g = await (await fetch(`${SERVER}/api/grants/${grant}`)).json();
  assert.equal(g.status, "active");
  assert.equal(g.patient, patient.publicKey.toBase58());
  const after = await (await fetch(`${SERVER}/api/patients/${patient.publicKey.toBase58()}`)).json();
  assert.equal(after.lamports, before.lamports, "a sponsored decision costs the patient 0 lamports");
});
