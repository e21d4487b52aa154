// The evidence view (issue 25), for the auditor and the lead: check the whole
// record (with its progress), the council's export, the verifier key and the
// latest signed checkpoint, each hand-over's receipt checked in this browser,
// the day seals and the proof that a later one only added to an earlier
// one, and the hand-over packet. In words an auditor uses: "the record has
// not been changed", never "root hash matches".

import { api, inspectionPath, refusal, withSession } from "../api.js";
import { toast } from "../dialog.js";
import { $, fill, h } from "../dom.js";
import { checkReceipt, fromHex, openCheckpoint, parseVerifierKey, verifyConsistency } from "../proofs.js";
import { state } from "../state.js";
import { fmt, fmtDayTime, fmtTime } from "../time.js";
import { downloadPacketWith } from "./plan.js";

// Who may walk the whole log and export it (the server's rule: 403 others).
const VERIFIES = new Set(["auditor", "admin"]);
export const EVIDENCE_ROLES = new Set(["auditor", "lead", "admin"]);

let seq = 0;
let key = null; // { text, parsed }
const receiptResults = new Map(); // ledger line -> its check's words
let seals = [];

export async function renderEvidence() {
  const mine = ++seq;
  const mayVerify = VERIFIES.has(state.me.role);
  $("#evidence-verify").hidden = !mayVerify;
  $("#evidence-export").hidden = !mayVerify;
  let checkpointNote, ledger, sealed;
  try {
    const keyText = await text("/log/key");
    [checkpointNote, ledger, sealed] = await Promise.all([
      text("/log/checkpoint"),
      api(inspectionPath("/ledger")),
      api(inspectionPath("/seals")),
    ]);
    key = { text: keyText.trim(), parsed: parseVerifierKey(keyText) };
  } catch (error) {
    fill("#evidence-signed-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (mine !== seq) return;
  await renderSigned(checkpointNote);
  renderReceipts(ledger.lines);
  renderSeals(sealed.seals);
}

async function text(path) {
  const response = await fetch(`/api${path}`, withSession());
  if (!response.ok) throw refusal(response.status, await response.json().catch(() => ({})));
  return response.text();
}

function signatureWords(checkpoint) {
  if (checkpoint.signed === null) {
    return "This browser cannot check the signature itself: check it with the command below.";
  }
  return checkpoint.signed
    ? "Its signature was checked in this browser with the council's key above."
    : "Its signature does NOT match the council's key above.";
}

async function renderSigned(note) {
  const checkpoint = await openCheckpoint(note, key.parsed);
  fill("#evidence-signed-body",
    h("p", {}, `The council's verifier key: give it to anyone who checks a receipt, a printed ledger or the export. `
      + "Take it from the council, not from a copy someone hands you."),
    h("pre", { class: "evidence-text", id: "evidence-key" }, key.text),
    h("p", { id: "evidence-checkpoint-words" },
      `The record signed now holds ${entries(checkpoint.size)}. `
        + signatureWords(checkpoint)),
    h("pre", { class: "evidence-text", id: "evidence-checkpoint" }, note));
}

// --- the whole record ---------------------------------------------------------

export async function verifyRecord() {
  const button = $("#evidence-verify-run");
  const bar = $("#evidence-verify-progress");
  const said = $("#evidence-verify-result");
  button.disabled = true;
  bar.hidden = false;
  bar.removeAttribute("value");
  said.textContent = "Checking the whole record: starting…";
  let done = false;
  const walk = api("/verify").finally(() => { done = true; });
  const watch = (async () => {
    while (!done) {
      try {
        const p = await api("/verify/progress");
        if (!done && p.walking && p.of) {
          bar.max = p.of;
          bar.value = p.walked;
          said.textContent = `Checking the whole record: ${p.walked.toLocaleString("en-GB")} of `
            + `${p.of.toLocaleString("en-GB")} entries (${Math.floor((100 * p.walked) / p.of)} %)…`;
        }
      } catch { /* the walk's own answer says what went wrong */ }
      await new Promise((resolve) => setTimeout(resolve, 400));
    }
  })();
  try {
    const report = await walk;
    bar.max = Math.max(report.events, 1);
    bar.value = report.intact ? bar.max : report.events;
    said.textContent = verifyWords(report);
    said.className = report.intact ? "evidence-ok" : "evidence-bad";
  } catch (error) {
    said.textContent = `The record could not be checked: ${error.message}`;
    said.className = "evidence-bad";
  } finally {
    await watch;
    button.disabled = false;
  }
}

function entries(n) {
  return `${n.toLocaleString("en-GB")} ${n === 1 ? "entry" : "entries"}`;
}

export function verifyWords(report) {
  const at = fmtTime(new Date().toISOString());
  if (!report.intact) {
    const where = report.position ? ` at entry ${report.position}` : "";
    return `The record HAS BEEN CHANGED${where}: ${report.problem}. `
      + `The ${entries(report.events)} before it still hold. Do not rely on the record until this is explained. Checked at ${at}.`;
  }
  const early = report.backfilled
    ? ` Entries ${report.backfilled.first_position} to ${report.backfilled.last_position} were written before the record `
      + `was kept this way: they are proven only from ${fmtDayTime(report.backfilled.at)}.`
    : "";
  return `The record has not been changed: all ${entries(report.events)} were checked one by one, with the day seals, `
    + `and nothing written down has been altered, removed or slipped in since it was written. Checked at ${at}.${early}`;
}

// --- the export ---------------------------------------------------------------

export async function downloadExport() {
  const status = $("#evidence-export-status");
  status.textContent = "Making the export: the whole record is checked first…";
  let response;
  try {
    response = await fetch("/api/log/export", withSession());
  } catch {
    status.textContent = "The server could not be reached. Try again.";
    return;
  }
  if (!response.ok) {
    const error = refusal(response.status, await response.json().catch(() => ({})));
    status.textContent = `The export could not be made: ${error.message}`;
    return;
  }
  const blob = await response.blob();
  save(blob, "warroom-export.zip");
  status.textContent = `Downloaded warroom-export.zip (${megabytes(blob.size)}): the council's whole record, its documents `
    + "and its signed checkpoints. On your own machine, `warroom import` then `warroom verify` check it without this server.";
}

function megabytes(bytes) {
  return bytes < 1e6 ? `${Math.max(1, Math.round(bytes / 1e3))} KB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

function save(blob, name) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

// --- receipts -----------------------------------------------------------------

function renderReceipts(lines) {
  if (!lines.length) {
    fill("#evidence-receipts-body", h("p", { class: "empty" }, "Nothing has been handed over yet."));
    return;
  }
  fill("#evidence-receipts-body", h("ol", { class: "evidence-lines" }, [...lines].reverse().map((line) =>
    h("li", { dataset: { line: line.line } },
      h("div", { class: "card-title" }, h("span", { class: "line-no" }, `#${line.line}`), " ", line.request),
      h("div", { class: "card-meta" }, `${line.document} → ${line.to_name}, ${fmtDayTime(line.occurred_at)}`),
      h("button", {
        type: "button",
        class: "small",
        "aria-label": `Download and check the receipt of line ${line.line}`,
        onclick: () => receipt(line.line),
      }, "Download and check the receipt"),
      h("div", { class: "receipt-result", role: "status" }, resultParts(receiptResults.get(line.line)))))));
}

