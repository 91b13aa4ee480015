// The patient portal in Debian's headless chromium: a patient holding only a Wallet Standard
// wallet (tests/web/test-wallet.js, injected before the page's scripts, signing for real)
// approves a provider's pending request, the chain shows it, revokes it, the chain shows it;
// screenshots of each step go to CARETRAIL_SCREENSHOTS. (Playwright gives chromium a fresh
// temporary profile.)
//
// Started by cli/tests/jobs/wallets.rs with CARETRAIL_SERVER, CARETRAIL_PATIENT (keypair file),
// CARETRAIL_GRANT (the pending request), CARETRAIL_SCREENSHOTS (a directory).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (this test is started by cli/tests/jobs/wallets.rs)`);
  return v;
};
const SERVER = env("CARETRAIL_SERVER");
const GRANT = env("CARETRAIL_GRANT");
const SHOTS = env("CARETRAIL_SCREENSHOTS");
const secret = JSON.parse(readFileSync(env("CARETRAIL_PATIENT"), "utf8"));
const here = dirname(fileURLToPath(import.meta.url));
const walletScript = readFileSync(join(here, "test-wallet.js"), "utf8")
  .replaceAll("__CARETRAIL_TEST_WALLET_SEED__", JSON.stringify(secret.slice(0, 32)))
  .replaceAll("__CARETRAIL_TEST_WALLET_PUBKEY__", JSON.stringify(secret.slice(32, 64)));

async function grantOnChain() {
  const r = await fetch(`${SERVER}/api/grants/${GRANT}`);
  assert.equal(r.status, 200);
  return r.json();
}

test("a patient approves and then revokes a provider's request from a Wallet Standard wallet", async () => {
  mkdirSync(SHOTS, { recursive: true });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
  try {
    const context = await browser.newContext({ viewport: { width: 1000, height: 900 }, deviceScaleFactor: 1 });
    await context.addInitScript({ content: walletScript });
    const page = await context.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

    await page.goto(`${SERVER}/portal`);
    const connect = page.locator('[data-wallet="caretrail test wallet"]');
    await connect.waitFor();
    await page.screenshot({ path: join(SHOTS, "portal-connect.png") });
    await connect.click();

    // The pending request, as its registry entry, with Approve and Reject.
    const pending = page.locator(`#pending [data-grant="${GRANT}"]`);
    await pending.waitFor();
    assert.match(await pending.locator(".who").innerText(), /^provider \d{13}/);
    assert.match(await pending.innerText(), /medications, labs for TREAT/);
    await page.screenshot({ path: join(SHOTS, "portal-pending.png"), fullPage: true });

    // Approve: the dialog says what is signed; the wallet signs; the chain shows it.
    await pending.locator('[data-action="approve"]').click();
    const dialog = page.locator("#confirm");
    await dialog.waitFor({ state: "visible" });
    assert.match(await page.locator("#confirm-text").innerText(), /may access your medications and labs for treatment \(TREAT\)/);
    assert.equal(await page.locator("#confirm-fee").innerText(), "Your clinic pays the fee.");
    await page.screenshot({ path: join(SHOTS, "portal-confirm.png") });
    await page.locator("#confirm-sign").click();
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Approved"));
    assert.equal((await grantOnChain()).status, "active", "the chain shows the approval");
    assert.equal(await page.evaluate(() => window.__caretrailTestWalletSigned), 1);
    const active = page.locator(`#grants [data-grant="${GRANT}"]`);
    await active.waitFor();
    assert.match(await active.innerText(), /active/);
    await page.screenshot({ path: join(SHOTS, "portal-approved.png"), fullPage: true });

    // Phone-sized screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(SHOTS, "portal-phone.png"), fullPage: true });
    await page.setViewportSize({ width: 1000, height: 900 });

    // Revoke in one click (and the confirmation of what it does).
    await active.locator('[data-action="revoke"]').click();
    await dialog.waitFor({ state: "visible" });
    assert.match(await page.locator("#confirm-text").innerText(), /may no longer access/);
    await page.locator("#confirm-sign").click();
    await page.waitForFunction(() => document.getElementById("status").textContent.startsWith("Revoked"));
    const g = await grantOnChain();
    assert.equal(g.status, "inactive", "the chain shows the revocation");
    assert.match(await page.locator(`#grants [data-grant="${GRANT}"]`).innerText(), /revoked/);
    await page.screenshot({ path: join(SHOTS, "portal-revoked.png"), fullPage: true });

    // The access history chart: one dot per recorded access.
    assert.ok(await page.locator("#timeline svg circle[data-access]").count() >= 1);
    assert.deepEqual(errors, [], "no script errors");
  } finally {
    await browser.close();
  }
});
