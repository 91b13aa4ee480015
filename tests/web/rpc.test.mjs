// The embedded ledger served as a Solana JSON-RPC node, used by the clients Solana developers
// use: @anchor-lang/core (fetch and decode a grant with the consent IDL, list grants with a
// memcmp filter, build and send a revocation), web3.js and @solana/kit for plain reads, and
// raw JSON-RPC for the error codes.
//
// Started by cli/tests/jobs/served.rs with CARETRAIL_SERVER (the node's URL),
// CARETRAIL_PATIENT (the patient's keypair file), CARETRAIL_GRANT (one of its active grants).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Connection, Keypair, PublicKey } from "@solana/web3.js";
import { createSolanaRpc, address } from "@solana/kit";

const require = createRequire(import.meta.url);
const anchor = require("@anchor-lang/core");

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (this test is started by cli/tests/jobs/served.rs)`);
  return v;
};
const SERVER = env("CARETRAIL_SERVER");
const GRANT = new PublicKey(env("CARETRAIL_GRANT"));
const patient = Keypair.fromSecretKey(Uint8Array.from(JSON.parse(readFileSync(env("CARETRAIL_PATIENT"), "utf8"))));
const here = dirname(fileURLToPath(import.meta.url));
const idl = JSON.parse(readFileSync(join(here, "../../idls/consent.json"), "utf8"));

const connection = new Connection(SERVER, { commitment: "confirmed", disableRetryOnRateLimit: true });
const provider = new anchor.AnchorProvider(connection, new anchor.Wallet(patient), { commitment: "confirmed" });
const program = new anchor.Program(idl, provider);

async function rpc(method, params) {
  const r = await fetch(SERVER, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) });
  return r.json();
}

test("web3.js and @solana/kit read the served embedded ledger", async () => {
  const version = await connection.getVersion();
  assert.ok(version["solana-core"]);
  const { blockhash, lastValidBlockHeight } = await connection.getLatestBlockhash();
  assert.ok(blockhash.length >= 32 && lastValidBlockHeight > 0);
  assert.equal((await connection.isBlockhashValid(blockhash)).value, true);
  assert.ok((await connection.getBalance(patient.publicKey)) > 0);
  const kit = createSolanaRpc(SERVER);
  const balance = await kit.getBalance(address(patient.publicKey.toBase58())).send();
  assert.ok(balance.value > 0n);
  const slot = await kit.getSlot().send();
  assert.ok(slot >= 0n);
  const [grantAccount, wallet] = await connection.getMultipleAccountsInfo([GRANT, patient.publicKey]);
  assert.equal(grantAccount.owner.toBase58(), idl.address);
  assert.equal(wallet.owner.toBase58(), "11111111111111111111111111111111");
  assert.ok((await connection.getEpochInfo()).absoluteSlot >= 0);
  assert.equal(await connection.getGenesisHash(), (await rpc("getGenesisHash", [])).result);
  const rent = await connection.getMinimumBalanceForRentExemption(197);
  assert.ok(rent > 0);
});

test("@anchor-lang/core fetches, decodes, lists and sends through the served ledger", async () => {
  const grant = await program.account.consentGrant.fetch(GRANT);
  assert.equal(grant.patient.toBase58(), patient.publicKey.toBase58());
  assert.deepEqual(grant.status, { active: {} });
  assert.ok(grant.scope.classes > 0);

  // A memcmp filter on the patient (getProgramAccounts).
  const mine = await program.account.consentGrant.all([{ memcmp: { offset: 17, bytes: patient.publicKey.toBase58() } }]);
  assert.ok(mine.some((g) => g.publicKey.equals(GRANT)), "the grant is among the patient's");

  // Build, sign and send a revocation; confirm by polling signature statuses.
  const tx = await program.methods.revoke().accountsPartial({ grant: GRANT, authority: patient.publicKey, delegate: null }).transaction();
  tx.feePayer = patient.publicKey;
  tx.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
  tx.sign(patient);
  const simulated = await connection.simulateTransaction(tx);
  assert.equal(simulated.value.err, null, JSON.stringify(simulated.value.logs));
  const signature = await connection.sendRawTransaction(tx.serialize());
  let status = null;
  for (let i = 0; i < 50 && !status; i++) {
    status = (await connection.getSignatureStatuses([signature])).value[0];
    if (!status) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(status, "the revocation has a status");
  assert.equal(status.err, null);
  assert.equal(status.confirmationStatus, "finalized");
  const after = await program.account.consentGrant.fetch(GRANT);
  assert.deepEqual(after.status, { revoked: {} });

  // The transaction and the address's history, as a node serves them.
  const landed = await connection.getTransaction(signature, { maxSupportedTransactionVersion: 0, commitment: "confirmed" });
  // (Natively the programs' msg! lines go to stdout; the invoke and success lines are logs.)
  assert.ok(landed.meta.logMessages.some((l) => l === `Program ${idl.address} success`), landed.meta.logMessages.join("\n"));
  assert.equal(landed.transaction.signatures[0], signature);
  const history = await connection.getSignaturesForAddress(GRANT, { limit: 5 });
  assert.equal(history[0].signature, signature, "newest first");

  // The program's own error, decoded by Anchor from a failed send: revoking twice.
  const again = await program.methods.revoke().accountsPartial({ grant: GRANT, authority: patient.publicKey, delegate: null }).transaction();
  again.feePayer = patient.publicKey;
  again.recentBlockhash = (await connection.getLatestBlockhash()).blockhash;
  again.sign(patient);
  await assert.rejects(connection.sendRawTransaction(again.serialize()), (e) => {
    assert.match(String(e.message), /custom program error: 0x/);
    assert.ok(e.logs.some((l) => l.includes("failed: custom program error")), e.logs.join("\n"));
    return true;
  });
});

test("bad calls get JSON-RPC error codes", async () => {
  assert.equal((await rpc("getNothing", [])).error.code, -32601);
  assert.equal((await rpc("getAccountInfo", ["not-a-key"])).error.code, -32602);
  assert.equal((await rpc("getBalance", [])).error.code, -32602);
  const r = await fetch(SERVER, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{\"jsonrpc\": " });
  assert.equal((await r.json()).error.code, -32700);
  const batch = await fetch(SERVER, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify([{ jsonrpc: "2.0", id: 1, method: "getHealth" }, { jsonrpc: "2.0", id: 2, method: "getSlot" }]) });
  const answers = await batch.json();
  assert.deepEqual(answers.map((a) => a.id), [1, 2]);
  assert.equal(answers[0].result, "ok");
});
