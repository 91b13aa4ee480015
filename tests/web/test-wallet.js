// A Wallet Standard test wallet, injected into the page before its own scripts. It holds the
// patient's test keypair (its 32-byte seed, given as `__CARETRAIL_TEST_WALLET_SEED__`) and
// signs for real with WebCrypto Ed25519; it registers itself the way every Wallet Standard
// wallet does (the `wallet-standard:register-wallet` event, and on `app-ready`).
(() => {
  const SEED = __CARETRAIL_TEST_WALLET_SEED__; // number[32]
  const PUBLIC_KEY = __CARETRAIL_TEST_WALLET_PUBKEY__; // number[32]
  const ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  function base58(bytes) {
    let digits = [0];
    for (const b of bytes) {
      let carry = b;
      for (let i = 0; i < digits.length; i++) {
        carry += digits[i] << 8;
        digits[i] = carry % 58;
        carry = (carry / 58) | 0;
      }
      while (carry) { digits.push(carry % 58); carry = (carry / 58) | 0; }
    }
    let out = "";
    for (const b of bytes) { if (b === 0) out += "1"; else break; }
    for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]];
    return out;
  }
  // PKCS#8 wrapping of an Ed25519 seed.
  const PKCS8_PREFIX = [0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20];
  const keyPromise = crypto.subtle.importKey("pkcs8", new Uint8Array([...PKCS8_PREFIX, ...SEED]), { name: "Ed25519" }, false, ["sign"]);
  const publicKey = new Uint8Array(PUBLIC_KEY);
  const address = base58(publicKey);
  const account = Object.freeze({
    address,
    publicKey,
    chains: ["solana:localnet", "solana:devnet", "solana:mainnet"],
    features: ["solana:signTransaction"],
  });

  function shortvec(bytes, at) {
    let value = 0, shift = 0, i = at;
    for (;;) {
      const b = bytes[i++];
      value |= (b & 0x7f) << shift;
      if (!(b & 0x80)) return [value, i];
      shift += 7;
    }
  }

  // Signs a wire-format transaction (legacy or v0) in the slot of this wallet's key.
  async function signTransaction(wire) {
    const [count, sigStart] = shortvec(wire, 0);
    const messageStart = sigStart + 64 * count;
    const message = wire.slice(messageStart);
    let p = 0;
    if (message[0] & 0x80) p = 1; // versioned message prefix
    const requiredSignatures = message[p];
    const [keyCount, keysStart] = shortvec(message, p + 3);
    let index = -1;
    for (let k = 0; k < Math.min(keyCount, requiredSignatures); k++) {
      const key = message.slice(keysStart + 32 * k, keysStart + 32 * (k + 1));
      if (key.every((b, j) => b === publicKey[j])) { index = k; break; }
    }
    if (index < 0) throw new Error("this transaction does not ask the test wallet to sign");
    const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", await keyPromise, message));
    const signed = new Uint8Array(wire);
    signed.set(signature, sigStart + 64 * index);
    window.__caretrailTestWalletSigned = (window.__caretrailTestWalletSigned || 0) + 1;
    return signed;
  }

  let listeners = {};
  const wallet = {
    version: "1.0.0",
    name: "caretrail test wallet",
    icon: "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciIHZpZXdCb3g9IjAgMCAxIDEiLz4=",
    chains: account.chains,
    get accounts() { return [account]; },
    features: {
      "standard:connect": { version: "1.0.0", connect: async () => ({ accounts: [account] }) },
      "standard:disconnect": { version: "1.0.0", disconnect: async () => {} },
      "standard:events": { version: "1.0.0", on: (event, listener) => { (listeners[event] ||= []).push(listener); return () => {}; } },
      "solana:signTransaction": {
        version: "1.0.0",
        supportedTransactionVersions: ["legacy", 0],
        signTransaction: async (...inputs) => {
          const out = [];
          for (const input of inputs) {
            if (input.account.address !== address) throw new Error("unknown account");
            out.push({ signedTransaction: await signTransaction(input.transaction) });
          }
          return out;
        },
      },
    },
  };
  const callback = ({ register }) => register(wallet);
  class RegisterWalletEvent extends Event {
    constructor(cb) { super("wallet-standard:register-wallet", { bubbles: false, cancelable: false, composed: false }); this._detail = cb; }
    get detail() { return this._detail; }
  }
  try { window.dispatchEvent(new RegisterWalletEvent(callback)); } catch (e) { console.error(e); }
  window.addEventListener("wallet-standard:app-ready", ({ detail: api }) => callback(api));
})();
