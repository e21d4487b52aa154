// Replay: the same panels as they were at a past moment, read-only.
//
// Two named ways of asking about a moment (issue 23):
// - "As it was at" (the default): the board by what had happened by then,
//   each entry at the time it happened (`happened_by`), so an entry written
//   down at 11:07 about a hand-over at 08:10 is on the 10:00 board;
// - "As written down by": what the war room had written down by then
//   (`as_of`, what the log held: the auditor's "what did we know at 10:00").
// The slider and the arrows step through the entries in the order they were
// written down. Staff are told times, never log positions.

import { $, debounce, eventWords } from "./dom.js";
import { eventsUpTo } from "./events.js";
import { rereadEverything } from "./panels.js";
import { state } from "./state.js";
import { firstPosition, noteLivePosition, setConnection } from "./stream.js";
import { fmtFull, fmtTime, zone, zonedParts, zonedToIso } from "./time.js";
import { toast } from "./dialog.js";

export const CLOCKS = {
  happened_by: "As it was at",
  as_of: "As written down by",
};

// What the banner says of the moment shown.
function pastWords(position, clock) {
  if (clock) {
    const when = `${fmtFull(clock.instant)} (${zone()})`;
    return clock.kind === "happened_by"
      ? `As it was at ${when}, by what had happened then`
      : `What the war room had written down by ${when}`;
  }
  const event = eventsUpTo(position).at(-1);
  return event
    ? `As it stood when this was written down: ${eventWords(event.type)} by ${event.actor_name}, ${fmtFull(event.recorded_at)} (${zone()})`
    : "Before this inspection's first entry";
}

export function setPastMode(position, clock = null) {
  state.past = position;
  state.pastClock = position === null ? null : clock;
  const past = position !== null;
  document.body.classList.toggle("past", past);
  document.body.classList.toggle("live", !past);
  $("#past-banner").hidden = !past;
  if (state.connection === "live") setConnection("live"); // its word changes
  $("#back-to-live").hidden = !past;
  // Read-only: every control that would change something is disabled.
  const changers = "button.action, .panel .row-actions button:not(.act-details), #day-acknowledge";
  for (const button of document.querySelectorAll(changers)) {
    button.disabled = past;
  }
  if (!past) return;
  const dialog = $("#command-dialog");
  if (dialog.open) dialog.close();
  $("#past-text").textContent = pastWords(position, clock);
  const event = eventsUpTo(position).at(-1);
  const shown = clock ? clock.instant : event?.recorded_at;
  if (shown) {
    const parts = zonedParts(new Date(shown));
    const [y, m, d] = parts.day.split("-");
    $("#replay-day").value = `${d}/${m}/${y}`; // day/month/year, as people here write it
    $("#replay-time").value = `${parts.time}:${String(new Date(shown).getUTCSeconds()).padStart(2, "0")}`;
  }
  if (clock) $("#replay-clock").value = clock.kind;
  $("#replay-what").textContent = event
    ? `Last: ${eventWords(event.type)} by ${event.actor_name}, ${fmtTime(event.occurred_at || event.recorded_at)}`
    : "Nothing yet";
}

export function showPosition(position) {
  const wanted = Number.isFinite(position) ? Math.round(position) : state.livePosition;
  const clamped = Math.max(firstPosition(), Math.min(state.livePosition, wanted));
  $("#replay-slider").value = String(clamped);
  $("#replay-position").value = String(clamped);
  setPastMode(clamped);
  rereadEverything();
}

export const showPositionSoon = debounce(showPosition, 200);

// The schedule's day before a replay by a clock moved it to the day replayed.
let dayBeforeReplay = null;

export function backToLive() {
  if (dayBeforeReplay !== null) $("#schedule-day").value = dayBeforeReplay;
  dayBeforeReplay = null;
  setPastMode(null);
  noteLivePosition(state.livePosition);
  state.pending.clear();
  rereadEverything();
}

// Step to the previous or next event of this inspection (positions are
// shared by every inspection, so most of them belong to others).
export function stepEvent(direction) {
  const here = state.pastClock ? (eventsUpTo(state.past).at(-1)?.position ?? 0) : (state.past ?? state.livePosition);
  const positions = [...state.events.keys()].sort((a, b) => a - b);
  const target = direction < 0
    ? positions.filter((p) => p < here).at(-1)
    : positions.find((p) => p > here);
  if (target !== undefined) showPosition(target);
  else if (direction > 0) backToLive();
}

// "24/11/2026" or "2026-11-24" as YYYY-MM-DD; null if it is neither.
export function readDay(text) {
  const value = text.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const british = /^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$/.exec(value);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : british ? [british[3], british[2], british[1]] : [];
  if (!y) return null;
  const day = `${y}-${m.padStart(2, "0")}-${d.padStart(2, "0")}`;
  const check = new Date(`${day}T12:00:00Z`);
  return Number.isNaN(check.getTime()) || check.toISOString().slice(0, 10) !== day ? null : day;
}

// "10:00" or "10:00:30", on a 24-hour clock; null if it is not a time.
export function readTime(text) {
  const found = /^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$/.exec(text.trim() || "00:00");
  if (!found || Number(found[1]) > 23 || Number(found[2]) > 59 || Number(found[3] || 0) > 59) return null;
  return { hm: `${found[1].padStart(2, "0")}:${found[2]}`, seconds: Number(found[3] || 0) };
}

// Replay by date and time in the inspection's zone, by the clock chosen:
// every panel as it was then.
export function showInstant() {
  const day = readDay($("#replay-day").value);
  if (!day) {
    toast("Give the day as day/month/year, e.g. 24/11/2026.", "warn");
    $("#replay-day").focus();
    return;
  }
  const time = readTime($("#replay-time").value);
  if (!time) {
    toast("Give the time on the 24-hour clock, e.g. 10:00.", "warn");
    $("#replay-time").focus();
    return;
  }
  // The whole second named: 10:00 holds what happened during 10:00:00.
  const instant = new Date(Date.parse(zonedToIso(day, time.hm)) + time.seconds * 1000 + 999).toISOString();
  const kind = $("#replay-clock").value in CLOCKS ? $("#replay-clock").value : "happened_by";
  const clock = { kind, instant };
  // The newest position the replay reads: by what happened, the whole log
  // (read by the time each entry happened); as written down, its last entry then.
  const writtenBy = eventsUpTo(null).filter((e) => Date.parse(e.recorded_at) <= Date.parse(instant)).at(-1);
  const position = kind === "happened_by" ? state.livePosition : writtenBy?.position;
  state.pastClock = clock; // eventsUpTo below counts by it
  const anything = position !== undefined && eventsUpTo(position).length > 0;
  if (!anything) {
    state.pastClock = null;
    const nothing = kind === "happened_by"
      ? "Nothing had happened in this inspection by then: showing its first entry."
      : "The war room had written nothing down by then: showing its first entry.";
    toast(nothing, "warn");
    showPosition(firstPosition());
    return;
  }
  if (dayBeforeReplay === null) dayBeforeReplay = $("#schedule-day").value;
  $("#schedule-day").value = day; // the board of that day
  setPastMode(position, clock);
  rereadEverything();
}
