// The daily blog by email (issue 13): the mail bar (the newest send, from
// the log the page holds: a failure in red with its reason, live from the
// stream; a success with a link to the .eml the outbox holds), and the
// distribution list for the roles that may keep it.

import { api, inspectionPath, withSession } from "../api.js";
import { openForm, toast } from "../dialog.js";
import { $, actionButton, fill, h, offeredButton, plural } from "../dom.js";
import { eventsUpTo } from "../events.js";
import { addRecipientForm, removeRecipientForm } from "../forms.js";
import { mayRun } from "../meta.js";
import { state } from "../state.js";
import { fmt, fmtTime } from "../time.js";

const dayWords = (day) => (day ? fmt(`${day}T12:00:00Z`, { weekday: "long", day: "numeric", month: "long" }) : "the day");

const SEND_EVENTS = ["BlogSendClaimed", "BlogSent", "BlogSendFailed"];

export function renderMailBar() {
  const bar = $("#mail-bar");
  const sends = eventsUpTo(state.past).filter((e) => SEND_EVENTS.includes(e.type));
  const last = sends.at(-1);
  if (!last || last.type === "BlogSendClaimed") {
    bar.hidden = true;
    return;
  }
  const claim = sends.find((e) => e.type === "BlogSendClaimed" && e.aggregate_id === last.aggregate_id);
  const day = claim ? claim.data.day : "";
  bar.hidden = false;
  if (last.type === "BlogSendFailed") {
    bar.className = "mail-bar failed";
    bar.setAttribute("role", "alert");
    fill(bar, `The blog for ${dayWords(day)} was NOT sent (${last.data.tries} ${last.data.tries === 1 ? "try" : "tries"}): ${last.data.reason}`);
    return;
  }
  bar.className = "mail-bar sent";
  bar.setAttribute("role", "status");
  const where = last.data.via === "outbox" ? "to the outbox" : "by email";
  const open = last.data.outbox_file
    ? [" · ", h("a", { href: "#", onclick: (event) => { event.preventDefault(); openLatestEmail(day); } }, "open the email")]
    : [];
  fill(bar, `The blog for ${dayWords(day)} went ${where} to ${plural(last.data.recipients.length, "recipient")} at ${fmtTime(last.recorded_at)}`, ...open);
}

// Fetch the .eml, then hand it over as a download.
export async function openLatestEmail(day) {
  let response;
  try {
    response = await fetch(`/api${inspectionPath(`/blog/${day}/email`)}`, withSession());
  } catch {
    toast("The server could not be reached. Try again.", "error");
    return;
  }
  if (!response.ok) {
    toast("The outbox no longer holds that email.", "error");
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: `blog-${day}.eml`, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

// The blog read's own word on the day's email: each attempt, a failure in red.
export function blogEmailStatus(day, email) {
  if (!email || !email.attempts.length) return h("p", { class: "muted mail-status" }, "Not emailed yet.");
  const last = email.attempts.at(-1);
  const text = {
    sending: "Being sent now.",
    sent: `Emailed to ${plural(last.recipients.length, "recipient")}${last.via === "outbox" ? " (into the outbox)" : ""}`
      + ` at ${fmtTime(last.ended_at || last.claimed_at)}.`,
    failed: `NOT sent (${last.tries} ${last.tries === 1 ? "try" : "tries"}): ${last.reason}`,
  }[last.status] || last.status;
  return h("p", { class: `mail-status ${last.status}` }, text,
    last.status === "sent" && last.outbox_file
      ? [" ", h("a", { href: "#", onclick: (event) => { event.preventDefault(); openLatestEmail(day); } }, "Open the email")]
      : null);
}

export async function renderDistribution() {
  const section = $("#plan-distribution");
  section.hidden = !mayRun("AddRecipient");
  if (section.hidden) return;
  let answer;
  try {
    answer = await api(`${inspectionPath("/distribution")}?min_position=${state.livePosition}`);
  } catch (error) {
    fill("#distribution-body", h("p", { class: "error" }, error.message));
    return;
  }
  fill("#distribution-body",
    h("p", {}, actionButton("addRecipient", "Add someone", () => openForm(addRecipientForm()), { class: "small act-addRecipient" })),
    answer.recipients.length
      ? h("ul", { class: "plain-list recipients" }, answer.recipients.map((r) => h("li", { class: "recipient" },
        `${r.name} <${r.email}>${r.group ? ` (${r.group})` : ""} `,
        h("span", { class: "muted audience" }, r.audience === "partners" ? "partner's copy " : "war room's copy "),
        state.past === null
          ? offeredButton(r, "removeRecipient", "Remove", () => openForm(removeRecipientForm(r)))
          : null)))
      : h("p", { class: "empty" }, "Nobody on the list yet."));
}
