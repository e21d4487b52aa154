// The schedule panel: the day's meetings as a timeline.

import { openForm } from "../dialog.js";
import { $, fill, h, inspectorName, offeredButton, plural, showWhileOffered, whoWords, words } from "../dom.js";
import { kitNoteForm, moveForm, rescheduleForm } from "../forms.js";
import { api } from "../api.js";
import { pastQuery, state } from "../state.js";
import { eventsUpTo } from "../events.js";
import { detailAction, openDetail } from "../detail.js";
import { attendeesForm, cancelForm, debriefForm, topicsForm } from "../forms.js";
import { fmt, fmtDayTime, fmtHappened, fmtTime, todayInZone, zonedParts } from "../time.js";

export function scheduleDay() {
  return $("#schedule-day").value || todayInZone();
}

export function renderSchedule(answer) {
  const meetings = [...answer.meetings].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const list = h("ol", { class: "timeline" });
  // Replaying by a clock, "now" is the moment replayed.
  const now = state.pastClock ? Date.parse(state.pastClock.instant) : Date.now();
  const showNow = (state.past === null || state.pastClock !== null)
    && answer.day === zonedParts(new Date(now)).day;
  let nowPlaced = !showNow;
  for (const meeting of meetings) {
    if (!nowPlaced && Date.parse(meeting.starts_at) > now) {
      list.append(nowLine(now));
      nowPlaced = true;
    }
    list.append(renderMeeting(meeting, showNow && Date.parse(meeting.ends_at) < now));
  }
  if (!nowPlaced) list.append(nowLine(now));
  // "Report back from a meeting", "Note a KIT point": while the server
  // offers one on a meeting of the day.
  showWhileOffered("debrief", meetings);
  showWhileOffered("kitNote", meetings);
  const changed = meetings.filter((m) => m.history.length).length;
  const cancelled = meetings.filter((m) => m.cancelled).length;
  $("#h-schedule").textContent = `Schedule · ${fmt(`${answer.day}T12:00:00Z`, { weekday: "short", day: "numeric", month: "short" })}`;
  fill("#schedule-body",
    h("p", { class: "summary-line" },
      plural(meetings.length, "meeting"),
      changed ? h("span", { class: "tag changed" }, `${changed} changed`) : null,
      cancelled ? h("span", { class: "tag cancelled" }, `${cancelled} cancelled`) : null),
    meetings.length ? list : h("p", { class: "empty" }, "No meetings on this day."),
  );
  if (showNow) keepNowInView();
}

// On a wall screen nobody scrolls: keep the meeting under way (or the next
// one) at the top of the timeline, unless someone scrolled it by hand lately.
let lastHandScroll = 0;
export function noteHandScroll() {
  lastHandScroll = Date.now();
}

export function keepNowInView() {
  if (state.past !== null || Date.now() - lastHandScroll < 120_000) return;
  const body = $("#schedule-body");
  const now = body.querySelector(".now-line");
  const current = now?.previousElementSibling?.classList.contains("over") ? now : now?.previousElementSibling;
  const target = current || now;
  if (target) body.scrollTop = Math.max(0, target.offsetTop - body.offsetTop - 8);
}

export function nowLine(now = Date.now()) {
  const word = state.pastClock ? "Then" : "Now";
  return h("li", { class: "now-line", "aria-label": word }, h("span", {}, `${word} ${fmtTime(new Date(now))}`));
}

