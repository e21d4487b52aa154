// KIT notes (their text, and their actions with who does them and whether
// they are done) and the lines of enquiry.

import { api, inspectionPath } from "../api.js";
import { openForm } from "../dialog.js";
import { $, debounce, fill, h, offeredButton, whoWords } from "../dom.js";
import { eventsUpTo } from "../events.js";
import { answerLineForm, lineOwnerForm, kitActionAssignForm, kitActionCommand, kitActionDoneForm } from "../forms.js";
import { pastQuery, state } from "../state.js";
import { fmtDayTime, fmtHappened } from "../time.js";

let kitSeq = 0;

// With the server's KIT-notes read (it has the action commands), the notes
// come from there; without it, from the log kept in the page.
export function renderKit() {
  if (kitActionCommand("assign")) {
    readKitNotesSoon();
    return;
  }
  drawKit(notesFromLog(), false);
}

const readKitNotesSoon = debounce(readKitNotes, 100);

async function readKitNotes() {
  const seq = ++kitSeq;
  const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
  try {
    const answer = await api(`${inspectionPath("/kit-notes")}?${when}`);
    if (seq === kitSeq) drawKit(answer.kit_notes, true);
  } catch {
    if (seq === kitSeq) drawKit(notesFromLog(), false);
  }
}

function notesFromLog() {
  const events = eventsUpTo(state.past);
  const titles = new Map();
  for (const e of events) if (e.type === "MeetingScheduled") titles.set(e.aggregate_id, e.data.title);
  const counts = new Map();
  return events.filter((e) => e.type === "KitNoteRecorded").map((e) => {
    const first = counts.get(e.aggregate_id) || 0;
    counts.set(e.aggregate_id, first + (e.data.actions || []).length);
    return {
      meeting_id: e.aggregate_id,
      meeting_title: titles.get(e.aggregate_id) || "KIT meeting",
      text: e.data.text,
      recorded_at: e.occurred_at || e.recorded_at,
      written_at: e.recorded_at,
      by: whoWords(e.actor_name),
      actions: (e.data.actions || []).map((text, i) => ({ n: first + i, text, owner: null, done: false, note: null })),
    };
  });
}

function drawKit(notes, tracked) {
  const newest = [...notes].sort((a, b) => Date.parse(b.recorded_at) - Date.parse(a.recorded_at));
  fill("#kit-body", newest.length
    ? h("ul", { class: "kit-notes" }, newest.map((note) => h("li", { class: "kit-note" },
      h("div", { class: "card-meta" }, `${note.meeting_title} · ${note.by} · ${fmtHappened(note.recorded_at, note.written_at)}`),
      h("p", { class: "kit-text" }, note.text),
      note.actions.length ? h("ul", { class: "kit-actions" }, note.actions.map((action) =>
        h("li", { class: action.done ? "done" : "", dataset: { n: action.n, kitMeetingId: note.meeting_id } },
          h("div", { class: "card-title" }, action.text, action.done ? h("span", { class: "tag done" }, "Done") : null),
          tracked ? h("div", { class: "card-meta" },
            // Done without an owner: who did it says enough.
            action.owner ? `with ${action.owner}` : action.done ? `done${action.done_by ? ` by ${whoWords(action.done_by)}` : ""}` : "not given to anyone yet",
            action.note ? ` · ${action.note}` : "") : null,
          tracked ? h("div", { class: "row-actions" },
            offeredButton(action, kitActionCommand("assign"), action.owner ? "Reassign" : "Assign",
              () => openForm(kitActionAssignForm(note, action)), { class: "small act-kit-assign" }),
            offeredButton(action, kitActionCommand("done"), "Done",
              () => openForm(kitActionDoneForm(note, action)), { class: "small act-kit-done" })) : null))) : null)))
    : h("p", { class: "empty" }, "No KIT notes yet."));
}

function evidenceWords(count) {
  if (!count) return "no evidence yet";
  return count === 1 ? "1 piece of evidence" : `${count} pieces of evidence`;
}

export function renderLinesOfEnquiry(answer) {
  const open = answer.lines_of_enquiry.filter((l) => !l.answered);
  $("#enquiries-summary").textContent = `${open.length} open of ${answer.lines_of_enquiry.length}`;
  fill("#enquiries-body", open.length
    ? h("ul", { class: "enquiries" }, open.map((line) => h("li", { dataset: { lineId: line.id } },
      h("div", { class: "card-title" }, line.title),
      h("div", { class: "card-meta" },
        `${line.owner ? `owner ${line.owner}` : "no owner yet"} · raised by ${line.raised_by}, `
          + `${fmtDayTime(line.raised_at)} · ${evidenceWords(line.evidence.length)}`),
      h("div", { class: "row-actions" },
        offeredButton(line, "lineOwner", line.owner ? "Change owner" : "Set its owner", () => openForm(lineOwnerForm(line))),
        offeredButton(line, "answerLine", "Answer", () => openForm(answerLineForm(line)))))))
    : h("p", { class: "empty" }, "No open lines of enquiry."));
}
