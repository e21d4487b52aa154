// Preview and send the day's blog (issue 24): for those who write it (the
// lead, and the rapid response team, where the communication lead sits). The
// preview is the exact email each audience, or one person on the list, gets
// now; its HTML part shows in a sandboxed frame. A second send of a day is a
// deliberate "Send again".

import { api, inspectionPath } from "../api.js";
import { toast } from "../dialog.js";
import { $, fill, h, plural } from "../dom.js";
import { mayRun } from "../meta.js";
import { state } from "../state.js";
import { fmt, fmtTime } from "../time.js";

const COPIES = [
  ["audience=war_room", "The war room's copy (everything)"],
  ["audience=partners", "The partners' copy (no requests, declines, playbook or notes)"],
];

let previewSeq = 0;
let shownDay = null;
let sendState = { recipients: 0, sent: false };

// The button on the blog panel: for those who write the blog, in the present.
export function showPreviewButton(answer) {
  const button = $("#blog-preview");
  button.hidden = !mayRun("WriteBlogPost") || state.past !== null;
  const last = answer?.email?.attempts?.at(-1);
  sendState.sent = Boolean(answer?.email?.attempts?.some((a) => a.status === "sent"));
  sendState.lastStatus = last?.status || null;
}

export async function openPreview() {
  const day = $("#blog-day").value;
  shownDay = day;
  const dialog = $("#email-dialog");
  fill("#email-title", `The blog's email for ${fmt(`${day}T12:00:00Z`, { weekday: "long", day: "numeric", month: "long" })}`);
  fill("#email-frame-wrap");
  fill("#email-headers");
  $("#email-again").checked = false;
  if (!dialog.open) dialog.showModal();
  let listed = [];
  try {
    listed = (await api(`${inspectionPath("/distribution")}?min_position=${state.livePosition}`)).recipients;
  } catch (error) {
    toast(error.message, "error");
  }
  sendState.recipients = listed.length;
  const select = $("#email-copy");
  const people = listed.map((r) => [`recipient=${encodeURIComponent(r.email)}`,
    `${r.name} (${r.audience === "partners" ? "partner" : "war room"}): their own copy`]);
  fill(select, [...COPIES, ...people].map(([value, label]) => h("option", { value }, label)));
  select.value = COPIES[0][0];
  renderSendButton();
  await showCopy();
}

export async function showCopy() {
  const seq = ++previewSeq;
  const query = $("#email-copy").value;
  let message;
  try {
    message = await api(`${inspectionPath(`/blog/${shownDay}/email`)}?${query}&format=json`);
  } catch (error) {
    fill("#email-frame-wrap", h("p", { class: "error" }, error.message));
    return;
  }
  if (seq !== previewSeq) return;
  fill("#email-headers",
    h("dt", {}, "Subject"), h("dd", { class: "email-subject" }, message.subject),
    h("dt", {}, "To"), h("dd", {}, message.to === "undisclosed-recipients:;" ? "Each person on the list, one by one" : message.to));
  // No scripts in the frame (sandbox without allow-scripts). The page's own
  // policy forbids style attributes, and a srcdoc frame inherits it: the
  // email's inline styles are put on through the style objects instead.
  const frame = h("iframe", { class: "email-frame", title: "The email as it will look", sandbox: "allow-same-origin", referrerpolicy: "no-referrer" });
  frame.addEventListener("load", () => styleFrame(frame), { once: true });
  frame.srcdoc = message.html;
  fill("#email-frame-wrap", frame);
}

function styleFrame(frame) {
  const doc = frame.contentDocument;
  if (!doc) return;
  for (const el of doc.querySelectorAll("[style]")) el.style.cssText = el.getAttribute("style");
  for (const link of doc.querySelectorAll("a[href]")) link.setAttribute("target", "_blank");
  frame.style.height = `${Math.min(doc.documentElement.scrollHeight + 8, 2000)}px`;
}

export function renderSendButton() {
  const button = $("#email-send");
  const again = $("#email-again");
  const count = sendState.recipients;
  $("#email-again-row").hidden = !sendState.sent;
  if (!count) {
    button.disabled = true;
    button.textContent = "Nobody on the list";
    fill("#email-status", "Add people to the distribution list (on the plan page) first.");
    return;
  }
  if (sendState.sent) {
    button.textContent = "Send again";
    button.disabled = !again.checked;
    fill("#email-status", "This day's blog was already emailed. To send it again to everyone, tick the box first.");
  } else {
    button.textContent = `Send to ${plural(count, "person")}`.replace("persons", "people");
    button.disabled = false;
    fill("#email-status", "Each person gets their own copy: the war room's or the partners'.");
  }
}

export async function sendBlog() {
  const button = $("#email-send");
  const again = sendState.sent;
  if (again && !$("#email-again").checked) return;
  button.disabled = true;
  fill("#email-status", "Sending…");
  let answer;
  try {
    answer = await api(inspectionPath(`/blog/${shownDay}/send`), { method: "POST", json: again ? { again: true } : {} });
  } catch (error) {
    fill("#email-status", h("span", { class: "error" }, error.message));
    button.disabled = false;
    return;
  }
  sendState.sent = true;
  $("#email-again").checked = false;
  renderSendButton();
  fill("#email-status", `Sent to ${plural(answer.recipients.length, "recipient")} at ${fmtTime(new Date().toISOString())}.`);
  toast(`The blog went to ${plural(answer.recipients.length, "recipient")}.`);
}
