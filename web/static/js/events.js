// The event log, kept in the page for the KIT actions, the feed and replay.

import { api, inspectionPath } from "./api.js";
import { state } from "./state.js";

export async function loadEvents(after) {
  let from = after;
  for (;;) {
    const page = await api(`${inspectionPath("/events")}?after=${from}&limit=1000`);
    for (const event of page.events) rememberEvent(event);
    if (page.events.length < 1000 || page.next <= from) break;
    from = page.next;
  }
}

export function rememberEvent(event) {
  state.events.set(event.position, event);
  state.firstEvent = Math.min(state.firstEvent ?? event.position, event.position);
  state.newestEvent = Math.max(state.newestEvent, event.position);
}

export function eventsUpTo(position) {
  return [...state.events.values()]
    .filter((e) => position === null || e.position <= position)
    .sort((a, b) => a.position - b.position);
}
