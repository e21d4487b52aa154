// The one dialog for every command form, and the toast.
//
// openForm shows a spec (forms.js); submitting it sends the command to the
// path GET /api/meta gives for it, with the version the person saw
// (If-Match) and a key made when the form opened (Idempotency-Key).

import { api, problemWords } from "./api.js";
import { ALL_PANELS, FIELD_WORDS } from "./config.js";
import { $, fill, h, newIdempotencyKey, words } from "./dom.js";
import { commandPath, meta } from "./meta.js";
import { readPanels, rereadEverything } from "./panels.js";
import { warningWords } from "./panels/schedule.js";
import { state } from "./state.js";
import { noteLivePosition } from "./stream.js";
import { withOccurredAt, withWhenField } from "./when.js";

let openSpec = null;

// Opens a form: a spec, or a promise of one (forms that read first).
export async function openForm(specOrPromise) {
  if (state.past !== null) return;
  let spec;
  try {
    spec = await specOrPromise;
  } catch (error) {
    toast(error.message, "error");
    return;
  }
  // The key is made when the form opens: sending it twice stores it once.
  // "When it happened" is offered on every form whose command takes it.
  openSpec = { ...withWhenField(spec), idempotencyKey: newIdempotencyKey(), warned: null };
  $("#command-title").textContent = spec.title;
  $("#command-about").textContent = spec.about || "";
  fill("#command-fields", ...openSpec.fields.map(renderField));
  $("#command-submit").textContent = spec.submitLabel || "Save";
  $("#command-submit").disabled = false;
  $("#command-dialog").dataset.command = spec.command;
  showFormError(null);
  const dialog = $("#command-dialog");
  if (!dialog.open) dialog.showModal();
  const first = $("#command-fields").querySelector("input, select, textarea");
  (first || $("#command-submit")).focus();
}

export function renderField(field) {
  const id = `field-${field.name}`;
  let control;
  if (field.type === "select") {
    // Nothing is chosen for the person (issue 23): a select starts on
    // "Choose…" unless the spec starts it on a value of the item's own.
    const blank = field.options.some(([value]) => value === "") ? [] : [["", "Choose…"]];
    control = h("select", { id, name: field.name, required: field.required },
      [...blank, ...field.options].map(([value, label]) => h("option", { value }, label)));
    control.value = field.value || "";
  } else if (field.type === "textarea") {
    control = h("textarea", { id, name: field.name, required: field.required, rows: field.rows || 3 });
    if (field.value) control.value = field.value;
  } else if (field.type === "checkboxes") {
    // A group: its values are the ticked boxes'.
    return h("fieldset", { class: "field checkboxes", dataset: { name: field.name } },
      h("legend", {}, field.label),
      field.options.length
        ? field.options.map(([value, label], i) => h("label", { class: "check" },
          h("input", { type: "checkbox", name: field.name, value, id: `${id}-${i}` }), ` ${label}`))
        : h("span", { class: "muted" }, "None"));
  } else if (field.type === "checkbox") {
    return h("div", { class: "field" }, h("label", { class: "check", for: id },
      h("input", { id, name: field.name, type: "checkbox" }), ` ${field.label}`));
  } else {
    control = h("input", {
      id, name: field.name, type: field.type || "text", required: field.required,
      maxlength: field.maxlength, value: field.value,
    });
  }
  return h("div", { class: "field" }, h("label", { for: id }, field.label), control);
}

// The form's values: text trimmed, a group of boxes as a list, a box as true/false.
function formValues(form, spec) {
  const values = {};
  for (const field of spec.fields) {
    const named = [...form.elements].filter((el) => el.name === field.name);
    if (field.type === "checkboxes") values[field.name] = named.filter((el) => el.checked).map((el) => el.value);
    else if (field.type === "checkbox") values[field.name] = Boolean(named[0]?.checked);
    else values[field.name] = named[0] ? named[0].value.trim() : "";
  }
  return values;
}

