// The page's views: the war-room wall, my day, the blog, and the inspection
// and its people. One is shown at a time; the wall keeps following the
// stream underneath, and the shown view is read again as events arrive.

import { $, debounce } from "./dom.js";
import { fitWallSoon } from "./fit.js";
import { mayAct } from "./forms.js";
import { renderAdmin } from "./panels/admin.js";
import { renderBlog } from "./panels/blog.js";
import { renderContacts } from "./panels/contacts.js";
import { renderDay } from "./panels/day.js";
import { EVIDENCE_ROLES, renderEvidence } from "./panels/evidence.js";
import { renderPlan } from "./panels/plan.js";
import { state } from "./state.js";

const VIEWS = { wall: null, day: renderDay, blog: renderBlog, plan: renderPlan, contacts: renderContacts, admin: renderAdmin, evidence: renderEvidence };
let shown = "wall";

// Where each role's day starts, when the address names no view (issue 25):
// the first of its list the page has and offers this person. Staff start on
// their own day; the auditor on the evidence (until that view exists, the
// wall, where the hand-over ledger is); the gatekeeper on the wall's requests
// and ledger; the rapid response team and the lead, who run the room, on its
// working wall; the admin on the inspection and its people, their only work.
export const LANDING = {
  staff: ["day"],
  auditor: ["evidence", "wall"],
  gatekeeper: ["wall"],
  rapid_response: ["wall"],
  lead: ["wall"],
  admin: ["admin", "wall"],
};

// On a phone, whoever has meetings starts on their own day: their next
// meeting and what is overdue in their hands come first (issue 25). A phone
// is no wall; the auditor and the admin keep their own work.
export const LANDING_ON_A_PHONE = {
  staff: ["day"],
  gatekeeper: ["day", "wall"],
  rapid_response: ["day", "wall"],
  lead: ["day", "wall"],
};
const PHONE = "(max-width: 600px)";

export function landingView(role) {
  const offeredView = (name) => Object.hasOwn(VIEWS, name) && !$(`.view-tab[data-view=${name}]`)?.hidden;
  const table = window.matchMedia(PHONE).matches ? { ...LANDING, ...LANDING_ON_A_PHONE } : LANDING;
  return (table[role] || []).find(offeredView) || "wall";
}

export function showView(name) {
  // A view whose tab this person is not offered is not theirs (an address's #view=).
  const offered = Object.hasOwn(VIEWS, name) && !$(`.view-tab[data-view=${name}]`)?.hidden;
  shown = offered ? name : "wall";
  // The tab of the view shown is the page's current one (a contract, issue 25).
  for (const tab of document.querySelectorAll(".view-tab")) {
    if (tab.dataset.view === shown) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  for (const view of Object.keys(VIEWS)) $(`#view-${view}`).hidden = view !== shown;
  document.body.dataset.view = shown;
  if (shown === "wall") fitWallSoon();
  refreshView();
}

// The admin tab: for those who may run the inspection or add people.
export function offerViews() {
  $(".view-tab[data-view=admin]").hidden = !["addUser", "phase", "addInspector", "openInspection"].some(mayAct);
  $(".view-tab[data-view=evidence]").hidden = !EVIDENCE_ROLES.has(state.me?.role);
}

function refresh() {
  if (VIEWS[shown] && state.inspectionId) VIEWS[shown]();
}

export const refreshView = debounce(refresh, 120);
