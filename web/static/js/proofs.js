// Checking the council's evidence in this browser, not by trusting the server:
// signed notes (C2SP signed-note, Ed25519), checkpoints (C2SP tlog-checkpoint),
// and RFC 9162 Merkle proofs (inclusion 2.1.3.2, consistency 2.1.4.2), with
// SubtleCrypto's SHA-256 and Ed25519. The same rules as
// warroom/evidence/merkle.py and notes.py, written again from the RFC.

const encoder = new TextEncoder();

export function fromBase64(text) {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

export function fromHex(text) {
  const bytes = new Uint8Array(text.length / 2);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function toHex(bytes) {
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function same(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function sha256(...parts) {
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    whole.set(part, at);
    at += part.length;
  }
  return new Uint8Array(await crypto.subtle.digest("SHA-256", whole));
}

const leafHash = (leaf) => sha256(Uint8Array.of(0), leaf);
const nodeHash = (left, right) => sha256(Uint8Array.of(1), left, right);

// Sizes and indexes as plain numbers: exact to 2^53, far beyond any log.
const half = (n) => Math.floor(n / 2);
const odd = (n) => n % 2 === 1;
const powerOfTwo = (n) => {
  let m = n;
  while (m > 1 && !odd(m)) m = half(m);
  return m === 1;
};

// RFC 9162 2.1.3.2: does `hashes` lead from the leaf at `index` to `root`?
export async function verifyInclusion(leaf, index, size, hashes, root) {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = await leafHash(leaf);
  for (const p of hashes) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = await nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(r, root);
}

// RFC 9162 2.1.4.2: does `hashes` show the tree of `second` leaves (root
// `secondRoot`) only extends the tree of `first` leaves (root `firstRoot`)?
export async function verifyConsistency(first, second, hashes, firstRoot, secondRoot) {
  if (first > second || first < 1) return false;
  if (first === second) return hashes.length === 0 && same(firstRoot, secondRoot);
  const proof = powerOfTwo(first) ? [firstRoot, ...hashes] : [...hashes];
  if (!proof.length) return false;
  let fn = first - 1;
  let sn = second - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = proof[0];
  let sr = proof[0];
  for (const c of proof.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && same(fr, firstRoot) && same(sr, secondRoot);
}

// A verifier key: "<name>+<key id hex>+<base64(0x01 || 32-byte public key)>".
export function parseVerifierKey(text) {
  const [name, keyId, b64] = text.trim().split("+");
  const raw = fromBase64(b64 || "");
  if (!name || !keyId || raw.length !== 33 || raw[0] !== 1) throw new Error("not a verifier key");
  return { name, keyId: keyId.toLowerCase(), publicKey: raw.slice(1) };
}

// Whether this browser can check an Ed25519 signature itself.
export async function canCheckSignatures() {
  try {
    await crypto.subtle.importKey("raw", new Uint8Array(32), { name: "Ed25519" }, false, ["verify"]);
    return true;
  } catch {
    return false;
  }
}

// The checkpoint a signed note holds, and whether the key signed it: null
// for `signed` when this browser has no Ed25519 (then say how to check).
export async function openCheckpoint(note, key) {
  const cut = note.lastIndexOf("\n\n");
  const text = note.slice(0, cut + 1);
  const [origin, size, root] = text.split("\n");
  const checkpoint = { origin, size: Number(size), root: fromBase64(root), rootText: root, signed: null };
  if (!(await canCheckSignatures())) return checkpoint;
  checkpoint.signed = false;
  const publicKey = await crypto.subtle.importKey("raw", key.publicKey, { name: "Ed25519" }, false, ["verify"]);
  for (const line of note.slice(cut + 2).split("\n")) {
    const [, signer, b64] = line.split(" ");
    if (signer !== key.name || !b64) continue;
    const signature = fromBase64(b64);
    if (toHex(signature.slice(0, 4)) !== key.keyId) continue;
    if (await crypto.subtle.verify({ name: "Ed25519" }, publicKey, signature.slice(4), encoder.encode(text))) {
      checkpoint.signed = origin === key.name;
    }
  }
  return checkpoint;
}

// One leaf of a receipt ({leaf, inclusion}) checked against a checkpoint:
// its event, or null if the proof does not lead to the signed root.
export async function provenLeaf(entry, checkpoint) {
  const leaf = fromBase64(entry.leaf);
  const { index, size, hashes } = entry.inclusion;
  if (size !== checkpoint.size) return null;
  const ok = await verifyInclusion(leaf, index, size, hashes.map(fromHex), checkpoint.root);
  return ok ? JSON.parse(new TextDecoder().decode(leaf)) : null;
}

// A whole receipt: the hand-over and each name, as the command line checks it.
export async function checkReceipt(receipt, key) {
  const checkpoint = await openCheckpoint(receipt.checkpoint, key);
  if (checkpoint.signed === false) return { ok: false, why: "the checkpoint is not signed by the council's key" };
  const event = await provenLeaf(receipt, checkpoint);
  if (!event) return { ok: false, why: "the hand-over is not in the signed record" };
  const names = {};
  for (const entry of receipt.names || []) {
    const named = await provenLeaf(entry, checkpoint);
    if (!named) return { ok: false, why: "a name in it is not in the signed record" };
    const data = named.data || {};
    if (named.type === "InspectorJoined" && data.inspector_id === event.data.to && named.aggregate_id === event.inspection_id) {
      const what = `(${data.lead ? "lead inspector" : "team inspector"}${data.agency ? `, ${data.agency}` : ""})`;
      names.to = data.name.includes(what) ? data.name : `${data.name} ${what}`;
    } else if (named.type === "UserAdded" && named.aggregate_id === event.actor) {
      names.by = `${data.name} (${String(data.role).replaceAll("_", " ")})`;
    } else if (named.type === "DocumentRequested" && named.aggregate_id === event.aggregate_id) {
      names.request = data.title;
    } else {
      return { ok: false, why: "a name in it is not of this hand-over" };
    }
  }
  return { ok: true, event, names, checkpoint };
}
