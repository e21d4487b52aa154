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
  const events = [...state.events.values()]
    .filter((e) => position === null || e.position <= position)
    .sort((a, b) => a.position - b.position);
  const clock = position === null ? null : state.pastClock;
  return clock?.kind === "happened_by" ? happenedBy(events, Date.parse(clock.instant)) : events;
}

// The events that had happened by an instant, in the log's order, by the
// server's rule (projections/happened.py): an event counts from the latest
// of when it happened, its thing's earlier events, and the inspection's
// opening (which counts from the first thing that happened in it).
export function happenedBy(events, instant) {
  const opened = Math.min(...events.map((e) => Date.parse(e.occurred_at || e.recorded_at)));
  const latest = new Map();
  return events.filter((e) => {
    const own = e.type === "InspectionOpened" ? opened : Date.parse(e.occurred_at || e.recorded_at);
    const effective = Math.max(own, latest.get(e.aggregate_id) ?? -Infinity, opened);
    latest.set(e.aggregate_id, effective);
    return effective <= instant;
  });
}
