// Small helpers: building elements as text, words, keys, who may do what.

import { mayAct, offered } from "./forms.js";
import { state } from "./state.js";

export const $ = (selector) => document.querySelector(selector);

// Builds an element. Text always goes in as text, never as HTML: everything
// shown here was typed by someone, and none of it may run as markup.
export function h(tag, attrs = {}, ...children) {
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
// A <details> with a data-keep key stays open across the redraw: the stream
// redraws a panel whenever anything changes, and a reader's open history
// must not shut under them.
export function fill(target, ...children) {
  const el = typeof target === "string" ? $(target) : target;
  const open = new Set([...el.querySelectorAll("details[open][data-keep]")].map((d) => d.dataset.keep));
  el.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
  for (const details of el.querySelectorAll("details[data-keep]")) {
    if (open.has(details.dataset.keep)) details.open = true;
  }
}

export function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

// "KitNoteRecorded" as "kit note recorded".
export function eventWords(type) {
  return type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

export function may(action) {
  return mayAct(action);
}

export function inspectorName(id) {
  const found = (state.inspection?.inspectors || []).find((i) => i.id === id);
  // Never the id itself: people read names.
  return found ? found.name : "an inspector not on the roster";
}

// Short names people write in capitals: "KIT", not "Kit".
const CAPITALS = new Set(["kit", "iro", "cin", "cp", "lac", "sif", "ilacs", "jtai", "it"]);

export function words(snake) {
  const text = String(snake).split("_").map((w) => (CAPITALS.has(w) ? w.toUpperCase() : w)).join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Words for the middle of a sentence: "Hard copy" as "hard copy", but
// "KIT meeting" and "IRO" keep their capitals.
export function lowerFirst(text) {
  const t = String(text);
  return /^[A-Z][A-Z]/.test(t) ? t : t.charAt(0).toLowerCase() + t.slice(1);
}

// A document's version as "v3", whether it was given as "3" or as "v3".
export function versionWords(version) {
  const text = String(version ?? "").trim();
  return /^v/i.test(text) ? text : `v${text}`;
}

// Who did something, as a person reads it: the command line was stored as
// "console" before it had a name of its own.
export function whoWords(name) {
  return name === "console" ? "the war room (command line)" : name;
}

// A key per form opening: sending the same form twice (a double click, a
// retry after a dropped answer) stores the command once.
export function newIdempotencyKey() {
  if (window.crypto?.randomUUID) return crypto.randomUUID();
  return `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

export function actionButton(action, label, onclick, extra = {}) {
  if (!may(action)) return null;
  return h("button", {
    type: "button", class: `small act-${action}`, disabled: state.past !== null,
    onclick, ...extra,
  }, label);
}

// An item's button for an action, if the server offers it on the item (its
// `actions`): what the server would accept from this person on it now.
export function offeredButton(item, action, label, onclick, extra = {}) {
  if (!offered(item, action)) return null;
  return actionButton(action, label, onclick, extra);
}

// The "create" buttons of the panels' headers, as the server offers them:
// what may be added to the inspection (its read's `actions`), or outside any
// inspection (the signed-in person's, GET /api/me). Those that act on an
// item the panel lists (a debrief, a KIT note, a case browsed) or on the day
// shown (its post, closing it) are set by their panels (hidden until then).
// In the past they stay as they were, disabled (`replay.js`).
const SET_BY_PANELS = new Set(["debrief", "kitNote", "caseBrowsed", "blogPost", "closeDay"]);
const OUTSIDE_ANY_INSPECTION = new Set(["openInspection", "addUser"]);

export function showHeaderButtons() {
  if (state.past !== null) return;
  for (const button of document.querySelectorAll("button.action")) {
    const action = button.dataset.action;
    if (SET_BY_PANELS.has(action)) continue;
    const from = OUTSIDE_ANY_INSPECTION.has(action) ? state.me : state.inspection;
    button.hidden = !offered(from, action);
  }
}

// A header button for an item of a panel's list: shown while the server
// offers its command on one of them.
export function showWhileOffered(action, items) {
  if (state.past !== null) return;
  for (const button of document.querySelectorAll(`button.action[data-action=${action}]`)) {
    button.hidden = !items.some((item) => offered(item, action));
  }
}
