// The war-room screen: reads the read models, listens to the live stream,
// replays the past, and sends the war room's common commands.
//
// Plain JavaScript, no build step. The server is the authority on every rule:
// the page only hides what a role may never do, and shows the server's
// refusals in plain words when it says no anyway.

"use strict";

// ---------------------------------------------------------------------------
// What the page knows about the API
// ---------------------------------------------------------------------------

const TOKEN_KEY = "warroom.token";
const INSPECTION_KEY = "warroom.inspection";

// Who may do what: a copy of COMMAND_HANDLERS in commands/handlers.py, used
// only to decide which buttons to offer. The server checks again.
const WAR_ROOM = ["lead", "gatekeeper", "rapid_response"];
const MAY = {
  recordRequest: WAR_ROOM,
  take: WAR_ROOM,
  attach: WAR_ROOM,
  approve: ["lead"],
  check: WAR_ROOM,
  release: ["gatekeeper"], // "only through the gatekeeper"
  reschedule: WAR_ROOM,
  move: WAR_ROOM,
  kitNote: ["lead", "gatekeeper"],
  caseBrowsed: WAR_ROOM,
};

// Which panels an event type can change. Used when a stream message carries
// no `changes` (history replayed on reconnect sends none).
const PANELS_FOR_EVENT = {
  InspectionOpened: ["inspection"],
  PhaseEntered: ["inspection"],
  InspectorJoined: ["inspection", "schedule", "requests", "ledger", "cases"],
  DocumentRequested: ["requests", "lines_of_enquiry"],
  RequestAssigned: ["requests"],
  DocumentAttached: ["requests"],
  DocumentApproved: ["requests"],
  FinalCheckPassed: ["requests"],
  DocumentReleased: ["requests", "ledger"],
  RequestDeclined: ["requests"],
  RequestWithdrawn: ["requests"],
  RequestEscalated: ["requests"],
  MeetingScheduled: ["schedule"],
  MeetingRescheduled: ["schedule"],
  MeetingMoved: ["schedule"],
  AttendeeAdded: ["schedule"],
  AttendeeRemoved: ["schedule"],
  TopicsChanged: ["schedule"],
  MeetingCancelled: ["schedule"],
  KitNoteRecorded: ["schedule", "lines_of_enquiry"],
  LineOfEnquiryRaised: ["lines_of_enquiry"],
  LineOfEnquiryAnswered: ["lines_of_enquiry"],
  CaseSelected: ["cases"],
  CaseNotified: ["cases"],
  CaseAuditJudged: ["cases"],
  CaseBrowsed: ["cases"],
  BlogPostWritten: [],
  // The daily blog by email (issue 13): shown in the mail bar, from the log.
  DistributionListStarted: [],
  RecipientAdded: [],
  RecipientRemoved: [],
  BlogSendClaimed: [],
  BlogSent: [],
  BlogSendFailed: [],
};
const EVENT_TYPES = Object.keys(PANELS_FOR_EVENT);

// Panels read from the server, and the route each reads. A panel is named
// after its read model (projections/*.py), as the stream's `changes` are.
const PANEL_ROUTES = {
  inspection: () => "",
  schedule: () => `/schedule?day=${encodeURIComponent(scheduleDay())}`,
  requests: () => "/requests?state=all",
  ledger: () => "/ledger",
  cases: () => "/cases",
  lines_of_enquiry: () => "/lines-of-enquiry",
};
const ALL_PANELS = Object.keys(PANEL_ROUTES);

const REQUEST_STATES = ["requested", "assigned", "attached", "approved", "checked"];
const STATE_WORDS = {
  requested: "Waiting for a preparer",
  assigned: "Being prepared",
  attached: "Waiting for approval",
  approved: "Waiting for the final check",
  checked: "Ready to release",
};
const CHANNELS = [
  ["kit", "KIT meeting"],
  ["email", "Email"],
  ["lead_inspector", "Lead inspector"],
  ["direct_to_worker", "Asked a worker directly"],
];
const MEDIA = [
  ["electronic", "Electronically"],
  ["hard_copy", "Hard copy"],
  ["packet", "Compressed packet (IT down)"],
];
const PARTIES = [
  "social_worker", "team_manager", "iro", "parents_carers", "education", "health", "other_partners",
];
const PHASES = {
  day1_notification: "Day 1: notification",
  day2_kick_off: "Day 2: kick-off",
  day3_on_site: "Day 3: on site",
  day4_feedback: "Day 4: end of week 1 feedback",
  week2_off_site: "Week 2: off site",
  weeks3_4_on_site: "Weeks 3-4: on site",
  closed: "Closed",
};
// API field names as a person would say them, for 422 answers.
const FIELD_WORDS = {
  title: "Title", requested_by: "Asked by", channel: "Channel", due_at: "Due",
  detail: "Detail", starts_at: "Start", ends_at: "End", reason: "Reason",
  venue: "Venue", text: "Note", actions: "Actions",
  lines_of_enquiry: "New lines of enquiry", inspector: "Inspector",
  item: "What they looked at", version: "Version", file: "File", to: "Released to",
  medium: "How", sha256: "Document version", assignee: "Preparer",
  "If-Match": "Version",
};

// ---------------------------------------------------------------------------
// The page's state: one object, so it is easy to see what the page holds
// ---------------------------------------------------------------------------

const state = {
  token: null,
  me: null,
  inspectionId: null,
  inspection: null, // title, phase, timezone, inspectors
  past: null, // null when live; the log position being replayed otherwise
  livePosition: 0, // the newest position the page knows of
  lastSeen: 0, // the newest position the stream (or a read) has delivered
  events: new Map(), // this inspection's events by position, for KIT and feed
  firstEvent: null, // the position the inspection was opened at
  newestEvent: 0,
  data: {}, // each panel's latest answer
  readSeq: {}, // each panel's latest read, so a slow old answer never wins
  pending: new Set(), // panels a live event has touched, not yet re-read
  pendingPosition: 0,
  flushTimer: null,
  source: null,
  reconnectTimer: null,
  connection: "connecting",
  flashReady: false, // no outlines while the first screen is drawn
};

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

