// Reading panels: live (at least as new as an event) or at a past position.

import { api, inspectionPath } from "./api.js";
import { ALL_PANELS, PANEL_ROUTES } from "./config.js";
import { toast } from "./dialog.js";
import { fitWallSoon } from "./fit.js";
import { renderCases } from "./panels/cases.js";
import { renderFeed } from "./panels/feed.js";
import { renderInspection } from "./panels/inspection.js";
import { renderKit, renderLinesOfEnquiry } from "./panels/kit.js";
import { renderLedger } from "./panels/ledger.js";
import { renderMailBar } from "./panels/mail.js";
import { renderRequests } from "./panels/requests.js";
import { renderSchedule } from "./panels/schedule.js";
import { pastQuery, state } from "./state.js";
import { refreshView } from "./views.js";

export async function readPanels(panels, minPosition = 0) {
  const reads = panels.map((panel) => readPanel(panel, minPosition));
  const results = await Promise.allSettled(reads);
  const failed = results.find((r) => r.status === "rejected");
  if (failed) toast(failed.reason.message, "error");
  return results.filter((r) => r.status === "fulfilled" && r.value !== null).map((r) => r.value);
}

// A read overtaken by a newer one (a stream event's) answers when that one has
// drawn the panel: whoever waits for a read waits for the panel to be drawn.
const latestRead = {};

export function readPanel(panel, minPosition) {
  const read = readPanelOnce(panel, minPosition).then((position) =>
    (position === null && latestRead[panel] !== read ? latestRead[panel] : position));
  latestRead[panel] = read;
  return read;
}

async function readPanelOnce(panel, minPosition) {
  const seq = (state.readSeq[panel] || 0) + 1;
  state.readSeq[panel] = seq;
  const route = PANEL_ROUTES[panel]();
  const joiner = route.includes("?") ? "&" : "?";
  const when = state.past !== null ? pastQuery() : `min_position=${minPosition}`;
  const answer = await api(`${inspectionPath(route)}${joiner}${when}`);
  if (state.readSeq[panel] !== seq) return null; // a newer read was asked for
  state.data[panel] = answer;
  RENDER[panel](answer);
  fitWallSoon();
  // The views show the roster's names too.
  if (panel === "inspection") refreshView();
  if (state.past === null) flash(panel);
  return answer.position;
}

export function rereadEverything() {
  readPanels(ALL_PANELS, state.past === null ? state.lastSeen : 0);
  renderLocalPanels();
}

// Panels built from the event log kept in the page, not from a read model.
export function renderLocalPanels() {
  renderKit();
  renderFeed();
  renderMailBar();
  refreshView();
  fitWallSoon();
}

// A brief outline on a panel that just changed, so the eye finds it.
export function flash(panel) {
  const el = document.getElementById(`panel-${panel === "lines_of_enquiry" ? "kit" : panel === "inspection" ? "schedule" : panel}`);
  if (!el || !state.flashReady) return;
  el.classList.remove("flash");
  void el.offsetWidth; // restart the animation
  el.classList.add("flash");
}

export const RENDER = {
  inspection: renderInspection,
  schedule: renderSchedule,
  requests: renderRequests,
  ledger: renderLedger,
  cases: renderCases,
  lines_of_enquiry: renderLinesOfEnquiry,
};