export function renderMeeting(meeting, over) {
  const classes = ["meeting"];
  if (meeting.cancelled) classes.push("cancelled");
  if (meeting.history.some((c) => c.what !== "cancelled")) classes.push("changed");
  if (meeting.warnings.length) classes.push("warned");
  if (over) classes.push("over");
  const people = [...meeting.inspectors.map(inspectorName), ...meeting.attendees];
  return h("li", { class: classes.join(" "), dataset: { meetingId: meeting.id } },
    h("div", { class: "when" },
      h("span", { class: "start" }, fmtTime(meeting.starts_at)),
      h("span", { class: "end" }, fmtTime(meeting.ends_at))),
    h("div", { class: "what" },
      h("div", { class: "title" },
        h("span", { class: "meeting-title" }, meeting.title),
        meeting.cancelled ? h("span", { class: "tag cancelled" }, "Cancelled") : null,
        classes.includes("changed") ? h("span", { class: "tag changed" }, "Changed") : null),
      h("div", { class: "where" },
        h("span", { class: "venue" }, meeting.venue), " · ", people.join(", ")),
      meeting.history.length
        ? h("ul", { class: "changes" }, meeting.history.map(renderChange))
        : null,
      meeting.warnings.length
        ? h("ul", { class: "warnings" }, meeting.warnings.map((w) => h("li", {}, warningWords(w))))
        : null,
      meeting.notes.length
        ? h("div", { class: "notes" }, `${meeting.notes.length} KIT note${meeting.notes.length > 1 ? "s" : ""}`)
        : null,
      meeting.cancelled ? null : h("div", { class: "row-actions" },
        offeredButton(meeting, "reschedule", "Reschedule", () => openForm(rescheduleForm(meeting))),
        offeredButton(meeting, "move", "Change room", () => openForm(moveForm(meeting))),
        meeting.kind === "kit"
          ? offeredButton(meeting, "kitNote", "KIT note", () => openForm(kitNoteForm(meeting)))
          : null,
        h("button", { type: "button", class: "small act-details", onclick: () => meetingDetail(meeting) }, "Details"))));
}

// One line of a meeting's history: what it was, what it is, who, why.
export function renderChange(change) {
  // When it happened (occurred_at), not when it was typed in (recorded_at).
  const by = `${whoWords(change.who)}, ${fmtHappened(change.occurred_at, change.when)}`;
  const why = change.why ? ` (${change.why})` : "";
  let text;
  switch (change.what) {
    case "time":
      text = [`Time: ${spanWords(change.from)} → ${spanWords(change.to)}`];
      break;
    case "venue":
      text = ["Room: ", h("s", {}, change.from), ` → ${change.to}`];
      break;
    case "cancelled":
      text = ["Cancelled"];
      break;
    case "attendee added":
      text = [`Added: ${change.to}`];
      break;
    case "attendee removed":
      text = ["Removed: ", h("s", {}, change.from)];
      break;
    default:
      text = [`${words(change.what)}: ${change.from ?? ""} → ${change.to ?? ""}`];
  }
  return h("li", { dataset: { position: change.position } }, ...text, why, h("span", { class: "by" }, ` ${by}`));
}

// "start - end" as the schedule's history writes it, as "09:00–09:30".
export function spanWords(span) {
  const [start, end] = String(span || "").split(" - ");
  return end ? `${fmtTime(start)}–${fmtTime(end)}` : span;
}

