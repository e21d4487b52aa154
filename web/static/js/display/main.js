// The room's wall (/wall): signs in with the token of its link (/wall#token=...)
// or the one this browser keeps, reads the inspection's panels, follows the
// live stream, and turns the panels' pages. Nothing on it is pressed.

import { stopWaiting, waitForCode } from "./device_code.js";
import { drawCases, drawKit, drawLedger, drawRequests, drawSchedule } from "./panels.js";
import { turnPages } from "./pager.js";
import { clock, dayOf, fmtDay, fmtTime, words } from "./words.js";

// The working page's keys (js/config.js): a browser signed in there is
// signed in here, and the inspection it showed last is shown.
const TOKEN_KEY = "warroom.token";
const INSPECTION_KEY = "warroom.inspection";
// Long enough to read a page from across the room.
const PAGE_SECONDS = 12;
const PHASES = {
  day1_notification: "Day 1: notification",
  day2_kick_off: "Day 2: kick-off",
  day3_on_site: "Day 3: on site",
  day4_feedback: "Day 4: end of week 1 feedback",
  week2_off_site: "Week 2: off site",
  weeks3_4_on_site: "Weeks 3-4: on site",
  closed: "Closed",
};

const wall = { token: null, inspection: null, source: null, data: {}, timer: null, retry: null };
const $ = (selector) => document.querySelector(selector);

class Refused extends Error {
  constructor(status) {
    super(`The server answered ${status}`);
    this.status = status;
  }
}

async function api(path) {
  const answer = await fetch(`/api${path}`, { headers: { Authorization: `Bearer ${wall.token}` } });
  if (!answer.ok) throw new Refused(answer.status);
  return answer.json();
}

// The token in the address's fragment (never sent to a server), taken out
// of the address bar and the history, as the working page does.
function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

// Signed out: the screen shows a code for a lead to type (device.js), and
// why it is signed out when it was signed in before.
export function showSignedOut(text) {
  if (wall.source) wall.source.close();
  wall.inspection = null;
  $("#display").hidden = true;
  $("#display-signed-out").hidden = false;
  $("#display-signed-out-text").textContent = text || "";
  $("#display-signed-out-text").hidden = !text;
  waitForCode(signIn);
}

async function signIn(token) {
  wall.token = token;
  let me;
  try {
    me = await api("/me");
  } catch (error) {
    if (error.status === 401) localStorage.removeItem(TOKEN_KEY);
    showSignedOut(error.status === 401 ? "This screen's sign-in is no longer accepted (it may have been disconnected). Connect it again with this code." : undefined);
    return;
  }
  localStorage.setItem(TOKEN_KEY, token);
  const { inspections } = await api("/inspections");
  const kept = localStorage.getItem(INSPECTION_KEY);
  // A wall's own credential names its one inspection.
  const chosen = inspections.find((i) => i.id === me.inspection_id)
    || inspections.find((i) => i.id === kept) || inspections[0];
  if (!chosen) {
    showSignedOut("No inspection has been opened yet.");
    return;
  }
  stopWaiting();
  $("#display-signed-out").hidden = true;
  $("#display").hidden = false;
  wall.inspection = chosen.id;
  everySecond();
  const types = await eventTypes();
  await readAll();
  openStream(types);
}

async function eventTypes() {
  try {
    return Object.keys((await api("/meta")).panels_for_event || {});
  } catch {
    return [];
  }
}

const path = (rest = "") => `/inspections/${encodeURIComponent(wall.inspection)}${rest}`;

async function readAll() {
  const inspection = await api(path());
  clock.zone = inspection.timezone || "Europe/London";
  const today = dayOf(new Date());
  const reads = {
    inspection: Promise.resolve(inspection),
    schedule: api(path(`/schedule?day=${today}`)),
    requests: api(path("/requests?state=all")),
    ledger: api(path("/ledger")),
    cases: api(path("/cases")),
    kit: api(path("/kit-notes")).catch(() => null),
    lines: api(path("/lines-of-enquiry")).catch(() => null),
  };
  const answers = await Promise.allSettled(Object.values(reads));
  Object.keys(reads).forEach((key, i) => {
    if (answers[i].status === "fulfilled") wall.data[key] = answers[i].value;
  });
  drawAll();
  return Math.max(0, ...Object.values(wall.data).map((a) => a?.position || 0));
}

function drawAll() {
  const d = wall.data;
  $("#display-title").textContent = d.inspection.title;
  $("#display-phase").textContent = PHASES[d.inspection.phase] || words(d.inspection.phase);
  if (d.schedule) drawSchedule($("#wall-schedule"), d.schedule);
  if (d.requests) drawRequests($("#wall-requests"), d.requests);
  if (d.ledger) drawLedger($("#wall-ledger"), d.ledger);
  if (d.cases) drawCases($("#wall-cases"), d.cases);
  drawKit($("#wall-kit"), d.kit, d.lines);
}

// Any event of the inspection: everything read again, once for a burst.
let rereading = null;
function somethingHappened() {
  if (rereading) return;
  rereading = setTimeout(async () => {
    rereading = null;
    await readAll().catch(() => null);
  }, 300);
}

function openStream(types) {
  if (wall.source) wall.source.close();
  const position = Math.max(0, ...Object.values(wall.data).map((a) => a?.position || 0));
  const source = new EventSource(`/api${path("/stream")}?token=${encodeURIComponent(wall.token)}&after=${position}`);
  wall.source = source;
  source.onopen = () => setConnection(true);
  source.onerror = () => {
    setConnection(false);
    // After an HTTP error answer EventSource gives up: start afresh.
    if (source.readyState === EventSource.CLOSED) {
      clearTimeout(wall.retry);
      wall.retry = setTimeout(() => signIn(wall.token), 5000);
    }
  };
  source.onmessage = somethingHappened;
  for (const type of types) source.addEventListener(type, somethingHappened);
}

let wasDown = false;
function setConnection(live) {
  const el = $("#display-connection");
  el.textContent = live ? "Live" : "Offline: reconnecting";
  el.className = `display-connection ${live ? "live" : "down"}`;
  $("#display-offline").hidden = live;
  // Back after a drop: read everything, in case the server restarted.
  if (live && wasDown) somethingHappened();
  wasDown = !live;
}

function everySecond() {
  const now = new Date();
  $("#display-clock").textContent = wall.inspection ? `${fmtDay(now)} ${fmtTime(now)}` : "";
}

function start() {
  setInterval(everySecond, 1000);
  setInterval(turnPages, PAGE_SECONDS * 1000);
  // Ages, "now" and the overdue move on with the clock; the day too.
  setInterval(() => { if (wall.inspection) readAll().catch(() => null); }, 60_000);
  window.addEventListener("resize", () => { if (wall.data.inspection) drawAll(); });
  window.addEventListener("hashchange", () => {
    const linked = takeTokenFromAddress();
    if (linked) signIn(linked);
  });
  const token = takeTokenFromAddress() || localStorage.getItem(TOKEN_KEY);
  if (token) signIn(token);
  else showSignedOut();
}

start();
