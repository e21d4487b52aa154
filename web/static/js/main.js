// Wiring: the page's controls, its timers, and signing in at start.

import { openForm, submitForm } from "./dialog.js";
import { $ } from "./dom.js";
import { fitWallSoon, watchWall } from "./fit.js";
import { FORMS } from "./forms.js";
import { readPanels } from "./panels.js";
import { renderFeed } from "./panels/feed.js";
import { renderRequests } from "./panels/requests.js";
import { keepNowInView, noteHandScroll, renderSchedule } from "./panels/schedule.js";
import { backToLive, setPastMode, showInstant, showPosition, showPositionSoon, stepEvent } from "./replay.js";
import { toggleClosed } from "./panels/requests.js";
import { acknowledgeDay, dayShown } from "./panels/day.js";
import { downloadPacket, openPrint, printDay } from "./panels/plan.js";
import { copySignInLink } from "./panels/admin.js";
import { downloadEvidencePacket, downloadExport, verifyRecord } from "./panels/evidence.js";
import { openPreview, renderSendButton, sendBlog, showCopy } from "./panels/blog_send.js";
import { landingView, refreshView, showView } from "./views.js";
import { togglePush } from "./push.js";
import { exchangeStoredToken, exchangeToken, openInspection, signIn, signOut, takeTokenFromAddress } from "./session.js";
import { state } from "./state.js";
import { sweepForUnlistenedEvents } from "./stream.js";
import { fmtTime } from "./time.js";

export function tick() {
  if (state.past !== null) return;
  const busy = (id) => document.getElementById(id).contains(document.activeElement);
  if (state.data.requests && !busy("panel-requests")) renderRequests(state.data.requests);
  if (state.data.schedule && !busy("panel-schedule")) renderSchedule(state.data.schedule);
  renderFeed(); // "new" marks fade after a few minutes
  fitWallSoon();
}

// The plan view's countdown to day 2 and its overdue tasks are the server's
// answer at the time it was read: read them again each minute while shown.
export function tickPlan() {
  if (state.past !== null || document.body.dataset.view !== "plan") return;
  if (document.querySelector("dialog[open]")) return;
  refreshView();
}

export function wire() {
  $("#sign-in-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const token = $("#token-input").value.trim();
    $("#token-input").value = "";
    if (token) signInWith(token).then(viewFromAddress);
  });
  $("#sign-out").addEventListener("click", (event) => {
    event.preventDefault();
    signOut("", { everywhere: true });
  });
  $("#inspection-chooser").addEventListener("change", (event) => openInspection(event.target.value));
  // The panel's height changes as the other panels fill in: scroll again then.
  new ResizeObserver(() => keepNowInView()).observe($("#schedule-body"));
  for (const type of ["wheel", "touchmove", "keydown"]) {
    $("#schedule-body").addEventListener(type, noteHandScroll, { passive: true });
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
  // A phone folds the replay bar away behind this button (app.css).
  $("#replay-toggle").addEventListener("click", () => {
    const open = $("#replay-bar").classList.toggle("open");
    $("#replay-toggle").setAttribute("aria-expanded", String(open));
  });
  for (const button of document.querySelectorAll("button.action")) {
    button.addEventListener("click", () => openForm(FORMS[button.dataset.action]()));
  }
  $("#command-form").addEventListener("submit", submitForm);
  // Print: each panel's print page, in a new tab, signed in by the session.
  const PRINTS = {
    schedule: () => `schedule/${printDay("#schedule-day")}`,
    ledger: () => "ledger",
    cases: () => "cases",
    contacts: () => "contacts",
    blog: () => `blog/${printDay("#blog-day")}`,
    agenda: () => `agenda/${encodeURIComponent(state.me.name)}`,
    pack: () => `packs/${dayShown()}/${encodeURIComponent(state.me.name)}`,
  };
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => openPrint(PRINTS[button.dataset.print]()));
  }
  $("#packet-download").addEventListener("click", downloadPacket);
  $("#evidence-verify-run").addEventListener("click", verifyRecord);
  $("#evidence-export-download").addEventListener("click", downloadExport);
  $("#evidence-packet-download").addEventListener("click", downloadEvidencePacket);
  $("#detail-close").addEventListener("click", () => $("#detail-dialog").close());
  $("#blog-preview").addEventListener("click", openPreview);
  $("#email-copy").addEventListener("change", showCopy);
  $("#email-again").addEventListener("change", renderSendButton);
  $("#email-send").addEventListener("click", sendBlog);
  $("#email-close").addEventListener("click", () => { $("#email-dialog").close(); refreshView(); });
  $("#requests-closed").addEventListener("click", toggleClosed);
  for (const tab of document.querySelectorAll(".view-tab")) {
    tab.addEventListener("click", () => chooseView(tab.dataset.view));
  }
  $("#day-day").addEventListener("change", refreshView);
  $("#day-acknowledge").addEventListener("click", acknowledgeDay);
  $("#day-push").addEventListener("click", togglePush);
  $("#blog-day").addEventListener("change", refreshView);
  $("#sign-in-link-copy").addEventListener("click", copySignInLink);
  $("#replay-go").addEventListener("click", showInstant);
  $("#command-cancel").addEventListener("click", () => $("#command-dialog").close());
  setInterval(tick, 30_000);
  setInterval(() => { $("#clock").textContent = state.inspection ? fmtTime(new Date()) : ""; }, 1000);
  setInterval(sweepForUnlistenedEvents, 60_000);
  setInterval(tickPlan, 60_000);
  watchWall();
}

async function start() {
  wire();
  // Outlines flash on change only after the first full screen is drawn.
  setTimeout(() => { state.flashReady = true; }, 1500);
  window.addEventListener("hashchange", async () => {
    const linked = takeTokenFromAddress();
    if (linked) await signInWith(linked);
    viewFromAddress();
  });
  // A sign-in link's secret, else a token an older page kept here: each is
  // exchanged for a session; else the session this browser already holds.
  const linked = takeTokenFromAddress();
  if (linked) await signInWith(linked);
  else {
    const stored = await exchangeStoredToken();
    if (stored === "wall") return;
    // A stored token refused says why on the card; no session to look for.
    if (stored !== "refused") await signIn({ quiet: stored === "none" });
  }
  viewFromAddress();
}

// A secret (a link's, or a pasted token) exchanged for a session, then
// signed in by it.
async function signInWith(token) {
  if (await exchangeToken(token) === "began") await signIn();
}

// A notification opens the page at the view it is about: /#view=day. The
// address keeps the view chosen, so reloading the page stays on it; with no
// view in the address, the page opens where the person's day starts.
function viewFromAddress() {
  if (!state.me) return;
  const match = /(?:^#|&)view=(\w+)/.exec(window.location.hash);
  showView(match ? match[1] : landingView(state.me.role));
}

function chooseView(name) {
  history.replaceState(null, "", `${window.location.pathname}${window.location.search}#view=${name}`);
  showView(name);
}

start();