// A meeting's details: topics, who is there, its KIT notes in full, its
// history, and the changes the person may make.
export function meetingDetail(meeting) {
  const people = [...meeting.inspectors.map(inspectorName), ...meeting.attendees];
  const body = [
    h("p", {}, `${fmtDayTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)} · ${meeting.venue}`
      + `${meeting.cancelled ? " · cancelled" : ""}`),
    h("h3", {}, "Who is there"),
    h("p", {}, people.join(", ") || "Nobody named yet"),
    h("h3", {}, "To prepare"),
    meeting.topics.length ? h("ul", {}, meeting.topics.map((topic) => h("li", {}, topic))) : h("p", { class: "empty" }, "No topics."),
    meeting.notes.length ? h("h3", {}, "KIT notes") : null,
    meeting.notes.length ? h("ul", { class: "kit-notes" }, meeting.notes.map((note) => h("li", {},
      h("p", { class: "detail-text" }, note.text),
      note.actions.length ? h("ul", {}, note.actions.map((a) => h("li", {}, `Action: ${a}`))) : null,
      h("div", { class: "card-meta" }, `${note.by}, ${fmtHappened(note.occurred_at, note.recorded_at)}`)))) : null,
    meeting.history.length ? h("h3", {}, "What changed") : null,
    meeting.history.length ? h("ul", { class: "changes" }, meeting.history.map(renderChange)) : null,
    h("div", { class: "invitations" }),
  ];
  showInvitations(meeting, body[body.length - 1]);
  // The changes the server offers this person on the meeting (its `actions`).
  const act = (action, label, spec) => detailAction(offeredButton(meeting, action, label, () => {}), spec);
  const actions = [
    act("reschedule", "Reschedule", () => rescheduleForm(meeting)),
    act("move", "Change room", () => moveForm(meeting)),
    act("attendees", "Attendees", () => attendeesForm(meeting)),
    act("topics", "Topics", () => topicsForm(meeting)),
    act("kitNote", "KIT note", () => kitNoteForm(meeting)),
    act("cancelMeeting", "Cancel meeting", () => cancelForm(meeting)),
    act("debrief", "Report back", () => debriefForm(meeting)),
  ];
  openDetail(meeting.title, body, actions);
}

// Who was emailed a calendar invitation about the meeting, what, and when
// (filled in once the server answers; nothing shown if nobody was).
async function showInvitations(meeting, into) {
  const past = state.past !== null ? `?${pastQuery()}` : "";
  let rows;
  try {
    ({ invitations: rows } = await api(`/inspections/${encodeURIComponent(state.inspectionId)}`
      + `/meetings/${encodeURIComponent(meeting.id)}/invitations${past}`));
  } catch {
    return;
  }
  if (!rows.length) return;
  fill(into, h("h3", {}, "Calendar invitations emailed"),
    h("ul", { class: "invitations-sent" }, rows.map((row) => h("li", {}, invitationWords(row)))));
}

const INVITATION_CHANGES = {
  scheduled: "arranged", time: "new time", room: "new room", cancelled: "cancelled",
  added: "added", removed: "taken off",
};

export function invitationWords(row) {
  const what = row.method === "CANCEL" ? "Cancellation" : "Invitation";
  const why = row.changes.map((c) => INVITATION_CHANGES[c] || c).join(", ");
  const fate = row.status === "sent" ? `sent ${fmtDayTime(row.sent_at)}`
    : row.status === "failed" ? `not delivered (${row.reason}), ${fmtDayTime(row.claimed_at)}`
      : "being sent";
  return `${what} to ${row.person} (${why}): ${fate}`;
}

// A warning naming the meeting it clashes with, not "another".
export function warningWords(warning) {
  const other = meetingNamed(warning.meeting_id);
  if (!other) return warning.message;
  const named = `“${other.title}” (${fmtDayTime(other.starts_at)})`;
  switch (warning.kind) {
    case "inspector_no_breathing_space":
      return `${warning.who} has under 15 minutes between this meeting and ${named}`;
    case "venue_double_booked":
      return `${warning.who} is booked for ${named} at the same time`;
    case "person_double_booked":
    case "inspector_double_booked":
      return `${warning.who} is booked in ${named} at the same time`;
    default:
      return `${warning.message}: ${named}`;
  }
}

// A meeting's title and current start, from the schedule shown or the log.
function meetingNamed(id) {
  if (!id) return null;
  const shown = (state.data.schedule?.meetings || []).find((m) => m.id === id);
  if (shown) return shown;
  let found = null;
  for (const e of eventsUpTo(state.past)) {
    if (e.aggregate_id !== id) continue;
    if (e.type === "MeetingScheduled") found = { title: e.data.title, starts_at: e.data.starts_at };
    else if (e.type === "MeetingRescheduled" && found) found = { ...found, starts_at: e.data.starts_at };
  }
  return found;
}
