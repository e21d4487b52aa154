// Live: the stream, the connection indicator, and re-reading touched panels.

import { api, inspectionPath } from "./api.js";
import { ALL_PANELS, PANEL_ROUTES } from "./config.js";
import { eventTypes, meta } from "./meta.js";
import { $ } from "./dom.js";
import { rememberEvent } from "./events.js";
import { readPanels, renderLocalPanels, rereadEverything } from "./panels.js";
import { state } from "./state.js";

export function openStream() {
  closeStream();
  // Signed in by the session's cookie, which EventSource sends: no token in
  // the address.
  const url = `/api${inspectionPath("/stream")}?after=${state.lastSeen}`;
  const source = new EventSource(url, { withCredentials: true });
  state.source = source;
  source.onopen = () => setConnection("live");
  source.onerror = () => {
    setConnection("down");
    // EventSource retries by itself after a network error (and sends
    // Last-Event-ID). After an HTTP error answer it gives up: start afresh
    // from the last event seen.
    if (source.readyState === EventSource.CLOSED) scheduleReconnect();
  };
  // Named SSE events do not reach onmessage: listen to each known type.
  for (const type of eventTypes()) source.addEventListener(type, onStreamMessage);
}

export function closeStream() {
  clearTimeout(state.reconnectTimer);
  if (state.source) state.source.close();
  state.source = null;
}

export function scheduleReconnect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = setTimeout(async () => {
    if (!state.me || !state.inspectionId) return;
    // A stream the server ended may mean the session ended (signed out,
    // revoked, expired): ask once, and `api` signs out on a 401.
    const refused = await api("/me").then(() => null, (error) => error);
    if (refused?.status === 401) return;
    if (state.me && state.inspectionId) openStream();
  }, 2000);
}

export function setConnection(next) {
  const was = state.connection;
  state.connection = next;
  const el = $("#connection");
  el.dataset.state = next;
  el.className = `connection ${next}`;
  // While replaying, "Live" beside the past banner would confuse: say
  // "Connected" for the same green state.
  const liveWord = state.past === null ? "Live" : "Connected";
  el.querySelector(".label").textContent =
    { live: liveWord, down: "Offline: reconnecting", connecting: "Connecting" }[next];
  $("#offline-bar").hidden = next !== "down";
  // Back after a drop: the stream replays what was missed by itself; read
  // everything once more in case the server restarted with a new read side.
  if (next === "live" && was === "down" && state.past === null) rereadEverything();
}

export function onStreamMessage(message) {
  const position = Number(message.lastEventId);
  if (!Number.isFinite(position) || position <= 0) return;
  const { event, changes } = JSON.parse(message.data);
  if (state.connection !== "live") setConnection("live");
  rememberEvent(event);
  state.lastSeen = Math.max(state.lastSeen, position);
  noteLivePosition(position);
  for (const panel of panelsTouchedBy(event.type, changes)) state.pending.add(panel);
  state.pendingPosition = Math.max(state.pendingPosition, position);
  scheduleFlush();
}

export function panelsTouchedBy(type, changes) {
  const known = meta.panelsForEvent[type];
  // The read models the server says the type changes, of those the page shows.
  const panels = new Set((known ?? ALL_PANELS).filter((p) => Object.hasOwn(PANEL_ROUTES, p)));
  for (const model of Object.keys(changes || {})) {
    if (Object.hasOwn(PANEL_ROUTES, model)) panels.add(model);
  }
  // Every panel shows names from the inspection's roster: a change to the
  // inspection (an inspector joining) is read again everywhere.
  return panels.has("inspection") ? new Set(ALL_PANELS) : panels;
}

// Many events arrive together (a reconnect replays a batch): read each touched
// panel once, at the newest position. The timer is not pushed back by later
// events, so a steady flood still shows on screen every 150 ms.
export function scheduleFlush() {
  if (state.flushTimer === null) state.flushTimer = setTimeout(flushPending, 150);
}

export function flushPending() {
  state.flushTimer = null;
  renderLocalPanels();
  if (state.past !== null) return; // replaying: live changes wait for "back to live"
  const panels = [...state.pending];
  state.pending.clear();
  if (panels.length) readPanels(panels, state.pendingPosition);
}

// The stream names the event types it knows of today; a type added later
// would not reach a listener. Now and then, ask the log what came after the
// last event seen, and treat anything new as if it had been streamed.
export async function sweepForUnlistenedEvents() {
  if (!state.inspectionId || state.connection !== "live") return;
  const newest = state.newestEvent;
  const page = await api(`${inspectionPath("/events")}?after=${newest}&limit=100`).catch(() => null);
  const unseen = (page?.events || []).filter((e) => !state.events.has(e.position));
  for (const event of unseen) {
    onStreamMessage({ lastEventId: String(event.position), data: JSON.stringify({ event, changes: {} }) });
  }
}

// Replay starts where the inspection was opened: before that, there is no
// inspection to show (the reads answer 404).
export function firstPosition() {
  return state.firstEvent ?? state.livePosition;
}

export function noteLivePosition(position) {
  state.livePosition = Math.max(state.livePosition, position);
  const slider = $("#replay-slider");
  slider.min = String(firstPosition());
  slider.max = String(state.livePosition);
  $("#replay-position").min = String(firstPosition());
  $("#replay-position").max = String(state.livePosition);
  if (state.past === null) {
    slider.value = String(state.livePosition);
    $("#replay-position").value = String(state.livePosition);
    $("#replay-what").textContent = "Live";
  }
}
