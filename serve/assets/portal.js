// caretrail patient portal. Plain script, no dependencies: Wallet Standard discovery, the
// patient's overview from /api/patients/{key}, and every decision through the same Solana
// Actions endpoints wallets use (POST {account} -> transaction; the wallet signs; the signed
// transaction goes to /api/transactions; links.next says what changed).
// Everything shown is set with textContent: nothing from the server is parsed as HTML.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const wallets = [];
  let wallet = null;
  let account = null; // Wallet Standard account of the patient
  let patient = new URLSearchParams(location.search).get("patient"); // read-only view

  // ---- Wallet Standard discovery (the protocol of @wallet-standard/app) ----
  const api = {
    register(...ws) {
      for (const w of ws) {
        if (!wallets.includes(w)) wallets.push(w);
      }
      renderWallets();
      return () => {};
    },
  };
  window.addEventListener("wallet-standard:register-wallet", (event) => {
    try { event.detail(api); } catch (e) { console.error(e); }
  });
  try {
    window.dispatchEvent(new CustomEvent("wallet-standard:app-ready", { detail: api }));
  } catch (e) { console.error(e); }

  function usable(w) {
    return w.features && w.features["standard:connect"] && w.features["solana:signTransaction"];
  }

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("data-")) e.setAttribute(k, v);
      else if (k === "onclick") e.addEventListener("click", v);
      else e[k] = v;
    }
    for (const c of children) {
      if (c === null || c === undefined) continue;
      e.append(typeof c === "string" ? document.createTextNode(c) : c);
    }
    return e;
  }

  function renderWallets() {
    const box = $("wallets");
    box.replaceChildren();
    const list = wallets.filter(usable);
    $("no-wallet").hidden = list.length > 0;
    for (const w of list) {
      box.append(el("button", { class: "primary", "data-wallet": w.name, onclick: () => connect(w) }, "Connect " + w.name));
    }
  }
  setTimeout(() => { if (!wallets.some(usable)) $("no-wallet").hidden = false; }, 300);

  async function connect(w) {
    try {
      const { accounts } = await w.features["standard:connect"].connect();
      if (!accounts || !accounts.length) throw new Error("the wallet shared no account");
      wallet = w;
      account = accounts[0];
      patient = account.address;
      await refresh();
    } catch (e) {
      status("Could not connect: " + e.message, true);
    }
  }

  $("disconnect").addEventListener("click", async () => {
    try { if (wallet && wallet.features["standard:disconnect"]) await wallet.features["standard:disconnect"].disconnect(); } catch (_) {}
    wallet = null; account = null; patient = null;
    for (const id of ["me", "pending-s", "emergencies-s", "grants-s", "guardians-s", "history-s"]) $(id).hidden = true;
    $("connect").hidden = false;
    status("");
  });

  function status(text, error) {
    const s = $("status");
    s.textContent = text;
    s.className = error ? "error" : "";
  }

  async function json(url, options) {
    const r = await fetch(url, options);
    let body = null;
    try { body = await r.json(); } catch (_) {}
    if (!r.ok) throw new Error((body && body.message) || ("HTTP " + r.status));
    return body;
  }

  const day = (t) => (t || "").slice(0, 10);
  const words = (list) => list.map((s) => s.replace(/-/g, " ")).join(", ");

  function card(g, buttons) {
    const li = el("li", { class: "card", "data-grant": g.address });
    li.append(
      el("div", { class: "who" }, g.grantee_entry, el("span", { class: "badge " + g.status }, g.state),
        g.emergency ? el("span", { class: "badge emergency" }, "emergency") : null,
        g.by_delegate ? el("span", { class: "badge" }, "by a guardian") : null),
      el("div", { class: "what" }, "may " + words(g.actions) + " your " + words(g.classes) + " for " + g.purposes.join(", ")),
      el("div", { class: "when" }, "from " + day(g.not_before) + " until " + day(g.expires_at) +
        (g.access_count ? " · " + g.access_count + " recorded access" + (g.access_count === 1 ? "" : "es") : "")),
    );
    if (buttons.length) li.append(el("div", { class: "buttons" }, ...buttons));
    return li;
  }

  function button(kind, label, params, cls) {
    return el("button", {
      class: cls || "",
      "data-action": kind,
      disabled: !account,
      title: account ? "" : "connect your wallet to decide",
      onclick: () => decide(kind, params),
    }, label);
  }

  async function refresh() {
    if (!patient) return;
    const o = await json("/api/patients/" + encodeURIComponent(patient));
    $("connect").hidden = !!account;
    $("me").hidden = false;
    $("patient").textContent = patient;
    $("fees").textContent = o.sponsor
      ? "Your clinic pays the network fees and deposits of your decisions: your balance stays " + o.lamports + " lamports."
      : "You pay the network fees of your decisions (balance: " + o.lamports + " lamports).";
    const fill = (id, items, make) => {
      $(id + "-s").hidden = items.length === 0 && id !== "grants";
      $(id).replaceChildren(...items.map(make));
      if (id === "grants" && items.length === 0) $(id).append(el("li", { class: "muted" }, "Nobody has access to your record."));
    };
    $("grants-s").hidden = false;
    fill("pending", o.pending, (g) => card(g, [
      button("approve", "Approve", { grant: g.address }, "primary"),
      button("reject", "Reject", { grant: g.address }),
    ]));
    fill("emergencies", o.emergencies, (g) => card(g, [button("review", "Mark reviewed", { grant: g.address }, "primary")]));
    fill("grants", o.grants, (g) => card(g, g.state === "active" ? [button("revoke", "Revoke", { grant: g.address }, "danger")] : []));
    fill("guardians", o.guardians, (d) => {
      const li = el("li", { class: "card", "data-guardian": d.guardian },
        el("div", { class: "who" }, d.guardian_entry, el("span", { class: "badge " + (d.active ? "active" : "inactive") }, d.active ? "active" : "ended")),
        el("div", { class: "what" }, "may decide on grants that " + words(d.actions) + " your " + words(d.classes) + " for " + d.purposes.join(", ")),
        el("div", { class: "when" }, "until " + day(d.expires_at)));
      li.append(el("div", { class: "buttons" }, button("remove-guardian", "End guardianship", { guardian: d.guardian }, "danger")));
      return li;
    });
    $("history-s").hidden = o.accesses.length === 0;
    $("history").replaceChildren(...o.accesses.slice().reverse().map((a) =>
      el("li", {}, a.time.replace("T", " ").replace("Z", " UTC") + " — " + a.grantee_entry + " " + words(a.actions).replace("access", "read") + " " + words(a.classes) + " for " + a.purposes.join(", ") + (a.emergency ? " (emergency)" : ""))));
    timeline(o.accesses);
  }

  // ---- the access timeline: one row per grantee, one dot per access, colour per class ----
  const PALETTE = ["#0b5d5b", "#b5562a", "#3a62b0", "#7d4fa8", "#2d8a3e", "#a0306a", "#6b6b22", "#2f7f9e"];
  function timeline(accesses) {
    const box = $("timeline");
    box.replaceChildren();
    if (!accesses.length) return;
    const NS = "http://www.w3.org/2000/svg";
    const s = (tag, attrs, text) => {
      const e = document.createElementNS(NS, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      if (text !== undefined) e.textContent = text;
      return e;
    };
    const rows = [...new Set(accesses.map((a) => a.grantee_entry))];
    const classes = [...new Set(accesses.flatMap((a) => a.classes))];
    const t0 = Math.min(...accesses.map((a) => a.unix_time));
    const t1 = Math.max(...accesses.map((a) => a.unix_time));
    const span = Math.max(t1 - t0, 3600);
    const W = 640, left = 170, right = 20, top = 16, rowH = 34;
    const H = top + rows.length * rowH + 44;
    const x = (t) => left + ((t - t0) / span) * (W - left - right);
    const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, xmlns: NS });
    rows.forEach((r, i) => {
      const y = top + i * rowH + rowH / 2;
      svg.append(s("line", { x1: left, x2: W - right, y1: y, y2: y, stroke: "#d8e1df" }));
      svg.append(s("text", { x: left - 8, y: y + 4, "text-anchor": "end", "font-size": 12, fill: "#14201f" }, r));
    });
    const axisY = top + rows.length * rowH + 6;
    svg.append(s("line", { x1: left, x2: W - right, y1: axisY, y2: axisY, stroke: "#5b6b69" }));
    [t0, t0 + span / 2, t0 + span].forEach((t, i) => {
      const label = new Date(t * 1000).toISOString().slice(0, 16).replace("T", " ") + " UTC";
      const anchor = ["start", "middle", "end"][i];
      svg.append(s("text", { x: x(t), y: axisY + 16, "text-anchor": anchor, "font-size": 11, fill: "#5b6b69" }, label));
    });
    for (const a of accesses) {
      const i = rows.indexOf(a.grantee_entry);
      const c = PALETTE[classes.indexOf(a.classes[0]) % PALETTE.length];
      const dot = s("circle", { cx: x(a.unix_time), cy: top + i * rowH + rowH / 2, r: a.emergency ? 8 : 6, fill: c, stroke: a.emergency ? "#9a3b00" : "#fff", "stroke-width": 2, "data-access": a.signature });
      dot.append(s("title", {}, `${a.time} — ${a.grantee_entry}: ${a.classes.join(", ")} for ${a.purposes.join(", ")}`));
      svg.append(dot);
    }
    let lx = left;
    classes.forEach((c, i) => {
      svg.append(s("circle", { cx: lx, cy: H - 8, r: 5, fill: PALETTE[i % PALETTE.length] }));
      svg.append(s("text", { x: lx + 9, y: H - 4, "font-size": 11, fill: "#14201f" }, c.replace(/-/g, " ")));
      lx += 18 + c.length * 6.5;
    });
    box.append(svg);
  }

  // ---- a decision: the action's transaction, signed by the wallet ----
  const b64decode = (s) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
  const b64encode = (bytes) => { let s = ""; for (const b of bytes) s += String.fromCharCode(b); return btoa(s); };

  function confirmDialog(title, text, fee) {
    return new Promise((resolve) => {
      const d = $("confirm");
      $("confirm-title").textContent = title;
      $("confirm-text").textContent = text;
      $("confirm-fee").textContent = fee;
      const done = (v) => { d.close(); $("confirm-sign").onclick = null; $("confirm-cancel").onclick = null; resolve(v); };
      $("confirm-sign").onclick = () => done(true);
      $("confirm-cancel").onclick = () => done(false);
      d.showModal();
    });
  }

  async function decide(kind, params) {
    if (!account) { status("Connect your wallet first.", true); return; }
    const query = new URLSearchParams(params).toString();
    const href = "/api/actions/consent/" + kind + "?" + query;
    try {
      status("Preparing…");
      const action = await json(href);
      const post = await json(href, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ account: account.address }),
      });
      const bytes = b64decode(post.transaction);
      const sponsored = bytes[0] > 1; // more than one signature: the clinic pays the fee
      const ok = await confirmDialog(action.title, post.message,
        sponsored ? "Your clinic pays the fee." : "You pay the network fee.");
      if (!ok) { status("Nothing was signed."); return; }
      status("Waiting for your wallet…");
      const [signed] = await wallet.features["solana:signTransaction"].signTransaction({
        account, transaction: bytes, chain: "solana:localnet",
      });
      status("Sending…");
      const sent = await json("/api/transactions", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ transaction: b64encode(signed.signedTransaction) }),
      });
      const next = post.links && post.links.next;
      let said = "Done.";
      if (next && next.type === "post") {
        const outcome = await json(next.href, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ account: account.address, signature: sent.signature }),
        });
        said = outcome.title + ": " + outcome.description;
      }
      await refresh();
      status(said);
      document.body.setAttribute("data-last-signature", sent.signature);
    } catch (e) {
      status(e.message, true);
    }
  }

  if (patient) refresh().catch((e) => status(e.message, true));
})();
