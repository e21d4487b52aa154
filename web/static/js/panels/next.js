// My day's first lines (issue 25): the person's next meeting and what is
// overdue in their hands, before anything else, so a phone's first screen
// shows them. In their hands: the requests they are preparing (assigned to
// them and not yet attached: once attached, the next move is another's) and
// the playbook tasks given to them.

import { fill, h } from "../dom.js";
import { state } from "../state.js";
import { fmtDayTime, fmtTime, zonedParts } from "../time.js";
import { ageOf, ageWords, requestDetail } from "./requests.js";

// `agenda`: GET .../agenda/{me}; `playbook`: GET .../playbook, or null when
// it could not be read (the meeting is still worth showing).
export function renderNext(agenda, playbook) {
  const now = Date.now();
  const next = agenda.meetings
    .filter((m) => !m.cancelled && Date.parse(m.ends_at) > now)
    .sort((a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at))[0];
  const requests = overdueRequests();
  const tasks = overdueTasks(playbook);
  const count = requests.length + tasks.length;
  fill("#day-next",
    h("div", { class: "next-meeting" },
      h("h3", {}, "Your next meeting"),
      next ? meetingLine(next, now) : h("p", { class: "empty" }, "No more meetings for you.")),
    h("div", { class: `next-overdue${count ? " late" : ""}` },
      h("h3", {}, count ? `Overdue in your hands: ${count}` : "Overdue in your hands"),
      count
        ? h("ul", { class: "plain-list overdue-list" }, requests.map(requestLine), tasks.map(taskLine))
        : h("p", { class: "empty" }, "Nothing overdue in your hands.")));
}

function meetingLine(meeting, now) {
  const today = zonedParts(new Date(now)).day === zonedParts(new Date(meeting.starts_at)).day;
  const started = Date.parse(meeting.starts_at) <= now;
  const when = `${today ? `Today ${fmtTime(meeting.starts_at)}` : fmtDayTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)}`;
  return h("p", { class: "next-line", dataset: { meetingId: meeting.id } },
    h("strong", { class: "next-when" }, started ? `Now, until ${fmtTime(meeting.ends_at)}` : when),
    " ", h("span", { class: "next-title" }, meeting.title),
    h("span", { class: "next-where" }, ` · ${meeting.venue}`));
}

function overdueRequests() {
  const all = state.data.requests?.requests || [];
  return all.filter((r) => r.state === "assigned" && r.assignee === state.me.id && ageOf(r).overdue)
    .sort((a, b) => Date.parse(a.due_at) - Date.parse(b.due_at));
}

function overdueTasks(playbook) {
  const mine = (owner) => (owner || "").trim().toLowerCase() === state.me.name.trim().toLowerCase();
  return (playbook?.tasks || []).filter((t) => t.overdue && !t.done && mine(t.owner));
}

function requestLine(request) {
  return h("li", { class: "overdue-item", dataset: { requestId: request.id } },
    h("span", { class: "tag overdue" }, "Overdue"), " ",
    h("strong", {}, request.title), h("span", { class: "muted" }, ` · ${ageWords(request)}`), " ",
    h("button", { type: "button", class: "small act-details", onclick: () => requestDetail(request) }, "Details"));
}

function taskLine(task) {
  const due = task.due ? `due ${fmtDayTime(task.due)}` : "its phase has passed";
  return h("li", { class: "overdue-item", dataset: { taskId: task.id } },
    h("span", { class: "tag overdue" }, "Overdue"), " ",
    h("strong", {}, task.title), h("span", { class: "muted" }, ` · playbook task, ${due}`));
}
