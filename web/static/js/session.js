// Signing in and choosing the inspection.

import { api } from "./api.js";
import { ALL_PANELS, INSPECTION_KEY, TOKEN_KEY } from "./config.js";
import { $, fill, h, showHeaderButtons, words } from "./dom.js";
import { loadEvents } from "./events.js";
import { readPanels, renderLocalPanels } from "./panels.js";
import { setPastMode } from "./replay.js";
import { loadMeta } from "./meta.js";
import { state } from "./state.js";
import { offerViews } from "./views.js";
import { closeStream, noteLivePosition, openStream } from "./stream.js";
import { todayInZone } from "./time.js";
import { offerWallConnect } from "./device.js";

export function showSignIn(message) {
  document.body.className = "signed-out";
  $("#app").hidden = true;
  $("#sign-in").hidden = false;
  const error = $("#sign-in-error");
  error.textContent = message || "";
  error.hidden = !message;
  $("#token-input").focus();
}

// A sign-in link carries its secret in the address's fragment (/#token=...),
// which browsers never send to a server: take it, and clear it from the
// address bar and the history so it is not left on the screen.
export function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

// Exchanges a sign-in link's secret (or a pasted token) for a session: the
// server sets the session's cookie, and the page keeps nothing of it.
// Answers "began", "refused" (said on the sign-in card), "wall" (a wall
// screen's credential, sent on to /wall) or "unreachable".
export async function exchangeToken(token) {
  let response;
  try {
    response = await fetch("/auth/link", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token }),
    });
  } catch {
    showSignIn("The server could not be reached. Check the connection and try again.");
    return "unreachable";
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) {
    state.csrf = body.csrf_token;
    return "began";
  }
  // A wall screen's own credential: the room's display (/wall) takes it
  // from its address, as a sign-in link's.
  if (body.rule === "display_signs_in_at_wall") {
    window.location.replace(`/wall#token=${encodeURIComponent(token)}`);
    return "wall";
  }
  showSignIn(typeof body.detail === "string" ? `${body.detail}.` : `The server answered ${response.status}.`);
  return "refused";
}

// A token an older page kept in this browser: exchanged once for a session,
// then removed (the page keeps no token). A wall screen's stays: it is the
// wall's own (/wall).
export async function exchangeStoredToken() {
  const stored = localStorage.getItem(TOKEN_KEY);
  if (!stored) return "none";
  const outcome = await exchangeToken(stored);
  if (outcome === "began" || outcome === "refused") localStorage.removeItem(TOKEN_KEY);
  return outcome;
}

export async function signOut(message, { everywhere = false } = {}) {
  // Signing out ends the session on the server (every server process) and
  // tells the browser to forget the cookie. It is a form's POST, not a
  // fetch, so that someone who signed in with their council's account is
  // taken on to its sign-out too; the answer comes back to the sign-in card.
  if (everywhere) {
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/auth/logout";
    form.hidden = true;
    document.body.append(form);
    form.submit();
    return;
  }
  state.me = null;
  state.csrf = null;
  closeStream();
  showSignIn(message);
}

// Signs in with the session's cookie, if the browser holds a live one.
export async function signIn({ quiet = false } = {}) {
  try {
    const me = await api("/me", { quiet401: quiet });
    state.me = me;
    state.csrf = me.csrf_token;
    await loadMeta();
  } catch (error) {
    state.me = null;
    if (error.status !== 401) showSignIn(error.message);
    return;
  }
  // A wall's own credential shows the room's display view only (/wall).
  if (state.me.role === "display") {
    window.location.replace("/wall");
    return;
  }
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  document.body.className = `live role-${state.me.role}`;
  renderMe();
  offerViews();
  await chooseInspection();
}

export function renderMe() {
  const role = words(state.me.role);
  fill("#me", h("span", { class: "name" }, state.me.name), " ", h("span", { class: "role" }, role));
  // Action buttons in panel headers: as the server offers them (until the
  // inspection is read, those outside it only).
  showHeaderButtons();
  offerWallConnect();
}

// `prefer`: the inspection to show if it is listed (one just opened), else
// the one shown last, else the first listed.
export async function chooseInspection(prefer = null) {
  const { inspections } = await api("/inspections");
  if (!inspections.length) {
    $("#inspection-title").textContent = "No inspection has been opened yet";
    return;
  }
  const kept = localStorage.getItem(INSPECTION_KEY);
  const chosen = inspections.find((i) => i.id === prefer) || inspections.find((i) => i.id === kept) || inspections[0];
  const chooser = $("#inspection-chooser");
  chooser.replaceChildren(...inspections.map((i) => h("option", { value: i.id }, i.title)));
  chooser.value = chosen.id;
  $("#inspection-chooser-label").hidden = inspections.length < 2;
  await openInspection(chosen.id);
}

export async function openInspection(id) {
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
