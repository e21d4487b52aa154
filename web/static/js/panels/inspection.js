// The inspection's title and phase.

import { PHASES } from "../config.js";
import { $, showHeaderButtons, words } from "../dom.js";
import { state } from "../state.js";
import { fmtTime } from "../time.js";

export function renderInspection(answer) {
  state.inspection = answer;
  $("#clock").textContent = fmtTime(new Date());
  $("#inspection-title").textContent = answer.title;
  $("#inspection-phase").textContent = `${words(answer.framework)} · ${PHASES[answer.phase] || words(answer.phase)}`;
  document.title = `War room: ${answer.title}`;
  showHeaderButtons(); // what may be added to it, as the server offers
}
