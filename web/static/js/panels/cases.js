// The cases panel: the 30 cases as tiles.

import { api, inspectionPath } from "../api.js";
import { values } from "../meta.js";
import { fill, h, lowerFirst, offeredButton, showWhileOffered, words } from "../dom.js";
import { VALUE_WORDS } from "../config.js";
import { detailAction, openDetail } from "../detail.js";
import {
  auditFormDoneForm, auditorForm, caseBrowsedForm, concludeAuditForm, folderReadyForm, handOverCopyForm,
  judgeForm, judgementSeenForm, makeCopyForm, multiAgencyForm, notifyForm, releaseCopyForm,
} from "../forms.js";
import { pastQuery, state } from "../state.js";
import { fmtHappened } from "../time.js";

export function renderCases(answer) {
  const { counts, expected } = answer;
  fill("#cases-summary",
    h("span", { class: "count" }, `audited ${counts.audited}/${expected.audited}`),
    h("span", { class: "count" }, `tracked ${counts.tracked}/${expected.tracked}`),
    // Selected beyond the template's sample, each with its reason on its tile.
    Object.entries(answer.sample || {}).filter(([s, size]) => counts[s] > size).map(([s, size]) =>
      h("span", { class: "tag warn over-sample" },
        `${counts[s] - size} ${s} beyond the sample of ${size}, with reasons`)),
    h("span", { class: answer.notifications_outstanding ? "tag warn" : "count" },
      `${answer.notifications_outstanding} notifications outstanding`));
  const browsed = answer.cases.filter((c) => c.last_browse);
  const latest = browsed.sort((a, b) => Date.parse(b.last_browse.at) - Date.parse(a.last_browse.at))[0];
  fill("#latest-browse",
    latest
      ? h("span", { class: "latest-text" }, "Latest browse: ", h("strong", {}, latest.ref),
        ` ${latest.last_browse.item} by ${latest.last_browse.inspector_name}, ${fmtHappened(latest.last_browse.at, latest.last_browse.recorded_at)}`)
      : h("span", { class: "latest-text" }, "No case browsed by an inspector yet."),
    h("span", { class: "legend" },
      h("span", { class: "key audited" }, "audited"), h("span", { class: "key tracked" }, "tracked"),
      "dots: notified (social worker, team manager, IRO, parents, education, health, partners)"));
  const order = (c) => `${c.selection === "audited" ? 0 : 1}${c.ref}`;
  const cases = [...answer.cases].sort((a, b) => order(a).localeCompare(order(b)));
  fill("#cases-body", h("ul", { class: "case-grid" }, cases.map((c) => renderCase(c, latest))));
  showWhileOffered("caseBrowsed", answer.cases); // on a case the board lists
}

// Short judgement words: a tile is small, and these are the words in use.
export const JUDGEMENT_SHORT = { outstanding: "Outstanding", good: "Good", requires_improvement: "RI", inadequate: "Inadequate" };

export function renderCase(c, latest) {
  const notified = new Set(c.notified);
  const classes = ["case", c.selection, c.judgement ? `judged-${c.judgement}` : "", c === latest ? "latest" : ""];
  const summary = `${c.ref}: ${c.plan}, ${c.selection}${c.judgement ? `, judged ${words(c.judgement).toLowerCase()}` : ""}.`
    + ` Notified: ${c.notified.map(partyWords).join(", ") || "nobody"}.`
    + ` Still to notify: ${c.not_yet_notified.map(partyWords).join(", ") || "nobody"}.`;
  return h("li", { class: classes.join(" "), dataset: { caseId: c.id } },
    h("button", { type: "button", class: "case-open", title: summary, onclick: () => caseDetail(c) },
      h("span", { class: "case-head" },
        h("span", { class: "ref" }, c.ref),
        h("span", { class: "plan" }, c.plan),
        c.judgement ? h("span", { class: "judgement" }, JUDGEMENT_SHORT[c.judgement] || words(c.judgement)) : null),
      c.over_reason ? h("span", { class: "beyond-sample", title: c.over_reason }, "beyond the sample") : null,
      h("span", { class: "dots", role: "img", "aria-label": `${c.notified.length} of ${values("parties").length} notified` },
        values("parties").map((p) => h("span", { class: notified.has(p) ? "dot on" : "dot" }))),
      c.audit_progress
        ? h("span", { class: c.audit_progress.done === c.audit_progress.of ? "audit-progress complete" : "audit-progress" },
          `audit ${c.audit_progress.done}/${c.audit_progress.of}`)
        : null,
      c.last_browse
        ? h("span", { class: "browse" }, `${c.last_browse.inspector_name.split(" ")[0]} · ${c.last_browse.item}`)
        : null));
}

function partyWords(party) {
  return VALUE_WORDS.parties[party] || words(party);
}

function judgementWords(whose, judgement) {
  return judgement ? `${whose}: ${lowerFirst(VALUE_WORDS.judgements[judgement] || words(judgement))}.` : `${whose}: not given yet.`;
}