// A receipt's check: the words, then the command that checks it offline.
function resultParts(result) {
  if (!result) return [];
  return [h("p", { class: result.kind }, result.words),
    result.command ? h("pre", { class: "evidence-text" }, result.command) : null];
}

async function receipt(line) {
  const shown = () => document.querySelector(`#evidence-receipts-body li[data-line="${line}"] .receipt-result`);
  const say = (words, kind, command = null) => {
    const result = { words, kind, command };
    receiptResults.set(line, result);
    const el = shown();
    if (el) fill(el, resultParts(result));
  };
  say("Fetching the receipt…", "");
  let body;
  try {
    body = await api(inspectionPath(`/ledger/${line}/receipt`));
  } catch (error) {
    say(`No receipt: ${error.message}`, "evidence-bad");
    return;
  }
  const name = `receipt-line-${line}.json`;
  save(new Blob([JSON.stringify(body, null, 2)], { type: "application/json" }), name);
  const checked = await checkReceipt(body, key.parsed);
  const offline = `warroom verify-receipt ${name} --key ${key.text}`;
  if (!checked.ok) {
    say(`Saved as ${name}, but it does NOT check: ${checked.why}.`, "evidence-bad", offline);
    return;
  }
  const { event, names, checkpoint } = checked;
  const what = names.request ? `“${names.request}”` : "This hand-over";
  const to = names.to || event.data.to;
  const by = names.by ? ` by ${names.by}` : "";
  const fingerprint = event.data.sha256 ? ` (document fingerprint ${event.data.sha256.slice(0, 12)}…)` : "";
  const signature = checkpoint.signed === null
    ? " This browser cannot check the signature: the command below does."
    : " The council's signature on it was checked too.";
  say(`Saved as ${name} and checked in this browser: ${what}, handed over to ${to}${by} on `
    + `${fmtDayTime(event.occurred_at)}${fingerprint}, is in the record the council signed `
    + `(${entries(checkpoint.size)}), names included.${signature} To check it again offline, on any machine:`,
  "evidence-ok", offline);
}

