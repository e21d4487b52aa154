// The details dialog: everything a card has no room for, and every action
// the person may take on the thing. An action closes it and opens its form.

import { openForm, toast } from "./dialog.js";
import { $, fill, h } from "./dom.js";
import { state } from "./state.js";
import { withSession } from "./api.js";

export function openDetail(title, body, actions) {
  $("#detail-title").textContent = title;
  fill("#detail-body", ...body);
  fill("#detail-actions", ...actions);
  const dialog = $("#detail-dialog");
  if (!dialog.open) dialog.showModal();
  $("#detail-close").focus();
}

// A button in the details dialog that opens a command's form.
export function detailAction(button, spec) {
  if (!button) return null;
  button.addEventListener("click", () => {
    $("#detail-dialog").close();
    openForm(spec());
  });
  return button;
}

// Fetches a document's exact bytes and hands them to the browser as a
// download.
export async function downloadDocument(requestId, doc) {
  const path = `/api/inspections/${encodeURIComponent(state.inspectionId)}`
    + `/requests/${encodeURIComponent(requestId)}/documents/${doc.sha256}`;
  let response;
  try {
    response = await fetch(path, withSession());
  } catch {
    toast("The server could not be reached. Try again.", "error");
    return;
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    toast(response.status === 403
      ? "Your role may not open documents: ask the war room for a copy."
      : `The document could not be opened: ${body.detail || response.status}.`, "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: doc.name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied.`);
  } catch {
    toast(`${what}: ${text}`, "warn");
  }
}