const $ = (selector) => document.querySelector(selector);

// Builds an element. Text always goes in as text, never as HTML: everything
// shown here was typed by someone, and none of it may run as markup.
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// Replaces an element's content; leaves out the parts that are not there.
function fill(target, ...children) {
  const el = typeof target === "string" ? $(target) : target;
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// "KitNoteRecorded" as "kit note recorded".
function eventWords(type) {
  return type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

function may(action) {
  return Boolean(state.me && MAY[action] && MAY[action].includes(state.me.role));
}

function inspectorName(id) {
  const found = (state.inspection?.inspectors || []).find((i) => i.id === id);
  return found ? found.name : id;
}

function words(snake) {
  const text = String(snake).replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A key per form opening: sending the same form twice (a double click, a
// retry after a dropped answer) stores the command once.
function newIdempotencyKey() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

// --- time, always shown in the inspection's own time zone -----------------

function zone() {
  return state.inspection?.timezone || "Europe/London";
}

function fmt(iso, options) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone(), ...options }).format(new Date(iso));
}

const fmtTime = (iso) => fmt(iso, { hour: "2-digit", minute: "2-digit" });
const fmtDayTime = (iso) =>
  fmt(iso, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
const fmtFull = (iso) =>
  fmt(iso, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });

// "YYYY-MM-DD" and "HH:MM" of an instant, in the inspection's zone.
function zonedParts(date) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  for (const p of format.formatToParts(date)) parts[p.type] = p.value;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

// The instant a wall-clock time in the inspection's zone names, as ISO with
// "Z": the server wants a zone, and the browser's own zone may differ.
function zonedToIso(day, time) {
  const [y, mo, d] = day.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wanted = Date.UTC(y, mo - 1, d, hh, mm);
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    const shown = zonedParts(new Date(guess));
    const [sy, smo, sd] = shown.day.split("-").map(Number);
    const [sh, sm] = shown.time.split(":").map(Number);
    guess += wanted - Date.UTC(sy, smo - 1, sd, sh, sm);
  }
  return new Date(guess).toISOString();
}

function todayInZone() {
  return zonedParts(new Date()).day;
}

function fmtAge(seconds) {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

// ---------------------------------------------------------------------------
// The API: one function for every call, and refusals in plain words
// ---------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message, fields = []) {
    super(message);
    this.status = status;
    this.fields = fields; // API field names a 422 named
  }
}

async function api(path, { method = "GET", json, form, headers = {} } = {}) {
  const init = { method, headers: { Authorization: `Bearer ${state.token}`, ...headers } };
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form; // the browser sets the multipart boundary itself
  }
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, "The server could not be reached. Check the connection and try again; "
      + "sending the same form again will not record it twice.");
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) return body;
  if (response.status === 401) signOut("Your token was not accepted. Please sign in again.");
  throw refusal(response.status, body);
}

// Turns an error answer into a sentence a person can act on.
function refusal(status, body) {
  const detail = body?.detail;
  if (status === 422 && Array.isArray(detail)) {
    const fields = [];
    const lines = detail.map((problem) => {
      const loc = (problem.loc || []).filter((part) => part !== "body" && part !== "query" && part !== "header");
      const message = String(problem.msg || "is not valid").replace(/^Value error, /, "");
      if (!loc.length) return message;
      fields.push(String(loc[0]));
      const name = FIELD_WORDS[loc[0]] || words(loc[0]);
      const where = typeof loc[1] === "number" ? ` (line ${loc[1] + 1})` : "";
      return `${name}${where}: ${message}`;
    });
    return new ApiError(status, `Please correct this: ${lines.join("; ")}.`, fields);
  }
  const text = typeof detail === "string" ? detail : "";
  switch (status) {
    case 403:
      return new ApiError(status, `Not allowed: ${text}.`);
    case 404:
      return new ApiError(status, `Not found: ${text}.`);
    case 409:
      if (body.rule === "version_mismatch") {
        return new ApiError(status, "Someone changed this while you were looking at it. "
          + "The screen has been brought up to date: cancel, check what changed, and try again.");
      }
      return new ApiError(status, `The server refused: ${text}.`);
    case 413:
      return new ApiError(status, `Too large: ${text}.`);
    case 503:
      return new ApiError(status, "The server is busy catching up. Try again in a moment.");
    default:
      return new ApiError(status, text || `The server answered ${status}.`);
  }
}

function inspectionPath(rest = "") {
  return `/inspections/${encodeURIComponent(state.inspectionId)}${rest}`;
}

// ---------------------------------------------------------------------------
// Signing in and choosing the inspection
// ---------------------------------------------------------------------------

function showSignIn(message) {
  document.body.className = "signed-out";
  $("#app").hidden = true;
  $("#sign-in").hidden = false;
  const error = $("#sign-in-error");
  error.textContent = message || "";
  error.hidden = !message;
  $("#token-input").focus();
}

function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  state.token = null;
  closeStream();
  showSignIn(message);
}

async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/me");
  } catch (error) {
    if (error.status !== 401) showSignIn(error.message);
    return;
  }
  localStorage.setItem(TOKEN_KEY, token);
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  document.body.className = `live role-${state.me.role}`;
  renderMe();
  await chooseInspection();
}

function renderMe() {
  const role = words(state.me.role);
  fill("#me", h("span", { class: "name" }, state.me.name), " ", h("span", { class: "role" }, role));
  // Action buttons in panel headers: offered only to roles that may use them.
  for (const button of document.querySelectorAll("button.action")) {
    button.hidden = !may(button.dataset.action);
  }
}