// --- day seals ----------------------------------------------------------------

function dayWords(day) {
  return fmt(`${day}T12:00:00Z`, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

function renderSeals(found) {
  const same = found.length === seals.length && found.every((s, i) => s.day === seals[i].day);
  seals = found;
  if (!found.length) {
    fill("#evidence-seals-body", h("p", { class: "empty" }, "No day has been closed and sealed yet."));
    return;
  }
  if (same && $("#evidence-seal-from")) return; // keep what the reader chose
  const options = () => [h("option", { value: "" }, "Choose a day"),
    ...found.map((s) => h("option", { value: s.day }, `${dayWords(s.day)} (${entries(s.size)})`))];
  fill("#evidence-seals-body",
    h("p", {}, "Each closed day was sealed: the council signed the record as it stood at the close. "
      + "Choose two days to check that the later record only added to the earlier one."),
    h("ul", { class: "evidence-seals" }, found.map((s) =>
      h("li", {}, `${dayWords(s.day)}: sealed with ${entries(s.size)}`))),
    h("div", { class: "seal-pair" },
      h("label", { for: "evidence-seal-from" }, "Earlier day"),
      h("select", { id: "evidence-seal-from", required: true }, options()),
      h("label", { for: "evidence-seal-to" }, "Later day"),
      h("select", { id: "evidence-seal-to", required: true }, options()),
      h("button", { type: "button", id: "evidence-seal-check", class: "primary", onclick: checkSeals }, "Check")),
    h("p", { id: "evidence-seal-result", role: "status" }));
}

async function checkSeals() {
  const said = $("#evidence-seal-result");
  const earlier = seals.find((s) => s.day === $("#evidence-seal-from").value);
  const later = seals.find((s) => s.day === $("#evidence-seal-to").value);
  said.className = "";
  if (!earlier || !later) {
    said.textContent = "Choose both days first.";
    return;
  }
  if (earlier.day >= later.day) {
    said.textContent = "Choose an earlier day first and a later day second.";
    return;
  }
  const [first, second] = await Promise.all([earlier, later].map((s) => openCheckpoint(s.checkpoint, key.parsed)));
  if (first.signed === false || second.signed === false) {
    said.textContent = "A seal's signature does NOT match the council's key: it was not signed by the council.";
    said.className = "evidence-bad";
    return;
  }
  let proof;
  try {
    proof = await api(`/log/proof/consistency?from=${first.size}&to=${second.size}`);
  } catch (error) {
    said.textContent = `The proof could not be fetched: ${error.message}`;
    said.className = "evidence-bad";
    return;
  }
  const holds = await verifyConsistency(first.size, second.size, proof.hashes.map(fromHex), first.root, second.root);
  const signature = first.signed === null
    ? " (this browser cannot check the seals' signatures: `warroom verify` does)"
    : " and the council's signature on both seals";
  said.textContent = holds
    ? `The record sealed on ${dayWords(later.day)} (${entries(later.size)}) only added to the record sealed on `
      + `${dayWords(earlier.day)} (${entries(earlier.size)}): nothing written by that close was changed or removed afterwards. `
      + `Checked in this browser, with the proof${signature}.`
    : `The record sealed on ${dayWords(later.day)} does NOT extend the record sealed on ${dayWords(earlier.day)}: `
      + "something written by the earlier close was changed or removed.";
  said.className = holds ? "evidence-ok" : "evidence-bad";
}

// --- the hand-over packet -------------------------------------------------------

export function downloadEvidencePacket() {
  downloadPacketWith("#evidence-packet-password").then((done) => {
    if (done) toast("The hand-over packet was downloaded.");
  });
}
