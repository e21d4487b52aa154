// What each wall panel shows, from the same reads as the working page: the
// summary in the panel's header (counts fold what no page could list), the
// pinned items (overdue, newest, the meeting under way) and the rest, paged.

import { layOut } from "./pager.js";
import { dayOf, fmtAge, fmtTime, fmtWhen, h, plural, words } from "./words.js";

const STATE_WORDS = {
  requested: "Waiting for a preparer",
  assigned: "Being prepared",
  attached: "Waiting for approval",
  approved: "Waiting for the final check",
  checked: "Ready to release",
};
const JUDGEMENT_SHORT = { outstanding: "Outstanding", good: "Good", requires_improvement: "RI", inadequate: "Inadequate" };
const PARTIES = 7;

function summary(panel, ...parts) {
  panel.querySelector(".wall-summary").replaceChildren(...parts.filter(Boolean));
}

const tag = (kind, text) => h("span", { class: `wall-tag ${kind}` }, text);

export function drawSchedule(panel, answer, now = Date.now()) {
  const meetings = [...answer.meetings].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const today = answer.day === dayOf(new Date(now));
  const over = today ? meetings.filter((m) => Date.parse(m.ends_at) < now) : [];
  const ahead = meetings.filter((m) => !over.includes(m));
  const current = ahead.filter((m) => !m.cancelled && Date.parse(m.starts_at) <= now);
  const next = ahead.find((m) => !m.cancelled && Date.parse(m.starts_at) > now);
  const pinned = [...current, next].filter(Boolean);
  summary(panel,
    h("span", {}, plural(meetings.length, "meeting")),
    over.length ? h("span", { class: "muted" }, `${over.length} over`) : null);
  // The day done: say so first, rather than leave the room to infer it.
  const done = over.length && !ahead.length
    ? [h("li", { class: "wall-item wall-counts" }, "No more meetings today")] : [];
  layOut(panel, {
    pinned: [...done, ...pinned.map((m) => meetingItem(m, current.includes(m) ? "Now" : "Next"))],
    // Those over come last, the latest first, greyed: what is ahead matters
    // more in the room.
    rest: [...ahead.filter((m) => !pinned.includes(m)).map((m) => meetingItem(m, null)),
      ...over.reverse().map((m) => meetingItem(m, "Over"))],
    empty: "No meetings today.",
  });
}

function meetingItem(meeting, when) {
  const classes = ["wall-item", "meeting", meeting.cancelled ? "cancelled" : "", when === "Over" ? "over" : ""];
  return h("li", { class: classes.join(" "), dataset: { meetingId: meeting.id } },
    h("p", { class: "wall-line" },
      h("span", { class: "wall-time" }, `${fmtTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)}`),
      when ? tag(when.toLowerCase(), when) : null,
      meeting.cancelled ? tag("cancelled", "Cancelled") : meeting.history.length ? tag("changed", "Changed") : null,
      h("span", { class: "wall-title" }, meeting.title)),
    h("p", { class: "wall-meta" }, meeting.venue));
}

function ageOf(request, now) {
  const age = (now - Date.parse(request.requested_at)) / 1000;
  const late = request.due_at ? (now - Date.parse(request.due_at)) / 1000 : -1;
  return { age, late };
}

export function drawRequests(panel, answer, now = Date.now()) {
  const open = answer.requests.filter((r) => r.open);
  const overdue = open.filter((r) => ageOf(r, now).late > 0).sort((a, b) => ageOf(b, now).late - ageOf(a, now).late);
  const others = open.filter((r) => !overdue.includes(r)).sort((a, b) => ageOf(a, now).age - ageOf(b, now).age);
  // Where the open requests are, as counts: no page could list them all.
  const counts = Object.entries(STATE_WORDS).map(([state, text]) => [text, open.filter((r) => r.state === state).length])
    .filter(([, n]) => n > 0);
  summary(panel,
    h("span", {}, `${open.length} open`),
    overdue.length ? tag("overdue", `${overdue.length} overdue`) : null,
    counts.length ? h("span", { class: "wall-states" }, counts.map(([text, n]) => `${text}: ${n}`).join(" · ")) : null);
  // The most overdue and the newest stay in sight on every page; the other
  // overdue come first in the pages, and the header counts them all.
  const newest = others[0];
  layOut(panel, {
    pinned: [...overdue.slice(0, 1).map((r) => requestItem(r, now)),
      ...(newest ? [requestItem(newest, now, "Newest")] : [])],
    rest: [...overdue.slice(1), ...others.slice(1)].map((r) => requestItem(r, now)),
    empty: "No open requests.",
  });
}