async function chooseInspection() {
  const { inspections } = await api("/inspections");
  if (!inspections.length) {
    $("#inspection-title").textContent = "No inspection has been opened yet";
    return;
  }
  const kept = localStorage.getItem(INSPECTION_KEY);
  const chosen = inspections.find((i) => i.id === kept) || inspections[0];
  const chooser = $("#inspection-chooser");
  chooser.replaceChildren(...inspections.map((i) => h("option", { value: i.id }, i.title)));
  chooser.value = chosen.id;
  $("#inspection-chooser-label").hidden = inspections.length < 2;
  await openInspection(chosen.id);
}

async function openInspection(id) {
  closeStream();
  localStorage.setItem(INSPECTION_KEY, id);
  Object.assign(state, {
    inspectionId: id, inspection: null, past: null, livePosition: 0, lastSeen: 0,
    events: new Map(), firstEvent: null, newestEvent: 0, data: {}, pending: new Set(), pendingPosition: 0,
  });
  setPastMode(null);
  await loadEvents(0);
  // The inspection first: its time zone says what "today" is.
  await readPanels(["inspection"]);
  $("#schedule-day").value = todayInZone();
  const positions = await readPanels(ALL_PANELS.filter((p) => p !== "inspection"));
  // Stream from the oldest position any panel was read at: nothing between
  // a read and the stream can be missed; re-reading a panel twice is harmless.
  const start = Math.min(state.data.inspection.position, ...positions);
  await loadEvents(state.newestEvent);
  state.lastSeen = start;
  noteLivePosition(Math.max(start, ...positions));
  renderLocalPanels();
  openStream();
}

// ---------------------------------------------------------------------------
// Reading panels: live (at least as new as an event) or at a past position
// ---------------------------------------------------------------------------

// Reads panels in parallel; renders each as it arrives; answers positions.
async function readPanels(panels, minPosition = 0) {
  const reads = panels.map((panel) => readPanel(panel, minPosition));
  const results = await Promise.allSettled(reads);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) toast(failed.reason.message, "error");
  return results.filter((r) => r.status === "fulfilled" && r.value !== null).map((r) => r.value);
}

async function readPanel(panel, minPosition) {
  const seq = (state.readSeq[panel] || 0) + 1;
  state.readSeq[panel] = seq;
  const route = PANEL_ROUTES[panel]();
  const joiner = route.includes("?") ? "&" : "?";
  const when = state.past !== null ? `at=${state.past}` : `min_position=${minPosition}`;
  const answer = await api(`${inspectionPath(route)}${joiner}${when}`);
  if (state.readSeq[panel] !== seq) return null; // a newer read was asked for
  state.data[panel] = answer;
  RENDER[panel](answer);
  if (state.past === null) flash(panel);
  return answer.position;
}

function rereadEverything() {
  readPanels(ALL_PANELS, state.past === null ? state.lastSeen : 0);
  renderLocalPanels();
}

// Panels built from the event log kept in the page, not from a read model.
function renderLocalPanels() {
  renderKit();
  renderFeed();
  renderMailBar();
}

// --- the daily blog's email (issue 13) -------------------------------------

const SEND_EVENTS = ["BlogSendClaimed", "BlogSent", "BlogSendFailed"];

// The newest send of the blog, from the log the page holds: a failure in red
// with its reason; a success with a link to the email the outbox holds.
function renderMailBar() {
  const bar = $("#mail-bar");
  const sends = eventsUpTo(state.past).filter((e) => SEND_EVENTS.includes(e.type));
  const last = sends[sends.length - 1];
  if (!last || last.type === "BlogSendClaimed") {
    bar.hidden = true;
    return;
  }
  const claim = sends.find((e) => e.type === "BlogSendClaimed" && e.aggregate_id === last.aggregate_id);
  const day = claim ? claim.data.day : "";
  bar.hidden = false;
  if (last.type === "BlogSendFailed") {
    bar.className = "mail-bar failed";
    bar.setAttribute("role", "alert");
    fill(bar, `The blog for ${day} was NOT sent (${last.data.tries} ${last.data.tries === 1 ? "try" : "tries"}): ${last.data.reason}`);
    return;
  }
  bar.className = "mail-bar sent";
  bar.setAttribute("role", "status");
  const where = last.data.via === "outbox" ? "to the outbox" : "by email";
  const open = last.data.outbox_file
    ? [" · ", h("a", { href: "#", onclick: (event) => { event.preventDefault(); openLatestEmail(day); } }, "open the email")]
    : [];
  fill(bar, `The blog for ${day} went ${where} to ${plural(last.data.recipients.length, "recipient")} at ${fmtTime(last.recorded_at)}`, ...open);
}

