// Audit replay: the same panels, read at a past position, read-only.

import { $, debounce, eventWords } from "./dom.js";
import { eventsUpTo } from "./events.js";
import { rereadEverything } from "./panels.js";
import { state } from "./state.js";
import { firstPosition, noteLivePosition, setConnection } from "./stream.js";
import { fmtFull, fmtTime, zone } from "./time.js";

export function setPastMode(position) {
  state.past = position;
  const past = position !== null;
  document.body.classList.toggle("past", past);
  document.body.classList.toggle("live", !past);
  $("#past-banner").hidden = !past;
  if (state.connection === "live") setConnection("live"); // its word changes
  $("#back-to-live").hidden = !past;
  // Read-only: every control that would change something is disabled.
  for (const button of document.querySelectorAll("button.action, .panel button")) {
    button.disabled = past;
  }
  if (past) {
    const dialog = $("#command-dialog");
    if (dialog.open) dialog.close();
    const event = eventsUpTo(position).at(-1);
    const when = event ? ` (${fmtFull(event.recorded_at)}, ${zone()})` : "";
    $("#past-text").textContent = `As the log stood at position ${position}${when}`;
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
