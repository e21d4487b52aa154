// The day's blog, as prose: the communication lead's posts, then the day's
// story from the log, with names, never ids.

import { api, inspectionPath } from "../api.js";
import { VALUE_WORDS } from "../config.js";
import { $, fill, h, inspectorName, lowerFirst, whoWords, words } from "../dom.js";
import { offered } from "../forms.js";
import { pastQuery, state } from "../state.js";
import { blogEmailStatus } from "./mail.js";
import { showPreviewButton } from "./blog_send.js";
import { fmt, fmtHappened, fmtTime, todayInZone } from "../time.js";

let blogSeq = 0;

export function blogDay() {
  const input = $("#blog-day");
  if (!input.value) input.value = todayInZone();
  return input.value;
}

export async function renderBlog() {
  const seq = ++blogSeq;
  const day = blogDay();
  const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
  let answer;
  try {
    answer = await api(`${inspectionPath(`/blog/${day}`)}?${when}`);
  } catch (error) {
    fill("#blog-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (seq !== blogSeq) return;
  // Writing the day's post and closing the day: as the server offers them.
  for (const action of ["blogPost", "closeDay"]) {
    for (const button of document.querySelectorAll(`button.action[data-action=${action}]`)) {
      button.hidden = !offered(answer, action);
    }
  }
  showPreviewButton(answer);
  const dayWords = fmt(`${day}T12:00:00Z`, { weekday: "long", day: "numeric", month: "long" });
  const entry = (e, text) => h("li", {}, h("span", { class: "feed-time" }, fmtHappened(e.at, e.recorded_at, fmtTime)), " ", text, h("span", { class: "muted" }, ` (${whoWords(e.by)})`));
  const medium = (m) => lowerFirst((VALUE_WORDS.media || {})[m] || words(m || ""));
  const section = (title, items) => (items.length ? [h("h3", {}, title), h("ul", { class: "blog-list" }, items)] : []);
  fill("#blog-body",
    h("h2", { class: "blog-day" }, dayWords),
    blogEmailStatus(day, answer.email),
    answer.posts.length
      ? answer.posts.map((post) => h("section", { class: "post" },
        h("h3", { class: "post-title" }, post.title),
        post.body.split(/\n{2,}/).map((para) => h("p", {}, para)),
        h("p", { class: "muted" }, `By ${post.by}`)))
      : h("p", { class: "empty" }, "No post for this day yet."),
    section("Meetings held", answer.meetings_held.map((m) =>
      h("li", {}, `${fmtTime(m.starts_at)}–${fmtTime(m.ends_at)} ${m.title}, ${m.venue}${m.cancelled ? " (cancelled)" : ""}`))),
    section("Meetings moved", answer.meetings_moved.map((e) => entry(e,
      `${e.subject}${e.data.venue ? ` to ${e.data.venue}` : ""}${e.data.starts_at ? ` to ${fmtTime(e.data.starts_at)}` : ""}`))),
    section("Meetings cancelled", answer.meetings_cancelled.map((e) => entry(e, `${e.subject}${e.data.reason ? `: ${e.data.reason}` : ""}`))),
    section("Requests in", answer.requests_in.map((e) => entry(e, e.subject))),
    section("Released", answer.requests_released.map((e) => entry(e,
      `${e.subject} to ${inspectorName(e.data.to)}, ${medium(e.data.medium)}`))),
    section("Case copies released", (answer.case_copies_released || []).map((e) => entry(e,
      `${e.subject} to ${e.to_name || inspectorName(e.data.to)}, ${medium(e.data.medium)}`))),
    section("Declined or withdrawn", answer.requests_declined.map((e) => entry(e, `${e.subject}${e.data.reason ? `: ${e.data.reason}` : ""}`))),
    section("Still open", answer.requests_still_open.map((r) => h("li", {}, r.title))),
    section("KIT points", answer.kit_points.map((e) => entry(e, `${e.subject}: ${e.data.text || ""}`))),
    section("Lines of enquiry raised", answer.lines_of_enquiry_raised.map((e) => entry(e, e.subject))),
    section("Cases browsed", answer.cases_browsed.map((c) => h("li", {}, `${c.case}: ${c.times === 1 ? "once" : `${c.times} times`}`))),
    section("Playbook tasks done", (answer.tasks_done || []).map((e) => entry(e, `${e.subject}${e.data.note ? `: ${e.data.note}` : ""}`))),
    section("Debriefs", (answer.debriefs || []).map((e) => entry(e, `${e.subject}${e.data.concerns ? `, concerns: ${e.data.concerns}` : ""}`))),
    section("Tomorrow", answer.tomorrow.map((m) => h("li", {}, `${fmtTime(m.starts_at)} ${m.title}, ${m.venue}`))),
    answer.seal
      ? h("section", { class: "seal" }, h("h3", {}, "Day closed and sealed"),
        h("p", { class: "muted" }, "The signed checkpoint of the log when the day was closed:"),
        h("pre", { class: "seal-text" }, answer.seal),
        answer.closed?.early_reason
          ? h("p", { class: "closed-early" }, `Closed before its last meeting ended, by ${answer.closed.by}: ${answer.closed.early_reason}`)
          : null)
      : h("p", { class: "muted open-day" }, "This day is not closed yet."));
}
