// Audit replay: the same panels, read at a past position, read-only.

import { $, debounce, eventWords } from "./dom.js";
import { eventsUpTo } from "./events.js";
import { rereadEverything } from "./panels.js";
import { state } from "./state.js";
import { firstPosition, noteLivePosition, setConnection } from "./stream.js";
import { fmtFull, fmtTime, zone, zonedParts, zonedToIso } from "./time.js";
import { toast } from "./dialog.js";

export function setPastMode(position) {
  state.past = position;
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
  if (past) {
    const dialog = $("#command-dialog");
    if (dialog.open) dialog.close();
    const event = eventsUpTo(position).at(-1);
    const when = event ? ` (${fmtFull(event.recorded_at)}, ${zone()})` : "";
    $("#past-text").textContent = `As the log stood at position ${position}${when}`;
    if (event) {
      const parts = zonedParts(new Date(event.recorded_at));
      $("#replay-day").value = parts.day;
      $("#replay-time").value = `${parts.time}:${String(new Date(event.recorded_at).getUTCSeconds()).padStart(2, "0")}`;
    }
    $("#replay-what").textContent = event
      ? `#${event.position} ${eventWords(event.type)} by ${event.actor_name}, ${fmtTime(event.recorded_at)}`
      : "Before this inspection's first event";
  }
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

export function backToLive() {
  setPastMode(null);
  noteLivePosition(state.livePosition);
  state.pending.clear();
  rereadEverything();
}

// Step to the previous or next event of this inspection (positions are
// shared by every inspection, so most of them belong to others).
export function stepEvent(direction) {
  const here = state.past ?? state.livePosition;
  const positions = [...state.events.keys()].sort((a, b) => a - b);
  const target = direction < 0
    ? positions.filter((p) => p < here).at(-1)
    : positions.find((p) => p > here);
  if (target !== undefined) showPosition(target);
  else if (direction > 0) backToLive();
}

// Replay by date and time: the last event of this inspection recorded at or
// before that moment (in the inspection's zone), every panel as it stood then.
export function showInstant() {
  const day = $("#replay-day").value;
  const time = $("#replay-time").value || "00:00";
  if (!day) {
    $("#replay-day").focus();
    return;
  }
  const [hh, mm, ss] = time.split(":");
  const instant = Date.parse(zonedToIso(day, `${hh}:${mm}`)) + Number(ss || 0) * 1000 + 999;
  const before = eventsUpTo(null).filter((e) => Date.parse(e.recorded_at) <= instant).at(-1);
  if (before) showPosition(before.position);
  else {
    toast("The inspection had not been opened then: showing its first moment.", "warn");
    showPosition(firstPosition());
  }
}