function requestItem(request, now, mark = null) {
  const { age, late } = ageOf(request, now);
  const overdue = late > 0;
  return h("li", { class: `wall-item request${overdue ? " overdue" : ""}`, dataset: { requestId: request.id } },
    h("p", { class: "wall-line" },
      overdue ? tag("overdue", "Overdue") : null,
      mark ? tag("newest", mark) : null,
      h("span", { class: "wall-title" }, request.title)),
    h("p", { class: "wall-meta" },
      overdue ? `${fmtAge(late)} late · ` : `asked ${fmtAge(age)} ago · `,
      STATE_WORDS[request.state] || words(request.state),
      ` · ${request.requested_by_name}`));
}

export function drawLedger(panel, answer) {
  const lines = [...answer.lines].reverse();
  summary(panel, h("span", {}, `${answer.lines.length} handed over`));
  const item = (line, newest) => h("li", { class: "wall-item ledger-line", dataset: { line: line.line } },
    h("p", { class: "wall-line" },
      newest ? tag("newest", "Newest") : null,
      h("span", { class: "wall-title" }, line.request || line.document)),
    h("p", { class: "wall-meta" }, `${fmtWhen(line.occurred_at || line.recorded_at)} · to ${line.to_name}`));
  layOut(panel, {
    pinned: lines.slice(0, 1).map((line) => item(line, true)),
    rest: lines.slice(1).map((line) => item(line, false)),
    empty: "Nothing handed over yet.",
  });
}

export function drawCases(panel, answer) {
  const { counts, expected } = answer;
  summary(panel,
    h("span", {}, `audited ${counts.audited} of ${expected.audited}`),
    h("span", {}, `tracked ${counts.tracked} of ${expected.tracked}`),
    answer.notifications_outstanding ? tag("warn", `${answer.notifications_outstanding} to notify`) : null);
  const order = (c) => `${c.selection === "audited" ? 0 : 1}${c.ref}`;
  const cases = [...answer.cases].sort((a, b) => order(a).localeCompare(order(b)));
  // The latest browse by an inspector, as the working wall shows it.
  const latest = answer.cases.filter((c) => c.last_browse)
    .sort((a, b) => Date.parse(b.last_browse.at) - Date.parse(a.last_browse.at))[0];
  const browse = latest
    ? [h("li", { class: "wall-item wall-counts wall-wide" },
      `Latest browse: ${latest.ref} ${latest.last_browse.item} by ${latest.last_browse.inspector_name}, ${fmtWhen(latest.last_browse.at)}`)]
    : [];
  layOut(panel, { pinned: browse, rest: cases.map(caseTile), listClass: "wall-tiles", empty: "No cases selected yet." });
}

function caseTile(c) {
  const progress = c.audit_progress;
  return h("li", { class: `wall-tile ${c.selection}`, dataset: { caseId: c.id } },
    h("p", { class: "tile-head" }, h("span", { class: "tile-ref" }, c.ref),
      h("span", {}, c.judgement ? JUDGEMENT_SHORT[c.judgement] || words(c.judgement) : c.plan)),
    h("p", { class: "tile-line" }, `${c.selection} · notified ${c.notified.length}/${PARTIES}`),
    progress ? h("p", { class: "tile-line" }, `audit ${progress.done} of ${progress.of} steps`) : null);
}

// A note's open actions: the first, and how many more (a note is one item
// of a page, and may not grow past it).
function todo(actions) {
  const open = actions.filter((a) => !a.done);
  return [
    ...open.slice(0, 1).map((a) => h("p", { class: "wall-meta action" },
      `To do: ${a.text}${a.owner ? ` (${a.owner})` : ""}${open.length > 1 ? `, and ${open.length - 1} more` : ""}`)),
  ];
}

export function drawKit(panel, notesAnswer, linesAnswer) {
  const notes = [...(notesAnswer?.kit_notes || [])].sort((a, b) => Date.parse(b.recorded_at) - Date.parse(a.recorded_at));
  const lines = (linesAnswer?.lines_of_enquiry || []).filter((l) => !l.answered);
  const openActions = notes.flatMap((n) => n.actions).filter((a) => !a.done).length;
  summary(panel,
    h("span", {}, plural(notes.length, "note")),
    h("span", {}, `${openActions} to do`),
    h("span", {}, plural(lines.length, "open line")));
  const noteItem = (note, newest) => h("li", { class: "wall-item kit-note" },
    h("p", { class: "wall-line" },
      newest ? tag("newest", "Newest") : null,
      h("span", { class: "wall-title" }, note.text)),
    h("p", { class: "wall-meta" }, `${note.meeting_title} · ${fmtWhen(note.recorded_at)}`),
    todo(note.actions));
  const lineItem = (line) => h("li", { class: "wall-item enquiry" },
    h("p", { class: "wall-line" }, tag("line", "Line of enquiry"), h("span", { class: "wall-title" }, line.title)),
    h("p", { class: "wall-meta" }, line.owner ? `owner ${line.owner}` : "no owner yet"));
  layOut(panel, {
    pinned: notes.slice(0, 1).map((n) => noteItem(n, true)),
    rest: [...notes.slice(1).map((n) => noteItem(n, false)), ...lines.map(lineItem)],
    empty: "No KIT notes yet.",
  });
}
