// The council's plan (issue 15): the playbook's tasks for the day (overdue
// in red) and who does what; the Annex A register with its RAG ratings, the
// history of every rating and the countdown to day 2; the staff's debriefs;
// which cases and documents the inspectors browsed. Also the day's closing,
// the hand-over packet and calendar links, for the roles that may.

import { api, inspectionPath, withSession } from "../api.js";
import { openForm, toast } from "../dialog.js";
import { $, actionButton, fill, h, offeredButton, plural, words } from "../dom.js";
import {
  assignTaskForm, revokeCalendarLinkForm, completeTaskForm, rateAnnexAForm, responsibilityForm, submitAnnexAForm,
} from "../forms.js";
import { mayRun } from "../meta.js";
import { renderDistribution } from "./mail.js";
import { pastQuery, state } from "../state.js";
import { fmt, fmtDayTime, fmtTime, todayInZone, zonedParts } from "../time.js";

let planSeq = 0;

export async function renderPlan() {
  const seq = ++planSeq;
  const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
  let playbook, annex, debriefs, cases;
  try {
    [playbook, annex, debriefs, cases] = await Promise.all([
      api(`${inspectionPath("/playbook")}?${when}`),
      api(`${inspectionPath("/annex-a")}?${when}`),
      api(`${inspectionPath("/debriefs")}?${when}`),
      api(`${inspectionPath("/cases")}?${when}`),
    ]);
  } catch (error) {
    fill("#plan-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (seq !== planSeq) return;
  fill("#plan-playbook", renderPlaybook(playbook));
  fill("#plan-annex-a", renderAnnexA(annex));
  fill("#plan-debriefs", renderDebriefs(debriefs));
  fill("#plan-browsed", renderBrowsed(cases));
  $("#plan-packet").hidden = !mayReadDocuments() && state.me.role !== "auditor";
  renderDistribution();
  renderCalendarLinks();
}

function renderPlaybook(answer) {
  const doneToday = (t) => t.done && t.done_at && zonedParts(new Date(t.done_at)).day === answer.today;
  const today = answer.tasks.filter((t) => t.due_day === answer.today || (t.overdue && !t.done) || doneToday(t));
  const undated = answer.tasks.filter((t) => !t.due && !t.done);
  const later = answer.tasks.filter((t) => t.due && !today.includes(t) && !t.done);
  const task = (t) => h("li", { class: `task${t.overdue ? " overdue" : ""}${t.done ? " done" : ""}`, dataset: { taskId: t.id } },
    h("span", { class: "task-title" }, t.title),
    h("span", { class: "muted" }, ` ${t.owner || "no owner"}${t.due ? `, due ${fmtDayTime(t.due)}` : ""}`),
    t.overdue && !t.done ? h("span", { class: "tag overdue-tag" }, "overdue") : null,
    t.done ? h("span", { class: "tag ok" }, `done by ${t.done_by}`) : null,
    h("span", { class: "task-actions" },
      offeredButton(t, "completeTask", "Done", () => openForm(completeTaskForm(t)), { class: "small act-completeTask" }),
      offeredButton(t, "assignTask", t.owner ? "Reassign" : "Assign", () => openForm(assignTaskForm(t)), { class: "small act-assignTask" })));
  return [
    h("p", { class: "summary-line" },
      `${answer.template ? `Playbook ${words(answer.template)}. ` : ""}${plural(answer.done, "task")} done, `,
      h("span", { class: answer.overdue ? "overdue-count" : "" }, `${answer.overdue} overdue`), "."),
    h("h4", {}, `Today (${fmt(`${answer.today}T12:00:00Z`, { weekday: "short", day: "numeric", month: "short" })}): due, overdue or done`),
    today.length ? h("ul", { class: "plain-list tasks" }, today.map(task)) : h("p", { class: "empty" }, "Nothing due today."),
    ...(undated.length ? [h("h4", {}, "Open, with no due date"), h("ul", { class: "plain-list tasks" }, undated.map(task))] : []),
    later.length ? h("details", { dataset: { keep: "plan-later" } }, h("summary", {}, `Later: ${plural(later.length, "task")}`), h("ul", { class: "plain-list tasks" }, later.map(task))) : null,
    h("h4", {}, "Who does what"),
    h("ul", { class: "plain-list responsibilities" }, answer.responsibilities.map((r) => h("li", {},
      h("strong", {}, r.role), `: ${r.person || "nobody named yet"} `,
      offeredButton(r, "responsibility", "Name", () => openForm(responsibilityForm(r)), { class: "small act-responsibility" })))),
  ];
}

const RAG_WORDS = { red: "Red", amber: "Amber", green: "Green" };

function rag(kind, value) {
  return h("span", { class: `rag rag-${value || "none"}`, title: `${kind}: ${RAG_WORDS[value] || "not rated"}` },
    `${kind} ${RAG_WORDS[value] || "–"}`);
}

// A past rating's chip: the same colours, marked by data-rag rather than a
// rag-* class, so that a document's own chips (its ratings now) stay the
// only .rag-red/.rag-amber/.rag-green in it.
function pastRag(kind, value) {
  return h("span", { class: "rag", dataset: { rag: value }, title: `${kind} was ${RAG_WORDS[value]}` },
    `${kind} ${RAG_WORDS[value]}`);
}

function countdownWords(c) {
  const s = c.seconds_left;
  if (s < 0) return `Day 2 (${fmtDayTime(c.ready_by)}) has passed`;
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  return `${hours} h ${minutes} min to day 2 (${fmtDayTime(c.ready_by)})`;
}

function renderAnnexA(answer) {
  const c = answer.countdown;
  return [
    h("p", { class: `summary-line countdown${c.all_ready ? " ready" : c.seconds_left < 0 ? " late" : ""}` },
      `${countdownWords(c)}: ${c.ready} of ${c.documents} ready.`,
      c.outstanding.length ? ` Not ready: ${c.outstanding.join(", ")}.` : ""),
    answer.documents.length
      ? h("ul", { class: "plain-list annex-a" }, answer.documents.map((d) => h("li", { class: "annex-doc", dataset: { documentId: d.id } },
        h("span", { class: "doc-title" }, d.title), h("span", { class: "muted" }, ` ${d.owner} `),
        rag("Complete", d.rag_complete), " ", rag("Quality", d.rag_quality), " ",
        d.submitted ? h("span", { class: "tag ok" }, `submitted ${fmtDayTime(d.submitted_at)}`) : h("span", { class: "tag" }, "not submitted"),
        h("span", { class: "task-actions" },
          offeredButton(d, "rateAnnexA", "Rate", () => openForm(rateAnnexAForm(d)), { class: "small act-rateAnnexA" }),
          offeredButton(d, "submitAnnexA", "Mark submitted", () => openForm(submitAnnexAForm(d)), { class: "small act-submitAnnexA" })),
        renderRatings(d.id, d.history))))
      : h("p", { class: "empty" }, "No Annex A document listed yet."),
    h("h4", {}, "Summary"),
    answer.summary
      ? h("div", { class: "annex-summary" }, answer.summary.text.split(/\n{2,}/).map((p) => h("p", {}, p)),
        h("p", { class: "muted" }, `By ${answer.summary.by}, ${fmtDayTime(answer.summary.at)}`))
      : h("p", { class: "empty" }, "No summary written yet."),
  ];
}

// Every rating a document was given, oldest first, and who gave it: the
// register keeps them all ("every rating kept").
function renderRatings(documentId, history) {
  if (!history.length) return null;
  return h("details", { class: "rag-history", dataset: { keep: `ratings-${documentId}` } },
    h("summary", {}, `${history.length === 1 ? "1 rating" : `${history.length} ratings`}`),
    h("ol", { class: "plain-list" }, history.map((r) => h("li", { class: "rating" },
      r.rag_complete ? pastRag("Complete", r.rag_complete) : null, r.rag_complete ? " " : null,
      r.rag_quality ? pastRag("Quality", r.rag_quality) : null,
      h("span", { class: "muted" }, ` ${r.by}, ${fmtDayTime(r.at)}`),
      r.reason ? h("span", {}, `: ${r.reason}`) : null))));
}

// "Track which cases and ultimately which document inspectors looked at":
// each case browsed, the documents in it and who looked, latest first.
function renderBrowsed(answer) {
  const browsed = answer.cases.filter((c) => c.browse_count > 0)
    .sort((a, b) => Date.parse(b.last_browse.at) - Date.parse(a.last_browse.at));
  if (!browsed.length) return h("p", { class: "empty" }, "No case browsed by an inspector yet.");
  const documents = browsed.reduce((n, c) => n + Object.keys(c.items).length, 0);
  const counted = (counts) => Object.entries(counts).sort((a, b) => b[1] - a[1])
    .map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(", ");
  // One inspector: their name alone (the count is already said).
  const who = (byName) => (Object.keys(byName).length === 1 ? Object.keys(byName)[0] : counted(byName));
  return [
    h("p", { class: "summary-line" },
      `${browsed.length} of ${answer.cases.length} cases browsed, ${plural(documents, "document")} in them.`),
    h("ul", { class: "plain-list browsed" }, browsed.map((c) => h("li", { class: "browsed-case", dataset: { caseRef: c.ref } },
      h("strong", {}, c.ref), h("span", { class: "muted" }, ` ${c.selection}, ${plural(c.browse_count, "time")} by ${who(c.browsed_by)}`),
      h("div", { class: "browsed-items" }, `Documents: ${counted(c.items)}`),
      h("div", { class: "muted" }, `Latest: ${c.last_browse.item} by ${c.last_browse.inspector_name}, ${fmtDayTime(c.last_browse.at)}`)))),
  ];
}

function renderDebriefs(answer) {
  if (!answer.debriefs.length) return h("p", { class: "empty" }, "No debrief yet.");
  return [
    h("p", { class: "summary-line" }, `${plural(answer.debriefs.length, "debrief")}, ${answer.with_concerns} with concerns.`),
    h("ul", { class: "plain-list debriefs" }, answer.debriefs.map((d) => h("li", { class: d.concerns ? "debrief concerns" : "debrief" },
      h("strong", {}, d.meeting_title), h("span", { class: "muted" }, ` ${d.person}, ${fmtTime(d.at)}`),
      h("p", {}, `Asked: ${d.asked}`),
      d.went_well ? h("p", {}, `Went well: ${d.went_well}`) : null,
      d.concerns ? h("p", { class: "concern" }, `Concerns: ${d.concerns}`) : null,
      d.follow_ups.length ? h("p", {}, `Follow-ups: ${d.follow_ups.join("; ")}`) : null))),
  ];
}

// Whoever may attach, approve, check or release documents may read them.
export function mayReadDocuments() {
  return ["AttachDocument", "ApproveDocument", "CheckDocument", "ReleaseDocument"].some(mayRun);
}

// The hand-over packet: the ledger's span with its documents, encrypted
// with a password given in a header (never in a URL).
export function downloadPacket() {
  return downloadPacketWith("#packet-password");
}

// The packet with the password typed in `passwordField`; true once saved.
export async function downloadPacketWith(passwordField) {
  const password = $(passwordField).value;
  if (password.length < 8) {
    toast("A packet's password has at least 8 characters.", "error");
    return false;
  }
  let response;
  try {
    response = await fetch(`/api${inspectionPath("/ledger/packet")}`,
      withSession("GET", { "X-Packet-Password": password }));
  } catch {
    toast("The server could not be reached. Try again.", "error");
    return false;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    toast(`The packet could not be made: ${typeof body.detail === "string" ? body.detail : response.status}.`, "error");
    return false;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: "handover-packet.zip", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return true;
}

// A print page (or its PDF) in a new tab: the tab is signed in by the
// session's cookie, so no token goes in the address.
export function printUrl(what, { pdf = false } = {}) {
  const base = `/print/inspections/${encodeURIComponent(state.inspectionId)}/${what}`;
  const query = new URLSearchParams();
  if (pdf) query.set("format", "pdf");
  // Printed as the page shows it: the moment replayed, by the same clock.
  if (state.pastClock) query.set(state.pastClock.kind, state.pastClock.instant);
  else if (state.past !== null) query.set("at", String(state.past));
  const rest = String(query);
  return rest ? `${base}?${rest}` : base;
}

export function openPrint(what) {
  window.open(printUrl(what), "_blank", "noopener");
}

export function printDay(input) {
  return $(input)?.value || todayInZone();
}


// The inspection's calendar links, for those who may revoke them.
async function renderCalendarLinks() {
  const section = $("#plan-calendar-links");
  section.hidden = !mayRun("RevokeCalendarLink");
  if (section.hidden) return;
  let answer;
  try {
    answer = await api(`${inspectionPath("/calendar-links")}?min_position=${state.livePosition}`);
  } catch (error) {
    fill("#calendar-links-body", h("p", { class: "error" }, error.message));
    return;
  }
  fill("#calendar-links-body", answer.links.length
    ? h("ul", { class: "plain-list calendar-links" }, answer.links.map((link) => h("li", { class: "calendar-link" },
      `${link.person || "The whole schedule"}, made by ${link.created_by} ${fmtDayTime(link.created_at)} `,
      link.revoked
        ? h("span", { class: "tag" }, `revoked by ${link.revoked_by}`)
        : link.ended_by_token
          ? h("span", { class: "tag" }, "ended: their access was revoked or a new sign-in link made")
          : state.past === null
          ? offeredButton(link, "revokeCalendarLink", "Revoke", () => openForm(revokeCalendarLinkForm(link)))
          : null)))
    : h("p", { class: "empty" }, "No calendar link made yet."));
}
