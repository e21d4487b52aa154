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

export function showView(name) {
  // A view whose tab this person is not offered is not theirs (an address's #view=).
  const offered = Object.hasOwn(VIEWS, name) && !$(`.view-tab[data-view=${name}]`)?.hidden;
  shown = offered ? name : "wall";
  for (const tab of document.querySelectorAll(".view-tab")) {
    tab.setAttribute("aria-pressed", String(tab.dataset.view === shown));
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
