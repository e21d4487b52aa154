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

// A sign-in link carries the token in the address's fragment (/#token=...),
// which browsers never send to a server: take it, and clear it from the
// address bar and the history so it is not left on the screen.
export function takeTokenFromAddress() {
  const match = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!match) return null;
  history.replaceState(null, "", window.location.pathname + window.location.search);
  return decodeURIComponent(match[1]);
}

export function signOut(message) {
  localStorage.removeItem(TOKEN_KEY);
  state.token = null;
  closeStream();
  showSignIn(message);
}

export async function signIn(token) {
  state.token = token;
  try {
    state.me = await api("/me");
    await loadMeta();
  } catch (error) {
    if (error.status !== 401) showSignIn(error.message);
    return;
  }
  localStorage.setItem(TOKEN_KEY, token);
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
