// The requests panel: open requests by state, newest first; closed ones on
// demand; a request's details, its document versions and every action on it.

import { REQUEST_STATES, STATE_WORDS } from "../config.js";
import { openForm } from "../dialog.js";
import { $, fill, h, offeredButton } from "../dom.js";
import { assignForm, attachForm, confirmDocForm, lineTitle, linkLineForm, reasonForm, releaseForm, takeForm } from "../forms.js";
import { copyText, detailAction, downloadDocument, openDetail } from "../detail.js";
import { eventsUpTo } from "../events.js";
import { VALUE_WORDS } from "../config.js";
import { inspectorName, lowerFirst, versionWords, whoWords, words } from "../dom.js";
import { state } from "../state.js";
import { fmtAge, fmtDayTime, fmtHappened, fmtTime } from "../time.js";

export function ageOf(request) {
  if (state.past !== null) return { age: request.age_seconds, overdue: request.overdue };
  const age = (Date.now() - Date.parse(request.requested_at)) / 1000;
  const overdue = Boolean(request.due_at) && Date.now() > Date.parse(request.due_at);
  return { age, overdue };
}

// Whether the panel lists the closed requests instead of the open ones.
let showClosed = false;
export function toggleClosed() {
  showClosed = !showClosed;
  $("#requests-closed").setAttribute("aria-pressed", String(showClosed));
  if (state.data.requests) renderRequests(state.data.requests);
}

// What a request's age counts, in words: "asked 2 h 50 min ago", and its
// due time, "due 08:07, 1 h 12 min late" once it is overdue.
export function ageWords(request) {
  const { age, overdue } = ageOf(request);
  if (!request.open) return `asked ${fmtDayTime(request.requested_at)}`;
  const asked = `asked ${fmtAge(age)} ago`;
  if (!request.due_at) return asked;
  if (!overdue) return `${asked} · due ${fmtDayTime(request.due_at)}`;
  const late = age - (Date.parse(request.due_at) - Date.parse(request.requested_at)) / 1000;
  return `${asked} · due ${fmtTime(request.due_at)}, ${fmtAge(late)} late`;
}

export function renderRequests(answer) {
  const open = answer.requests.filter((r) => r.open);
  const closed = answer.requests.length - open.length;
  const overdue = open.filter((r) => ageOf(r).overdue).length;
  fill("#requests-summary",
    h("span", { class: "count" }, `${open.length} open`),
    overdue ? h("span", { class: "tag overdue" }, `${overdue} overdue`) : null,
    closed ? h("span", { class: "count muted" }, `${closed} closed`) : null);
  const groups = REQUEST_STATES.map((s) => {
    const inState = open.filter((r) => r.state === s).sort((a, b) => ageOf(a).age - ageOf(b).age);
    if (!inState.length) return null;
    return h("section", { class: `state-group state-${s}` },
      h("h3", {}, `${STATE_WORDS[s]} `, h("span", { class: "count" }, inState.length)),
      h("ul", { class: "cards" }, inState.map(renderRequest)));
  });
  if (showClosed) {
    const shut = answer.requests.filter((r) => !r.open)
      .sort((a, b) => Date.parse(b.closed_at || b.recorded_at) - Date.parse(a.closed_at || a.recorded_at));
    fill("#requests-body", h("section", { class: "state-group closed-group" },
      h("h3", {}, "Closed, declined and withdrawn ", h("span", { class: "count" }, shut.length)),
      shut.length ? h("ul", { class: "cards" }, shut.map(renderRequest)) : h("p", { class: "empty" }, "None yet.")));
    return;
  }
  fill("#requests-body",
    ...(open.length ? groups.filter(Boolean) : [h("p", { class: "empty" }, "No open requests.")]));
}

export function renderRequest(request) {
  const { overdue } = ageOf(request);
  const doc = request.document;
  return h("li", { class: `card request${overdue ? " overdue" : ""}`, dataset: { requestId: request.id } },
    h("div", { class: "card-title" },
      h("span", {}, request.title),
      overdue ? h("span", { class: "tag overdue" }, "Overdue") : null,
      request.escalated_to ? h("span", { class: "tag escalated" }, "Escalated") : null),
    h("div", { class: "card-meta" },
      h("span", { class: "age" }, ageWords(request)),
      ` · ${request.requested_by_name}`,
      request.holder ? ` · ${request.holder}` : ""),
    doc ? h("div", { class: "card-doc" }, `${doc.name} ${versionWords(doc.version)}`) : null,
    request.open ? null : h("div", { class: "card-meta" }, `${CLOSED_WORDS[request.state] || words(request.state)}`
      + `${request.reason ? `: ${request.reason}` : ""}`),
    h("div", { class: "row-actions" }, requestActions(request),
      h("button", { type: "button", class: "small act-details", onclick: () => requestDetail(request) }, "Details")));
}

