// A wall screen signs in as a device, not a person (issue 25), the way a TV
// signs in to a streaming service: at /wall, signed out, the screen shows a
// short code and waits (js/display/device_code.js); a lead or an admin types
// the code here, on their own page ("Connect a wall screen"), and chooses the
// inspection; the screen then gets a token that may only read and stream
// that inspection. The lead sees the inspection's screens and may disconnect
// one, which signs it out (it shows a new code).

import { api } from "./api.js";
import { toast } from "./dialog.js";
import { $, fill, h } from "./dom.js";
import { mayRun } from "./meta.js";
import { state } from "./state.js";
import { fmtDayTime } from "./time.js";
import { showView } from "./views.js";

// --- the lead's page: connect a screen, see and disconnect them ---------------

// A button beside the person's name, for those who may connect screens.
export function offerWallConnect() {
  let button = document.getElementById("wall-connect-open");
  if (!button) {
    button = h("button", { type: "button", id: "wall-connect-open", class: "small" }, "Connect a wall screen");
    button.addEventListener("click", openWallConnect);
    $(".who-block").prepend(button);
  }
  button.hidden = !mayRun("ApproveDisplay");
}

function openWallConnect() {
  showView("admin");
  const section = wallsSection();
  section.scrollIntoView({ block: "start" });
  $("#wall-connect-code").focus();
}

function wallsSection() {
  let section = document.getElementById("walls");
  if (section) return section;
  section = h("section", { id: "walls", class: "walls", "aria-labelledby": "h-walls" },
    h("h3", { id: "h-walls" }, "Connect a wall screen"),
    h("form", { id: "wall-connect-form", class: "wall-connect card", onsubmit: connectWall },
      h("p", {}, `On the wall screen, open ${window.location.origin}/wall: it shows a code. `
        + "Type the code here and choose what the screen shows. The screen can only look, never change anything."),
      h("div", { class: "field" },
        h("label", { for: "wall-connect-code" }, "Code on the screen (eight letters)"),
        h("input", {
          id: "wall-connect-code", name: "user_code", required: true, autocomplete: "off",
          autocapitalize: "characters", spellcheck: "false", maxlength: "12",
        })),
      h("div", { class: "field" },
        h("label", { for: "wall-connect-inspection" }, "Inspection it shows"),
        h("select", { id: "wall-connect-inspection", name: "inspection_id", required: true })),
      h("div", { class: "field" },
        h("label", { for: "wall-connect-name" }, "Name for the screen (optional)"),
        h("input", { id: "wall-connect-name", name: "name", maxlength: "120" })),
      h("p", { id: "wall-connect-error", class: "error", role: "alert", hidden: true }),
      h("button", { type: "submit", class: "primary" }, "Connect the screen")),
    h("h4", { id: "wall-list-title" }, "Screens showing this inspection"),
    h("ul", { id: "wall-list", class: "plain-list wall-list", "aria-labelledby": "wall-list-title" }));
  $("#view-admin").append(section);
  return section;
}

// Called when the "Inspection & people" view is drawn.
export async function renderWalls() {
  const section = document.getElementById("walls");
  if (!mayRun("ApproveDisplay")) {
    if (section) section.hidden = true;
    return;
  }
  wallsSection().hidden = false;
  await Promise.all([fillInspections(), fillList()]);
}

async function fillInspections() {
  const select = $("#wall-connect-inspection");
  const chosen = select.value;
  const { inspections } = await api("/inspections").catch(() => ({ inspections: [] }));
  // Starts empty: the person chooses, nothing is chosen for them.
  fill(select, h("option", { value: "" }, "Choose an inspection"),
    inspections.filter((i) => i.phase !== "closed").map((i) => h("option", { value: i.id }, i.title)));
  select.value = inspections.some((i) => i.id === chosen) ? chosen : "";
}

async function fillList() {
  if (!state.inspectionId) return;
  let displays;
  try {
    ({ displays } = await api(`/inspections/${encodeURIComponent(state.inspectionId)}/displays`));
  } catch (error) {
    fill("#wall-list", h("li", { class: "error" }, error.message));
    return;
  }
  $("#wall-list-title").textContent = `Screens showing ${state.inspection?.title || "this inspection"}`;
  const shown = displays.filter((d) => !d.disconnected);
  fill("#wall-list", shown.length ? shown.map(screenItem) : h("li", { class: "empty" }, "No wall screen shows this inspection."));
}

function screenItem(screen) {
  const since = screen.connected_at
    ? `connected ${fmtDayTime(screen.connected_at)}`
    : "approved, waiting for the screen";
  return h("li", { class: "wall-item", dataset: { displayId: screen.id } },
    h("span", { class: "wall-name" }, screen.name),
    h("span", { class: "muted" }, ` · ${since} · by ${screen.approved_by}`),
    screen.actions.includes("DisconnectDisplay")
      ? h("button", { type: "button", class: "small danger", onclick: () => disconnectWall(screen) }, "Disconnect")
      : null);
}

async function connectWall(event) {
  event.preventDefault();
  const form = event.target;
  const error = $("#wall-connect-error");
  error.hidden = true;
  const name = $("#wall-connect-name").value.trim();
  const inspectionId = $("#wall-connect-inspection").value;
  try {
    await api("/device/approve", {
      method: "POST",
      json: { user_code: $("#wall-connect-code").value.trim(), inspection_id: inspectionId, ...(name ? { name } : {}) },
    });
  } catch (refused) {
    error.textContent = refused.message;
    error.hidden = false;
    return;
  }
  form.reset();
  $("#wall-connect-inspection").value = "";
  toast("The wall screen is connected: it shows the war room in a few seconds.");
  await fillList();
}

async function disconnectWall(screen) {
  try {
    await api(`/inspections/${encodeURIComponent(state.inspectionId)}/displays/${encodeURIComponent(screen.id)}/disconnect`, {
      method: "POST", json: {},
    });
  } catch (refused) {
    toast(refused.message, "error");
    return;
  }
  toast(`${screen.name} is disconnected: it shows a new code.`);
  await fillList();
}