export async function submitForm(event) {
  event.preventDefault();
  const form = event.target;
  const spec = openSpec;
  const missing = [...form.elements].find((el) => el.required && !el.value.trim());
  if (missing) {
    const label = form.querySelector(`label[for="${missing.id}"]`).textContent;
    const ask = missing.tagName === "SELECT" ? "Please choose" : "Please fill in";
    showFormError(`${ask} “${label}”.`, [missing.name]);
    missing.focus();
    return;
  }
  const values = formValues(form, spec);
  // A choice the spec needs beyond single fields (one of two, say): not sent without it.
  const unchosen = spec.unchosen ? spec.unchosen(values) : null;
  if (unchosen) {
    showFormError(unchosen.message, unchosen.fields);
    return;
  }
  // A warning the person should see before it is sent (a time in the past):
  // shown once; pressing the button again sends it.
  const warning = spec.check ? spec.check(values) : null;
  if (warning && spec.warned !== warning) {
    spec.warned = warning;
    showFormError(warning, [], "warn");
    return;
  }
  $("#command-submit").disabled = true;
  // An earlier "saved" must not stand for this command while it is sent.
  $("#toast").hidden = true;
  $("#toast").textContent = "";
  try {
    const answer = await sendCommand(spec, values, form);
    $("#command-dialog").close();
    afterCommand(spec, answer);
  } catch (error) {
    const message = error.problems?.length
      ? `Please correct this: ${error.problems.map((p) => problemWords(p, (f) => labelFor(spec, f))).join("; ")}.`
      : error.message;
    showFormError(message, error.fields || []);
    // A stale version: bring the screen up to date so the next try is right.
    if (error.status === 409) rereadEverything();
  } finally {
    $("#command-submit").disabled = false;
  }
}

// What the form calls an API field: its own label where it has one.
function labelFor(spec, apiField) {
  const name = (spec.apiFields || {})[apiField] || apiField;
  const field = spec.fields.find((f) => f.name === name);
  if (field) return field.label.replace(/ \((optional|blank = now)\)$/, "").replace(/, one per line$/, "");
  return FIELD_WORDS[apiField] || words(apiField);
}

export function sendCommand(spec, values, form) {
  const { ids, json: built, form: upload } = spec.build(values, form);
  const json = withOccurredAt(built, values);
  const multipart = withOccurredAt(upload, values);
  const headers = { "Idempotency-Key": spec.idempotencyKey };
  // The version the person saw when they opened the form: if the thing
  // changed since, the server refuses rather than act on what they did not see.
  // A newer version the person's own last command made counts as seen: a
  // card re-read after that command may not be drawn yet (a quick second
  // click after "Take it" sent the old version, and was refused as stale).
  if (spec.version !== undefined) {
    // The thing's own id: not the inspection's, whose versions are its own.
    const own = Object.entries(ids).filter(([key]) => key !== "inspection_id")
      .map(([, id]) => state.ownVersions.get(id) || 0);
    headers["If-Match"] = String(Math.max(Number(spec.version), ...own));
  }
  // The method is the server's (GET /api/meta): a POST, or a DELETE of the thing.
  const method = meta.commands.get(spec.command)?.method || "POST";
  return api(commandPath(spec.command, ids), { method, json, form: multipart, headers });
}

export function showFormError(message, fields = [], kind = "error") {
  const el = $("#command-error");
  el.textContent = message || "";
  el.hidden = !message;
  el.className = kind === "warn" ? "warn" : "error";
  const spec = openSpec || {};
  const named = new Set(fields.map((f) => (spec.apiFields || {})[f] || f));
  if (named.has("start") || named.has("end")) named.add("day");
  for (const control of $("#command-fields").querySelectorAll("[name]")) {
    control.toggleAttribute("aria-invalid", named.has(control.name));
  }
}

// Read what was just written (min_position), and say what the server warned.
export async function afterCommand(spec, answer) {
  if (answer.id && Number.isInteger(answer.version)) state.ownVersions.set(answer.id, answer.version);
  // Read what was just written first (read-your-writes: min_position is the
  // position the command answered), so the screen is current when "saved" shows.
  if (answer.position && state.inspectionId) {
    noteLivePosition(answer.position);
    await readPanels(ALL_PANELS, answer.position);
  }
  // e.g. show the sign-in link after a user is added; it may have its own words.
  // (not awaited: opening an inspection goes on in the background)
  const own = spec.after ? spec.after(answer, spec) : null;
  const warnings = answer.warnings || [];
  const text = warnings.length
    ? `${spec.title}: saved, with warnings: ${warnings.map(warningWords).join("; ")}`
    : `${spec.title}: saved.`;
  toast(typeof own === "string" ? `${text} ${own}` : text, warnings.length || typeof own === "string" ? "warn" : "ok");
}

let toastTimer = null;
export function toast(message, kind = "ok") {
  const el = $("#toast");
  el.textContent = message;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, kind === "ok" ? 5000 : 12000);
}
