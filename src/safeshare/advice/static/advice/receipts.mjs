// Checks each ledger receipt on the page again, in the browser, without asking the server:
// the entry's leaf hash, the RFC 9162 inclusion proof up to the checkpoint's root, and the
// checkpoint's Ed25519 signature (c2sp.org/tlog-checkpoint) against the log's public key, and
// (entry format 2) that each opening the receipt carries opens one of the entry's commitments:
// SHA-256(domain || opening || namespace ":" identifier), as safeshare.ledger.entries does.
// Where the browser cannot check (no Web Crypto Ed25519), the page keeps the server's result.

const encoder = new TextEncoder();

function fromBase64(text) {
  return Uint8Array.from(atob(text), (char) => char.charCodeAt(0));
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

async function sha256(...parts) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", concat(...parts)));
}

function same(a, b) {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}

const COMMITMENT_DOMAIN = encoder.encode("safeshare/ledger/reference/v2\0");
const REFERENCE_FIELDS = new Set([
  "case", "protection", "referral", "clearance", "review", "override", "sweep", "advice_pack",
  "letter", "request", "record", "actor", "approver", "content_digest", "reason_digest",
]);

function fromHex(text) {
  if (!/^(?:[0-9a-f]{2})+$/.test(text)) throw new Error("not hex");
  return Uint8Array.from(text.match(/../g), (pair) => parseInt(pair, 16));
}

function toHex(bytes) {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

// Every commitment in the entry: its subjects and its payload's reference fields.
function references(fields) {
  const found = new Set(fields.subjects || []);
  for (const [name, value] of Object.entries(fields.payload || {})) {
    if (REFERENCE_FIELDS.has(name) && typeof value === "string") found.add(value);
  }
  return found;
}

async function opensAll(openings, fields) {
  const found = references(fields);
  for (const item of openings) {
    const opening = fromHex(item.opening);
    if (opening.length !== 32) return false;
    const value = encoder.encode(`${item.namespace}:${item.identifier}`);
    if (!found.has(toHex(await sha256(COMMITMENT_DOMAIN, opening, value)))) return false;
  }
  return true;
}

const leafHash = (data) => sha256(new Uint8Array([0]), data);
const nodeHash = (left, right) => sha256(new Uint8Array([1]), left, right);

// RFC 9162 section 2.1.3.2.
async function verifyInclusion(index, size, leaf, proof, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && same(r, root);
}

function parseCheckpoint(text) {
  const split = text.lastIndexOf("\n\n");
  const body = text.slice(0, split + 1);
  const [origin, size, root] = body.slice(0, -1).split("\n");
  const signatures = text
    .slice(split + 2, -1)
    .split("\n")
    .filter((line) => line.startsWith("\u2014 "))
    .map((line) => {
      const [name, encoded] = line.slice(2).split(" ");
      const raw = fromBase64(encoded);
      return { name, hash: raw.slice(0, 4), signature: raw.slice(4) };
    });
  return { body, origin, size: Number(size), root: fromBase64(root), signatures };
}

async function parseKey(text) {
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  const name = text.slice(0, first);
  const hashHex = text.slice(first + 1, second);
  const raw = fromBase64(text.slice(second + 1));
  if (raw.length !== 33 || raw[0] !== 1) throw new Error("not an Ed25519 key");
  const publicKey = raw.slice(1);
  const digest = await sha256(encoder.encode(name + "\n"), new Uint8Array([1]), publicKey);
  const hash = digest.slice(0, 4);
  const hex = Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
  if (hex !== hashHex) throw new Error("key hash does not match");
  const key = await crypto.subtle.importKey("raw", publicKey, { name: "Ed25519" }, false, [
    "verify",
  ]);
  return { name, hash, key };
}

async function signedByTrustedKey(checkpoint, keys) {
  const message = encoder.encode(checkpoint.body);
  let verified = false;
  for (const signature of checkpoint.signatures) {
    const key = keys.find((k) => k.name === signature.name && same(k.hash, signature.hash));
    if (!key) continue;
    if (!(await crypto.subtle.verify({ name: "Ed25519" }, key.key, signature.signature, message))) {
      return false;
    }
    verified = true;
  }
  return verified;
}

async function checkReceipt(element, keys) {
  const receipt = JSON.parse(element.dataset.receipt);
  const entry = fromBase64(element.dataset.entry);
  const fields = JSON.parse(new TextDecoder().decode(entry));
  if (fields.index !== receipt.index) return false;
  if (!(await opensAll(receipt.openings || [], fields))) return false;
  const leaf = await leafHash(entry);
  if (!same(leaf, fromBase64(receipt.leaf_hash))) return false;
  const checkpoint = parseCheckpoint(receipt.checkpoint);
  const proof = receipt.inclusion_proof.map(fromBase64);
  if (!(await verifyInclusion(receipt.index, checkpoint.size, leaf, proof, checkpoint.root))) {
    return false;
  }
  return signedByTrustedKey(checkpoint, keys);
}

async function main() {
  const holder = document.getElementById("app-verifier-keys");
  const elements = document.querySelectorAll(".app-receipt-check");
  if (!holder || !elements.length || !window.crypto?.subtle) return;
  let keys;
  try {
    keys = await Promise.all(holder.dataset.keys.split("|").filter(Boolean).map(parseKey));
  } catch {
    return; // This browser cannot check Ed25519 signatures: keep the server's result.
  }
  for (const element of elements) {
    const status = element.querySelector(".app-browser-check");
    let ok = false;
    try {
      ok = await checkReceipt(element, keys);
    } catch {
      ok = false;
    }
    status.textContent = ok ? status.dataset.textOk : status.dataset.textBad;
    status.dataset.result = ok ? "ok" : "bad";
    status.hidden = false;
  }
}

main();
