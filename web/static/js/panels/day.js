// My day: the person's meetings on a chosen day, what to prepare, where,
// who is there, what changed since they last acknowledged, and the button
// to acknowledge it.

import { api, inspectionPath } from "../api.js";
import { openForm } from "../dialog.js";
import { $, fill, h, inspectorName, plural } from "../dom.js";
import { acknowledgeForm, mayAct, offered, revokeOwnCalendarLinkForm } from "../forms.js";
import { pastQuery, state } from "../state.js";
import { fmtDayTime, fmtTime, zonedParts } from "../time.js";
import { renderNext } from "./next.js";
import { renderChange } from "./schedule.js";
import { showPushControl } from "../push.js";

let daySeq = 0;

export function dayShown() {
  const input = $("#day-day");
  if (!input.value) input.value = dayToPrepare();
  return input.value;
}

// From 15:00 on the inspection's clock, the day a person prepares for is
// tomorrow: My day opens on it (what is left of today is in "Your next
// meeting" above it).
const TOMORROW_FROM = "15:00";
function dayToPrepare() {
  const now = zonedParts(new Date());
  if (now.time < TOMORROW_FROM) return now.day;
  const [y, m, d] = now.day.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

export async function renderDay() {
  renderOwnLinks();
  const seq = ++daySeq;
  const person = state.me.name;
  const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
  let answer, playbook;
  try {
    [answer, playbook] = await Promise.all([
      api(`${inspectionPath(`/agenda/${encodeURIComponent(person)}`)}?${when}`),
      api(`${inspectionPath("/playbook")}?${when}`).catch(() => null),
    ]);
  } catch (error) {
    fill("#day-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (seq !== daySeq) return;
  // What comes next is told from now: not while the past is shown.
  $("#day-next").hidden = state.past !== null;
  if (state.past === null) renderNext(answer, playbook);
  showPushControl().catch(() => {});
  const day = dayShown();
  const meetings = answer.meetings
    .filter((m) => zonedParts(new Date(m.starts_at)).day === day)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const changed = answer.meetings.filter((m) => m.changed_since_last_told.length);
  $("#h-day").textContent = `My day · ${person}`;
  // Live, as the server offers it on this briefing; in the past, shown disabled.
  $("#day-acknowledge").hidden = state.past === null ? !offered(answer, "acknowledge") : !mayAct("acknowledge");
  $("#day-acknowledge").disabled = state.past !== null || !changed.length;
  fill("#day-summary",
    plural(meetings.length, "meeting"),
    changed.length
      ? h("span", { class: "tag changed" }, `${plural(changed.length, "meeting")} changed since you last acknowledged`)
      : h("span", { class: "muted" }, "Nothing changed since you last acknowledged."));
  fill("#day-body", meetings.length
    ? h("ol", { class: "agenda" }, meetings.map(renderAgendaMeeting))
    : h("p", { class: "empty" }, "No meetings for you on this day."),
  // Changes to meetings on other days still need acknowledging: say where.
  changed.filter((m) => zonedParts(new Date(m.starts_at)).day !== day).length
    ? h("p", { class: "muted" }, "Also changed: ", changed
      .filter((m) => zonedParts(new Date(m.starts_at)).day !== day)
      .map((m) => `${m.title} (${fmtDayTime(m.starts_at)})`).join("; "))
    : null);
}

function renderAgendaMeeting(meeting) {
  const people = [...meeting.inspectors.map(inspectorName), ...meeting.attendees];
  const fresh = meeting.changed_since_last_told;
  return h("li", { class: `agenda-meeting${meeting.cancelled ? " cancelled" : ""}${fresh.length ? " changed" : ""}`,
    dataset: { meetingId: meeting.id } },
  h("div", { class: "when" }, `${fmtTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)}`),
  h("div", { class: "what" },
    h("h3", { class: "agenda-title" }, meeting.title,
      meeting.cancelled ? h("span", { class: "tag cancelled" }, "Cancelled") : null,
      fresh.length ? h("span", { class: "tag changed" }, "Changed") : null),
    h("p", {}, h("strong", {}, "Where: "), meeting.venue),
    h("p", {}, h("strong", {}, "Who is there: "), people.join(", ") || "Nobody named yet"),
    h("div", {}, h("strong", {}, "To prepare: "), meeting.prepare.length
      ? h("ul", { class: "prepare" }, meeting.prepare.map((topic) => h("li", {}, topic)))
      : "Nothing named."),
    fresh.length ? h("div", { class: "fresh" }, h("strong", {}, "Changed since you last acknowledged:"),
      h("ul", { class: "changes" }, fresh.map(renderChange))) : null));
}

export function acknowledgeDay() {
  openForm(acknowledgeForm(state.me.name, null));
}

// My calendar links (issue 24): the live ones, each with its Stop button as
// the server offers it; the URL itself is never shown again.
let linksSeq = 0;
export async function renderOwnLinks() {
  const seq = ++linksSeq;
  $("#day-links").hidden = !mayAct("ownCalendarLink");
  if ($("#day-links").hidden) return;
  let answer;
  try {
    answer = await api("/me/calendar-links");
  } catch (error) {
    fill("#day-links-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (seq !== linksSeq) return;
  const live = answer.links.filter((l) => l.inspection_id === state.inspectionId && !l.revoked && !l.ended_by_token);
  fill("#day-links-body", live.length
    ? h("ul", { class: "plain-list own-links-list" }, live.map((link) => h("li", { class: "own-link" },
      `Made ${fmtDayTime(link.created_at)}${link.created_by === state.me.name ? "" : ` by ${link.created_by}`} `,
      state.past === null && offered(link, "revokeOwnCalendarLink")
        ? h("button", { type: "button", class: "small act-revokeOwnCalendarLink", onclick: () => openForm(revokeOwnCalendarLinkForm(link)) }, "Stop this link")
        : null)))
    : h("p", { class: "empty" }, "No calendar link yet."));
}