// A link cannot carry the bearer token: fetch the .eml, then hand it over.
async function openLatestEmail(day) {
  const response = await fetch(`/api${inspectionPath(`/blog/${day}/email`)}`, {
    headers: { Authorization: `Bearer ${state.token}` },
  });
  if (!response.ok) {
    toast("The outbox no longer holds that email.", "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: `blog-${day}.eml` });
  link.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// A brief outline on a panel that just changed, so the eye finds it.
function flash(panel) {
  const el = document.getElementById(`panel-${panel === "lines_of_enquiry" ? "kit" : panel === "inspection" ? "schedule" : panel}`);
  if (!el || !state.flashReady) return;
  el.classList.remove("flash");
  void el.offsetWidth; // restart the animation
  el.classList.add("flash");
}

// ---------------------------------------------------------------------------
// The event log, kept in the page for the KIT actions, the feed and replay
// ---------------------------------------------------------------------------

async function loadEvents(after) {
  let from = after;
  for (;;) {
    const page = await api(`${inspectionPath("/events")}?after=${from}&limit=1000`);
    for (const event of page.events) rememberEvent(event);
    if (page.events.length < 1000 || page.next <= from) break;
    from = page.next;
  }
}

function rememberEvent(event) {
  state.events.set(event.position, event);
  state.firstEvent = Math.min(state.firstEvent ?? event.position, event.position);
  state.newestEvent = Math.max(state.newestEvent, event.position);
}

function eventsUpTo(position) {
  return [...state.events.values()]
    .filter((e) => position === null || e.position <= position)
    .sort((a, b) => a.position - b.position);
}

// ---------------------------------------------------------------------------
// Live: the stream, the connection indicator, and re-reading touched panels
// ---------------------------------------------------------------------------

function openStream() {
  closeStream();
  const url = `/api${inspectionPath("/stream")}?token=${encodeURIComponent(state.token)}`
    + `&after=${state.lastSeen}`;
  const source = new EventSource(url);
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
  for (const type of EVENT_TYPES) source.addEventListener(type, onStreamMessage);
}

function closeStream() {
  clearTimeout(state.reconnectTimer);
  if (state.source) state.source.close();
  state.source = null;
}

function scheduleReconnect() {
  clearTimeout(state.reconnectTimer);
  state.reconnectTimer = setTimeout(() => {
    if (state.token && state.inspectionId) openStream();
  }, 2000);
}

function setConnection(next) {
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

function onStreamMessage(message) {
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

function panelsTouchedBy(type, changes) {
  const panels = new Set(PANELS_FOR_EVENT[type] ?? ALL_PANELS);
  for (const model of Object.keys(changes || {})) {
    if (Object.hasOwn(PANEL_ROUTES, model)) panels.add(model);
  }
  return panels;
}

// Many events arrive together (a reconnect replays a batch): read each touched
// panel once, at the newest position. The timer is not pushed back by later
// events, so a steady flood still shows on screen every 150 ms.
function scheduleFlush() {
  if (state.flushTimer === null) state.flushTimer = setTimeout(flushPending, 150);
}

function flushPending() {
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
async function sweepForUnlistenedEvents() {
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
function firstPosition() {
  return state.firstEvent ?? state.livePosition;
}

function noteLivePosition(position) {
  state.livePosition = Math.max(state.livePosition, position);
  const slider = $("#replay-slider");
  slider.min = String(firstPosition());
  slider.max = String(state.livePosition);
  $("#replay-position").min = String(firstPosition());
  $("#replay-position").max = String(state.livePosition);
  if (state.past === null) {
    slider.value = String(state.livePosition);
    $("#replay-position").value = String(state.livePosition);
    $("#replay-what").textContent = `Live at position ${state.livePosition}`;
  }
}

// ---------------------------------------------------------------------------
// Audit replay: the same panels, read at a past position, read-only
// ---------------------------------------------------------------------------

function setPastMode(position) {
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

function showPosition(position) {
  const wanted = Number.isFinite(position) ? Math.round(position) : state.livePosition;
  const clamped = Math.max(firstPosition(), Math.min(state.livePosition, wanted));
  $("#replay-slider").value = String(clamped);
  $("#replay-position").value = String(clamped);
  setPastMode(clamped);
  rereadEverything();
}

const showPositionSoon = debounce(showPosition, 200);

function backToLive() {
  setPastMode(null);
  noteLivePosition(state.livePosition);
  state.pending.clear();
  rereadEverything();
}

// Step to the previous or next event of this inspection (positions are
// shared by every inspection, so most of them belong to others).
function stepEvent(direction) {
  const here = state.past ?? state.livePosition;
  const positions = [...state.events.keys()].sort((a, b) => a - b);
  const target = direction < 0
    ? positions.filter((p) => p < here).at(-1)
    : positions.find((p) => p > here);
  if (target !== undefined) showPosition(target);
  else if (direction > 0) backToLive();
}

// ---------------------------------------------------------------------------
// Rendering the panels
// ---------------------------------------------------------------------------

function actionButton(action, label, onclick, extra = {}) {
  if (!may(action)) return null;
  return h("button", {
    type: "button", class: `small act-${action}`, disabled: state.past !== null,
    onclick, ...extra,
  }, label);
}

function renderInspection(answer) {
  state.inspection = answer;
  $("#clock").textContent = fmtTime(new Date());
  $("#inspection-title").textContent = answer.title;
  $("#inspection-phase").textContent = `${answer.framework} · ${PHASES[answer.phase] || words(answer.phase)}`;
  document.title = `War room: ${answer.title}`;
}

// --- schedule -------------------------------------------------------------

function scheduleDay() {
  return $("#schedule-day").value || todayInZone();
}

function renderSchedule(answer) {
  const meetings = [...answer.meetings].sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at));
  const list = h("ol", { class: "timeline" });
  const now = Date.now();
  const showNow = state.past === null && answer.day === todayInZone();
  let nowPlaced = !showNow;
  for (const meeting of meetings) {
    if (!nowPlaced && Date.parse(meeting.starts_at) > now) {
      list.append(nowLine());
      nowPlaced = true;
    }
    list.append(renderMeeting(meeting, showNow && Date.parse(meeting.ends_at) < now));
  }
  if (!nowPlaced) list.append(nowLine());
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
function keepNowInView() {
  if (state.past !== null || Date.now() - lastHandScroll < 120_000) return;
  const body = $("#schedule-body");
  const now = body.querySelector(".now-line");
  const current = now?.previousElementSibling?.classList.contains("over") ? now : now?.previousElementSibling;
  const target = current || now;
  if (target) body.scrollTop = Math.max(0, target.offsetTop - body.offsetTop - 8);
}

function nowLine() {
  return h("li", { class: "now-line", "aria-label": "Now" }, h("span", {}, `Now ${fmtTime(new Date())}`));
}

function renderMeeting(meeting, over) {
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
        ? h("ul", { class: "warnings" }, meeting.warnings.map((w) => h("li", {}, w.message)))
        : null,
      meeting.notes.length
        ? h("div", { class: "notes" }, `${meeting.notes.length} KIT note${meeting.notes.length > 1 ? "s" : ""}`)
        : null,
      meeting.cancelled ? null : h("div", { class: "row-actions" },
        actionButton("reschedule", "Reschedule", () => openForm(rescheduleForm(meeting))),
        actionButton("move", "Change room", () => openForm(moveForm(meeting))),
        meeting.kind === "kit"
          ? actionButton("kitNote", "KIT note", () => openForm(kitNoteForm(meeting)))
          : null)));
}

// One line of a meeting's history: what it was, what it is, who, why.
function renderChange(change) {
  const by = `${change.who}, ${fmtDayTime(change.when)}`;
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
function spanWords(span) {
  const [start, end] = String(span || "").split(" - ");
  return end ? `${fmtTime(start)}–${fmtTime(end)}` : span;
}

// --- requests -------------------------------------------------------------

// Ages and overdue flags move with the clock, not only with events: when
// live, work them out from now; in the past, the server's figures are right.
function ageOf(request) {
  if (state.past !== null) return { age: request.age_seconds, overdue: request.overdue };
  const age = (Date.now() - Date.parse(request.requested_at)) / 1000;
  const overdue = Boolean(request.due_at) && Date.now() > Date.parse(request.due_at);
  return { age, overdue };
}

function renderRequests(answer) {
  const open = answer.requests.filter((r) => r.open);
  const closed = answer.requests.length - open.length;
  const overdue = open.filter((r) => ageOf(r).overdue).length;
  fill("#requests-summary",
    h("span", { class: "count" }, `${open.length} open`),
    overdue ? h("span", { class: "tag overdue" }, `${overdue} overdue`) : null,
    closed ? h("span", { class: "count muted" }, `${closed} closed`) : null);
  const groups = REQUEST_STATES.map((s) => {
    const inState = open.filter((r) => r.state === s).sort((a, b) => ageOf(b).age - ageOf(a).age);
    if (!inState.length) return null;
    return h("section", { class: `state-group state-${s}` },
      h("h3", {}, `${STATE_WORDS[s]} `, h("span", { class: "count" }, inState.length)),
      h("ul", { class: "cards" }, inState.map(renderRequest)));
  });
  fill("#requests-body",
    ...(open.length ? groups.filter(Boolean) : [h("p", { class: "empty" }, "No open requests.")]));
}

function renderRequest(request) {
  const { age, overdue } = ageOf(request);
  const doc = request.document;
  return h("li", { class: `card request${overdue ? " overdue" : ""}`, dataset: { requestId: request.id } },
    h("div", { class: "card-title" },
      h("span", {}, request.title),
      overdue ? h("span", { class: "tag overdue" }, "Overdue") : null,
      request.escalated_to ? h("span", { class: "tag escalated" }, "Escalated") : null),
    h("div", { class: "card-meta" },
      h("span", { class: "age" }, fmtAge(age)),
      ` · ${request.requested_by_name}`,
      request.due_at ? ` · due ${fmtDayTime(request.due_at)}` : "",
      ` · ${request.holder}`),
    doc ? h("div", { class: "card-doc" }, `${doc.name} v${doc.version}`) : null,
    h("div", { class: "row-actions" }, requestActions(request)));
}

// The next step for a request, offered only to the roles that may take it.
function requestActions(request) {
  const doc = request.document;
  switch (request.state) {
    case "requested":
      return [actionButton("take", "Take it", () => openForm(takeForm(request)))];
    case "assigned":
      return [actionButton("attach", "Attach", () => openForm(attachForm(request)))];
    case "attached":
      return [
        actionButton("approve", "Approve", () => openForm(confirmDocForm(request, "approve"))),
        actionButton("attach", "New version", () => openForm(attachForm(request))),
      ];
    case "approved":
      return [
        actionButton("check", "Final check", () => openForm(confirmDocForm(request, "check"))),
        actionButton("attach", "New version", () => openForm(attachForm(request))),
      ];
    case "checked":
      return [
        doc ? actionButton("release", "Release", () => openForm(releaseForm(request))) : null,
        actionButton("attach", "New version", () => openForm(attachForm(request))),
      ];
    default:
      return [];
  }
}

// --- ledger ---------------------------------------------------------------

function renderLedger(answer) {
  const lines = [...answer.lines].reverse().slice(0, 12);
  $("#ledger-summary").textContent = `${answer.lines.length} handed over`;
  if (!lines.length) {
    fill("#ledger-body", h("p", { class: "empty" }, "Nothing handed over yet."));
    return;
  }
  fill("#ledger-body", h("ol", { class: "ledger-lines" }, lines.map((line) =>
    h("li", { dataset: { line: line.line } },
      h("div", { class: "card-title" },
        h("span", { class: "line-no" }, `#${line.line}`), " ", line.request),
      h("div", { class: "card-meta" },
        `${line.document} v${line.version} → ${line.to_name} (${words(line.medium).toLowerCase()})`),
      h("div", { class: "card-meta muted" },
        `${fmtDayTime(line.recorded_at)} · approved ${line.approved_by} · checked ${line.checked_by}`
          + ` · released ${line.released_by} · `, h("code", { title: line.sha256 }, line.sha256.slice(0, 10)))))));
}

// --- KIT actions and lines of enquiry -----------------------------------

// KIT notes come from the log kept in the page: no read model lists the
// actions of every KIT meeting across the inspection's days.
function renderKit() {
  const events = eventsUpTo(state.past);
  const titles = new Map();
  for (const e of events) if (e.type === "MeetingScheduled") titles.set(e.aggregate_id, e.data.title);
  const notes = events.filter((e) => e.type === "KitNoteRecorded").reverse();
  const items = notes.flatMap((note) => (note.data.actions || []).map((action) =>
    h("li", {},
      h("div", { class: "card-title" }, action),
      h("div", { class: "card-meta" },
        `${titles.get(note.aggregate_id) || "KIT meeting"} · ${note.actor_name} · ${fmtDayTime(note.recorded_at)}`))));
  fill("#kit-body", items.length
    ? h("ul", { class: "kit-actions" }, items)
    : h("p", { class: "empty" }, "No actions from KIT meetings yet."));
}

function renderLinesOfEnquiry(answer) {
  const open = answer.lines_of_enquiry.filter((l) => !l.answered);
  $("#enquiries-summary").textContent = `${open.length} open of ${answer.lines_of_enquiry.length}`;
  fill("#enquiries-body", open.length
    ? h("ul", { class: "enquiries" }, open.map((line) => h("li", {},
      h("div", { class: "card-title" }, line.title),
      h("div", { class: "card-meta" },
        `${line.owner ? `owner ${line.owner}` : "no owner yet"} · raised by ${line.raised_by}, `
          + `${fmtDayTime(line.raised_at)} · ${line.evidence.length} evidence`))))
    : h("p", { class: "empty" }, "No open lines of enquiry."));
}

// --- cases ----------------------------------------------------------------

function renderCases(answer) {
  const { counts, expected } = answer;
  fill("#cases-summary",
    h("span", { class: "count" }, `audited ${counts.audited}/${expected.audited}`),
    h("span", { class: "count" }, `tracked ${counts.tracked}/${expected.tracked}`),
    h("span", { class: answer.notifications_outstanding ? "tag warn" : "count" },
      `${answer.notifications_outstanding} notifications outstanding`));
  const browsed = answer.cases.filter((c) => c.last_browse);
  const latest = browsed.sort((a, b) => Date.parse(b.last_browse.at) - Date.parse(a.last_browse.at))[0];
  fill("#latest-browse",
    latest
      ? h("span", { class: "latest-text" }, "Latest browse: ", h("strong", {}, latest.ref),
        ` ${latest.last_browse.item} by ${latest.last_browse.inspector_name}, ${fmtDayTime(latest.last_browse.at)}`)
      : h("span", { class: "latest-text" }, "No case browsed by an inspector yet."),
    h("span", { class: "legend" },
      h("span", { class: "key audited" }, "audited"), h("span", { class: "key tracked" }, "tracked"),
      "dots: notified (social worker, team manager, IRO, parents, education, health, partners)"));
  const order = (c) => `${c.selection === "audited" ? 0 : 1}${c.ref}`;
  const cases = [...answer.cases].sort((a, b) => order(a).localeCompare(order(b)));
  fill("#cases-body", h("ul", { class: "case-grid" }, cases.map((c) => renderCase(c, latest))));
}

// Short judgement words: a tile is small, and these are the words in use.
const JUDGEMENT_SHORT = { outstanding: "Outstanding", good: "Good", requires_improvement: "RI", inadequate: "Inadequate" };

function renderCase(c, latest) {
  const notified = new Set(c.notified);
  const classes = ["case", c.selection, c.judgement ? `judged-${c.judgement}` : "", c === latest ? "latest" : ""];
  return h("li", { class: classes.join(" "), dataset: { caseId: c.id },
    title: `${c.ref}: ${c.plan}, ${c.selection}${c.judgement ? `, judged ${words(c.judgement).toLowerCase()}` : ""}.`
      + ` Notified: ${c.notified.map(words).join(", ") || "nobody"}.`
      + ` Still to notify: ${c.not_yet_notified.map(words).join(", ") || "nobody"}.` },
  h("div", { class: "case-head" },
    h("span", { class: "ref" }, c.ref),
    h("span", { class: "plan" }, c.plan),
    c.judgement ? h("span", { class: "judgement" }, JUDGEMENT_SHORT[c.judgement] || words(c.judgement)) : null),
  h("div", { class: "dots", "aria-label": `${c.notified.length} of ${PARTIES.length} notified` },
    PARTIES.map((p) => h("span", { class: notified.has(p) ? "dot on" : "dot", title: words(p) }))),
  c.last_browse
    ? h("div", { class: "browse" }, `${c.last_browse.inspector_name.split(" ")[0]} · ${c.last_browse.item}`)
    : null);
}

// --- the feed of the latest changes --------------------------------------

function renderFeed() {
  const latest = eventsUpTo(state.past).reverse().slice(0, 15);
  fill("#feed-body", ...latest.map((e) => h("li", { dataset: { position: e.position } },
    h("span", { class: "feed-time" }, fmtTime(e.recorded_at)), " ",
    h("span", { class: "feed-type" }, eventWords(e.type)),
    " ", h("span", { class: "muted" }, `${e.actor_name} · #${e.position}`))));
}

const RENDER = {
  inspection: renderInspection,
  schedule: renderSchedule,
  requests: renderRequests,
  ledger: renderLedger,
  cases: renderCases,
  lines_of_enquiry: renderLinesOfEnquiry,
};

// ---------------------------------------------------------------------------
// Command forms: each is a spec; one dialog shows any of them
// ---------------------------------------------------------------------------

function inspectorOptions() {
  return (state.inspection?.inspectors || []).map((i) => [i.id, i.name]);
}

function recordRequestForm() {
  return {
    title: "Record a request",
    about: "What an inspector asked for, who asked, how and by when.",
    fields: [
      { name: "title", label: "What was asked for", maxlength: 200, required: true },
      { name: "requested_by", label: "Asked by", type: "select", options: inspectorOptions(), required: true },
      { name: "channel", label: "How it was asked", type: "select", options: CHANNELS },
      { name: "due_day", label: "Due day (optional)", type: "date" },
      { name: "due_time", label: "Due time", type: "time", value: "17:00" },
      { name: "detail", label: "Detail (optional)", type: "textarea" },
    ],
    submitLabel: "Record request",
    build: (v) => ({
      path: "/requests",
      json: {
        title: v.title, requested_by: v.requested_by, channel: v.channel,
        due_at: v.due_day ? zonedToIso(v.due_day, v.due_time || "17:00") : null,
        detail: v.detail || null,
      },
    }),
  };
}

function takeForm(request) {
  return {
    title: "Take this request",
    about: `${request.title}: you become its preparer.`,
    fields: [],
    submitLabel: "Take it",
    version: request.version,
    build: () => ({ path: `/requests/${request.id}/assign`, json: { assignee: state.me.id } }),
  };
}

function attachForm(request) {
  const current = Number.parseInt(request.document?.version ?? "0", 10);
  return {
    title: "Attach a document",
    about: `${request.title}. Attaching a new version voids any approval.`,
    fields: [
      { name: "file", label: "Document", type: "file", required: true },
      { name: "version", label: "Version", maxlength: 40, required: true,
        value: Number.isFinite(current) ? String(current + 1) : "" },
    ],
    submitLabel: "Attach",
    version: request.version,
    build: (v, form) => {
      const body = new FormData();
      body.append("file", form.elements.file.files[0]);
      body.append("version", v.version);
      return { path: `/requests/${request.id}/documents`, form: body };
    },
  };
}

function confirmDocForm(request, step) {
  const doc = request.document;
  const title = step === "approve" ? "Approve this version" : "Final check";
  const about = step === "approve"
    ? "Approve exactly this version for release. The person who attached it may not approve it."
    : "Confirm this is the current, up-to-date version, as approved.";
  return {
    title,
    about: `${request.title}: ${doc.name} version ${doc.version} (SHA-256 ${doc.sha256.slice(0, 12)}…). ${about}`,
    fields: [],
    submitLabel: step === "approve" ? "Approve" : "Checked",
    version: request.version,
    build: () => ({ path: `/requests/${request.id}/${step}`, json: { sha256: doc.sha256 } }),
  };
}

function releaseForm(request) {
  const doc = request.document;
  return {
    title: "Release to the inspectors",
    about: `${request.title}: ${doc.name} version ${doc.version}, as approved and checked. `
      + "It goes into the hand-over ledger.",
    fields: [
      { name: "to", label: "Released to", type: "select", options: inspectorOptions(), value: request.requested_by },
      { name: "medium", label: "How", type: "select", options: MEDIA },
    ],
    submitLabel: "Release",
    version: request.version,
    build: (v) => ({
      path: `/requests/${request.id}/release`,
      json: { sha256: doc.sha256, to: v.to, medium: v.medium },
    }),
  };
}

function rescheduleForm(meeting) {
  const start = zonedParts(new Date(meeting.starts_at));
  const end = zonedParts(new Date(meeting.ends_at));
  return {
    title: "Reschedule",
    about: `${meeting.title}, now ${fmtDayTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)}.`,
    fields: [
      { name: "day", label: "Day", type: "date", value: start.day, required: true },
      { name: "start", label: "Start", type: "time", value: start.time, required: true },
      { name: "end", label: "End", type: "time", value: end.time, required: true },
      { name: "reason", label: "Why it changed", type: "textarea", required: true },
    ],
    submitLabel: "Reschedule",
    version: meeting.version,
    build: (v) => ({
      path: `/meetings/${meeting.id}/reschedule`,
      json: { starts_at: zonedToIso(v.day, v.start), ends_at: zonedToIso(v.day, v.end), reason: v.reason },
    }),
  };
}

function moveForm(meeting) {
  return {
    title: "Change room",
    about: `${meeting.title}, now in ${meeting.venue}.`,
    fields: [{ name: "venue", label: "New room", maxlength: 200, required: true }],
    submitLabel: "Move",
    version: meeting.version,
    build: (v) => ({ path: `/meetings/${meeting.id}/move`, json: { venue: v.venue } }),
  };
}

function kitNoteForm(meeting) {
  const meetings = (state.data.schedule?.meetings || []).filter((m) => !m.cancelled);
  const kits = meetings.filter((m) => m.kind === "kit");
  const choices = (kits.length ? kits : meetings).map((m) => [m.id, `${fmtTime(m.starts_at)} ${m.title}`]);
  return {
    title: "Note a KIT point",
    about: "What the lead inspector said. Actions go to the rapid response team.",
    fields: [
      meeting ? null : { name: "meeting", label: "Meeting", type: "select", options: choices, required: true },
      { name: "text", label: "Note", type: "textarea", required: true },
      { name: "actions", label: "Actions, one per line", type: "textarea" },
      { name: "lines_of_enquiry", label: "New lines of enquiry, one per line", type: "textarea" },
    ].filter(Boolean),
    submitLabel: "Record note",
    build: (v) => ({
      path: `/meetings/${meeting ? meeting.id : v.meeting}/notes`,
      json: { text: v.text, actions: lines(v.actions), lines_of_enquiry: lines(v.lines_of_enquiry) },
    }),
  };
}

function caseBrowsedForm() {
  const cases = [...(state.data.cases?.cases || [])].sort((a, b) => a.ref.localeCompare(b.ref));
  return {
    title: "Record a case browsed",
    about: "Which case, and which of its documents, an inspector looked at.",
    fields: [
      { name: "case", label: "Case", type: "select", options: cases.map((c) => [c.id, `${c.ref} (${c.plan})`]), required: true },
      { name: "inspector", label: "Inspector", type: "select", options: inspectorOptions(), required: true },
      { name: "item", label: "What they looked at", maxlength: 200, value: "case file", required: true },
    ],
    submitLabel: "Record",
    build: (v) => ({ path: `/cases/${v.case}/browsed`, json: { inspector: v.inspector, item: v.item } }),
  };
}

function lines(text) {
  return String(text || "").split("\n").map((l) => l.trim()).filter(Boolean);
}

const FORMS = {
  recordRequest: recordRequestForm,
  kitNote: () => kitNoteForm(null),
  caseBrowsed: caseBrowsedForm,
};

// --- the dialog -----------------------------------------------------------

let openSpec = null;

function openForm(spec) {
  if (state.past !== null) return;
  // The key is made when the form opens: sending it twice stores it once.
  openSpec = { ...spec, idempotencyKey: newIdempotencyKey() };
  $("#command-title").textContent = spec.title;
  $("#command-about").textContent = spec.about || "";
  fill("#command-fields", ...spec.fields.map(renderField));
  $("#command-submit").textContent = spec.submitLabel || "Save";
  $("#command-submit").disabled = false;
  showFormError(null);
  $("#command-dialog").showModal();
  const first = $("#command-fields").querySelector("input, select, textarea");
  (first || $("#command-submit")).focus();
}

function renderField(field) {
  const id = `field-${field.name}`;
  let control;
  if (field.type === "select") {
    control = h("select", { id, name: field.name, required: field.required },
      field.options.map(([value, label]) => h("option", { value }, label)));
    if (field.value) control.value = field.value;
  } else if (field.type === "textarea") {
    control = h("textarea", { id, name: field.name, required: field.required, rows: 3 });
  } else {
    control = h("input", {
      id, name: field.name, type: field.type || "text", required: field.required,
      maxlength: field.maxlength, value: field.value,
    });
  }
  return h("div", { class: "field" }, h("label", { for: id }, field.label), control);
}

async function submitForm(event) {
  event.preventDefault();
  const form = event.target;
  const missing = [...form.elements].find((el) => el.required && !el.value.trim());
  if (missing) {
    showFormError(`Please fill in “${form.querySelector(`label[for="${missing.id}"]`).textContent}”.`, [missing.name]);
    missing.focus();
    return;
  }
  const values = Object.fromEntries([...form.elements].filter((el) => el.name).map((el) => [el.name, el.value.trim()]));
  const spec = openSpec;
  $("#command-submit").disabled = true;
  try {
    const answer = await sendCommand(spec, values, form);
    $("#command-dialog").close();
    afterCommand(spec, answer);
  } catch (error) {
    showFormError(error.message, error.fields || []);
    // A stale version: bring the screen up to date so the next try is right.
    if (error.status === 409) rereadEverything();
  } finally {
    $("#command-submit").disabled = false;
  }
}

function sendCommand(spec, values, form) {
  const { path, json, form: multipart } = spec.build(values, form);
  const headers = { "Idempotency-Key": spec.idempotencyKey };
  // The version the person saw when they opened the form: if the thing
  // changed since, the server refuses rather than act on what they did not see.
  if (spec.version !== undefined) headers["If-Match"] = String(spec.version);
  return api(inspectionPath(path), { method: "POST", json, form: multipart, headers });
}

function showFormError(message, fields = []) {
  const el = $("#command-error");
  el.textContent = message || "";
  el.hidden = !message;
  for (const control of $("#command-fields").querySelectorAll("[name]")) {
    const named = fields.includes(control.name)
      || (control.name === "day" && fields.some((f) => f === "starts_at" || f === "ends_at"))
      || (control.name === "due_day" && fields.includes("due_at"));
    control.toggleAttribute("aria-invalid", named);
  }
}

// Read what was just written (min_position), and say what the server warned.
function afterCommand(spec, answer) {
  const warnings = answer.warnings || [];
  const text = warnings.length
    ? `${spec.title}: saved, with warnings: ${warnings.map((w) => w.message).join("; ")}`
    : `${spec.title}: saved (position ${answer.position}).`;
  toast(text, warnings.length ? "warn" : "ok");
  if (answer.position) {
    noteLivePosition(answer.position);
    readPanels(ALL_PANELS.filter((p) => p !== "inspection"), answer.position);
  }
}

let toastTimer = null;
function toast(message, kind = "ok") {
  const el = $("#toast");
  el.textContent = message;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === "ok" ? 5000 : 12000);
}

// ---------------------------------------------------------------------------
// Wiring
// ---------------------------------------------------------------------------

// Ages, overdue flags and the "now" line move with the clock. Not while
// someone is using a button in a panel: redrawing would take their focus.
function tick() {
  if (state.past !== null) return;
  const busy = (id) => document.getElementById(id).contains(document.activeElement);
  if (state.data.requests && !busy("panel-requests")) renderRequests(state.data.requests);
  if (state.data.schedule && !busy("panel-schedule")) renderSchedule(state.data.schedule);
}

function wire() {
  $("#sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("#token-input").value.trim();
    if (token) signIn(token);
  });
  $("#sign-out").addEventListener("click", (event) => {
    event.preventDefault();
    signOut();
  });
  $("#inspection-chooser").addEventListener("change", (event) => openInspection(event.target.value));
  // The panel's height changes as the other panels fill in: scroll again then.
  new ResizeObserver(() => keepNowInView()).observe($("#schedule-body"));
  for (const type of ["wheel", "touchmove", "keydown"]) {
    $("#schedule-body").addEventListener(type, () => { lastHandScroll = Date.now(); }, { passive: true });
  }
  $("#schedule-day").addEventListener("change", () => readPanels(["schedule"], state.lastSeen));
  $("#replay-slider").addEventListener("input", (event) => {
    const position = Number(event.target.value);
    $("#replay-position").value = String(position);
    setPastMode(position); // the banner at once; the reads a moment later
    showPositionSoon(position);
  });
  $("#replay-position").addEventListener("change", (event) => showPosition(Number(event.target.value)));
  $("#replay-prev").addEventListener("click", () => stepEvent(-1));
  $("#replay-next").addEventListener("click", () => stepEvent(1));
  $("#back-to-live").addEventListener("click", backToLive);
  for (const button of document.querySelectorAll("button.action")) {
    button.addEventListener("click", () => openForm(FORMS[button.dataset.action]()));
  }
  $("#command-form").addEventListener("submit", submitForm);
  $("#command-cancel").addEventListener("click", () => $("#command-dialog").close());
  setInterval(tick, 30_000);
  setInterval(() => { $("#clock").textContent = state.inspection ? fmtTime(new Date()) : ""; }, 1000);
  setInterval(sweepForUnlistenedEvents, 60_000);
}

async function start() {
  wire();
  // Outlines flash on change only after the first full screen is drawn.
  setTimeout(() => { state.flashReady = true; }, 1500);
  const token = localStorage.getItem(TOKEN_KEY);
  if (token) await signIn(token);
  else showSignIn();
}

start();