// The next step for a request: those the server offers this person on it
// (its `actions`); taking it, while nobody has it.
export function requestActions(request) {
  const doc = request.document;
  const act = (action, label, form) => offeredButton(request, action, label, () => openForm(form()));
  return [
    request.assignee ? null : act("take", "Take it", () => takeForm(request)),
    act("approve", "Approve", () => confirmDocForm(request, "approve")),
    act("check", "Final check", () => confirmDocForm(request, "check")),
    act("release", "Release", () => releaseForm(request)),
    act("attach", doc ? "New version" : "Attach", () => attachForm(request)),
  ];
}

const CLOSED_WORDS = { released: "Released", declined: "Declined or pushed back", withdrawn: "Withdrawn" };

// The versions attached to a request, oldest first, from the page's log.
export function versionsOf(requestId) {
  return eventsUpTo(state.past)
    .filter((e) => e.type === "DocumentAttached" && e.aggregate_id === requestId)
    .map((e) => ({ ...e.data, at: e.occurred_at || e.recorded_at, written_at: e.recorded_at, by: whoWords(e.actor_name) }));
}

export function requestDetail(request) {
  const versions = versionsOf(request.id);
  const channel = VALUE_WORDS.channels[request.channel] || words(request.channel);
  const facts = [
    ["Asked by", `${request.requested_by_name}, ${lowerFirst(channel)}, ${fmtDayTime(request.requested_at)}`],
    ["Due", request.due_at ? fmtDayTime(request.due_at) : "No due time"],
    ["Where it is", request.open ? (STATE_WORDS[request.state] || words(request.state)) : (CLOSED_WORDS[request.state] || words(request.state))],
    request.holder ? ["With", request.holder] : null,
    request.reason ? ["Reason", request.reason] : null,
    request.escalated_to ? ["Escalated to", inspectorName(request.escalated_to)] : null,
    request.line_of_enquiry ? ["Line of enquiry", lineTitle(request.line_of_enquiry) || "One not read yet"] : null,
  ].filter(Boolean);
  const body = [
    request.detail ? h("p", { class: "detail-text" }, request.detail) : null,
    h("dl", { class: "facts" }, facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h3", {}, "Document versions"),
    versions.length
      ? h("ul", { class: "versions" }, versions.slice().reverse().map((v) => h("li", { dataset: { sha256: v.sha256 } },
        h("div", {}, h("strong", {}, `${v.name} ${versionWords(v.version)}`), ` · ${v.by}, ${fmtHappened(v.at, v.written_at)}`),
        h("code", { class: "sha" }, v.sha256),
        h("div", { class: "row-actions" },
          h("button", { type: "button", class: "small act-open", onclick: () => downloadDocument(request.id, v) }, "Open"),
          h("button", { type: "button", class: "small act-copy", onclick: () => copyText(v.sha256, "SHA-256") }, "Copy SHA-256")))))
      : h("p", { class: "empty" }, "Nothing attached yet."),
  ];
  const act = (action, label, spec) => detailAction(offeredButton(request, action, label, () => {}), spec);
  const actions = [
    act("assign", request.assignee ? "Reassign" : "Assign", () => assignForm(request)),
    ...requestActions(request).filter(Boolean).map((b) => {
      const copy = b.cloneNode(true);
      copy.addEventListener("click", () => { $("#detail-dialog").close(); b.click(); });
      return copy;
    }),
    act("linkLine", request.line_of_enquiry ? "Link to another line of enquiry" : "Link to a line of enquiry",
      () => linkLineForm(request)),
    act("escalate", "Escalate", () => reasonForm(request, "EscalateRequest")),
    act("decline", "Decline or push back", () => reasonForm(request, "DeclineRequest")),
    act("withdraw", "Withdraw", () => reasonForm(request, "WithdrawRequest")),
  ];
  openDetail(request.title, body, actions);
}