// A case's details: who was notified, the judgement, its browses; and the
// notifications, judgement and browse the person may record.
export function caseDetail(c) {
  const body = [
    h("p", {}, `${c.plan}, ${c.selection}.`),
    // The two judgements, each named for whose it is.
    c.selection !== "audited" ? null : h("p", { class: "judgements" }, judgementWords("The inspector's judgement", c.inspector_judgement),
      " ", judgementWords("Our audit's judgement", c.our_judgement)),
    c.over_reason ? h("p", { class: "over-reason" }, `Selected beyond the sample: ${c.over_reason}`) : null,
    h("h3", {}, "Notified"),
    h("p", {}, c.notified.map(partyWords).join(", ") || "No one has been notified yet."),
    h("h3", {}, "Still to notify"),
    h("p", {}, c.not_yet_notified.map(partyWords).join(", ") || "No one: all have been notified."),
    ...auditWords(c),
    c.last_browse ? h("h3", {}, "Latest browse") : null,
    c.last_browse ? h("p", {}, `${c.last_browse.item} by ${c.last_browse.inspector_name}, ${fmtHappened(c.last_browse.at, c.last_browse.recorded_at)}`) : null,
    ...itemsBrowsed(c),
  ];
  // The steps the server offers this person on the case (its `actions`).
  const act = (action, label, spec) => detailAction(offeredButton(c, action, label, () => {}), spec);
  const actions = [
    act("notify", "Record who was notified", () => notifyForm(c)),
    act("judge", "Record the inspector's judgement", () => judgeForm(c)),
    act("caseBrowsed", "Record a browse", () => caseBrowsedForm(c)),
    act("auditor", "Name the auditor", () => auditorForm(c)),
    act("multiAgency", "Record a multi-agency review", () => multiAgencyForm(c)),
    act("auditForm", "Mark the audit form complete", () => auditFormDoneForm(c)),
    act("concludeAudit", "Conclude our audit, with our judgement", () => concludeAuditForm(c)),
    act("judgementSeen", "Record who has seen the judgement", () => judgementSeenForm(c)),
    act("folderReady", "Mark the folder ready", () => folderReadyForm(c)),
    act("makeCopy", "Record a copy made", () => makeCopyForm(c)),
    act("handOverCopy", "Record a copy handed over", () => handOverCopyForm(c)),
    act("releaseCopy", "Release the inspector's copy", () => releaseCopyForm(c)),
  ];
  openDetail(c.ref, body, actions);
}

// How many times an item was browsed, in words.
function itemWords(item, times) {
  return `${item} (${times === 1 ? "once" : `${times.toLocaleString("en-GB")} times`})`;
}

// Items read from the full list at a time, after the newest the board shows.
const MORE_AT_ONCE = 100;

// The items browsed: the newest the board holds, how many more there are,
// and a button that reads the rest from the full list, a page at a time.
function itemsBrowsed(c) {
  const shown = Object.entries(c.items || {});
  if (!shown.length) return [];
  const total = c.items_total ?? shown.length;
  // It scrolls when long: reachable from the keyboard, and named for readers.
  const list = h("ul", { class: "plain-list items-browsed", tabindex: "0", "aria-label": "Items browsed, newest first" }, shown.map(([item, times]) => h("li", {}, itemWords(item, times))));
  const rest = h("p", { class: "items-more" });
  const more = h("button", { type: "button", class: "items-more-button" });
  let loaded = shown.length;
  const showRest = () => {
    const left = total - loaded;
    rest.textContent = left > 0 ? `And ${left.toLocaleString("en-GB")} more ${left === 1 ? "item" : "items"}.` : "";
    more.textContent = `Show the next ${Math.min(left, MORE_AT_ONCE).toLocaleString("en-GB")}`;
    more.hidden = left <= 0;
  };
  more.addEventListener("click", async () => {
    more.disabled = true;
    const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
    const path = inspectionPath(`/cases/${encodeURIComponent(c.id)}/browsed`);
    try {
      const page = await api(`${path}?offset=${loaded}&limit=${MORE_AT_ONCE}&${when}`);
      for (const i of page.items) list.append(h("li", {}, itemWords(i.item, i.times)));
      loaded += page.items.length;
      if (!page.items.length) loaded = total; // the list is shorter than it was
    } catch (error) {
      rest.textContent = error.message;
      more.disabled = false;
      return;
    }
    more.disabled = false;
    showRest();
  });
  showRest();
  return [
    h("h3", {}, total === 1 ? "Item browsed" : `Items browsed: ${total.toLocaleString("en-GB")}, newest first`),
    list, rest, more,
  ];
}

// The inspector's copy is released to an inspector, stored by id: their name.
function holderName(to) {
  return (state.inspection?.inspectors || []).find((i) => i.id === to)?.name || to;
}

// The audit in full (issue 15): its steps done, and the next one.
function auditWords(c) {
  const a = c.audit;
  const p = c.audit_progress;
  if (!a || !p) return [];
  const copies = Object.entries(a.copies || {}).filter(([, k]) => k.made)
    .map(([who, k]) => `${lowerFirst(words(who))}${k.handed_over_at ? ` (handed to ${holderName(k.handed_to)})` : " (made)"}`);
  return [
    h("h3", {}, `Audit: ${p.done} of ${p.of} steps`),
    h("ul", { class: "plain-list audit-steps" },
      h("li", {}, `Auditor: ${a.auditor || "not named yet"}`),
      h("li", {}, `Multi-agency review: ${a.multi_agency_review ? `held${a.multi_agency_note ? `, ${a.multi_agency_note}` : ""}` : "not yet"}`),
      h("li", {}, `Audit form: ${a.form_complete ? "complete" : "not yet"}`),
      a.reason ? h("li", {}, `Why judged so: ${a.reason}`) : null,
      h("li", {}, a.seen_by.length
        ? `Judgement seen by: ${a.seen_by.map((s) => lowerFirst(partyWords(s))).join(", ")}`
        : "Judgement not seen yet by the social worker or team manager"),
      h("li", {}, `Folder: ${a.folder_ready ? "ready" : "not ready"}`),
      h("li", {}, `Copies: ${copies.join(", ") || "none yet"}`),
      p.next ? h("li", { class: "next-step" }, `Next: ${p.next}`) : null),
  ];
}
