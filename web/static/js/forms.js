// Command forms: each is a spec; one dialog (dialog.js) shows any of them.
//
// A spec names the command it sends (COMMAND_HANDLERS' model name, as
// GET /api/meta lists them), its fields, and how to build the body. The path
// comes from the server's own table through meta.js. COMMAND_FORMS below is
// the registry: a test fails if the server has a command with no form here.

import { api } from "./api.js";
import { VALUE_WORDS } from "./config.js";
import { words } from "./dom.js";
import { commandByPath, meta, mayRun, values } from "./meta.js";
import { afterUserChange } from "./panels/admin.js";
import { chooseInspection } from "./session.js";
import { state } from "./state.js";
import { refreshView } from "./views.js";
import { showLinkBox } from "./linkbox.js";
import { fmtDayTime, fmtTime, todayInZone, zonedParts, zonedToIso } from "./time.js";

export function inspectorOptions() {
  return (state.inspection?.inspectors || []).map((i) => [i.id, i.name]);
}

// A value list of the server's, as [value, words] options.
export function options(list) {
  const named = VALUE_WORDS[list] || {};
  return values(list).map((v) => [v, named[v] || words(v)]);
}

export function lines(text) {
  return String(text || "").split("\n").map((l) => l.trim()).filter(Boolean);
}

// The ids every command path of this inspection needs, and more.
function ids(extra = {}) {
  return { inspection_id: state.inspectionId, ...extra };
}

// A time before now, in words, so the person can think again before sending.
function pastWarning(iso, what) {
  if (!iso || Date.parse(iso) >= Date.now()) return null;
  return `The ${what} (${fmtDayTime(iso)}) is in the past. If that is right, press the button again to send it.`;
}

// --- requests -------------------------------------------------------------

export function recordRequestForm() {
  return {
    command: "RecordRequest",
    title: "Record a request",
    about: "What an inspector asked for, who asked, how and by when.",
    fields: [
      { name: "title", label: "What was asked for", maxlength: 200, required: true },
      { name: "requested_by", label: "Asked by", type: "select", options: inspectorOptions(), required: true },
      { name: "channel", label: "How it was asked", type: "select", options: options("channels"), required: true },
      { name: "due_day", label: "Due day (optional)", type: "date" },
      { name: "due_time", label: "Due time", type: "time", value: "17:00" },
      { name: "detail", label: "Detail (optional)", type: "textarea" },
      openLineOptions().length
        ? { name: "line_of_enquiry", label: "Line of enquiry it answers (optional)", type: "select",
          options: [["", "None"], ...openLineOptions()] }
        : null,
    ].filter(Boolean),
    apiFields: { due_at: "due_day" },
    submitLabel: "Record request",
    build: (v) => ({
      ids: ids(),
      json: {
        title: v.title, requested_by: v.requested_by, channel: v.channel,
        due_at: v.due_day ? zonedToIso(v.due_day, v.due_time || "17:00") : null,
        detail: v.detail || null,
        ...(v.line_of_enquiry ? { line_of_enquiry: v.line_of_enquiry } : {}),
      },
    }),
  };
}

// The open lines of enquiry, as [id, title] options (a request answers one).
export function openLineOptions(except = null) {
  return (state.data.lines_of_enquiry?.lines_of_enquiry || [])
    .filter((line) => !line.answered && line.id !== except)
    .map((line) => [line.id, line.title]);
}

// The title of a line of enquiry the page has read, or null.
export function lineTitle(lineId) {
  const line = (state.data.lines_of_enquiry?.lines_of_enquiry || []).find((l) => l.id === lineId);
  return line ? line.title : null;
}

// File a request under an open line of enquiry (issue 25), from its details.
export function linkLineForm(request) {
  const now = request.line_of_enquiry ? lineTitle(request.line_of_enquiry) : null;
  return {
    command: "LinkRequestToLineOfEnquiry",
    title: "Link to a line of enquiry",
    about: `${request.title}${now ? `: now under “${now}”` : ""}. The request becomes evidence for the line you choose.`,
    fields: [
      { name: "line_of_enquiry", label: "Line of enquiry", type: "select",
        options: openLineOptions(request.line_of_enquiry), required: true },
    ],
    submitLabel: "Link",
    version: request.version,
    build: (v) => ({ ids: ids({ request_id: request.id }), json: { line_of_enquiry: v.line_of_enquiry } }),
  };
}

export function takeForm(request) {
  return {
    command: "AssignRequest",
    title: "Take this request",
    about: `${request.title}: you become its preparer.`,
    fields: [],
    submitLabel: "Take it",
    version: request.version,
    build: () => ({ ids: ids({ request_id: request.id }), json: { assignee: state.me.id } }),
  };
}

// Assign to a named preparer: anyone whose role may attach documents.
export async function assignForm(request) {
  const preparerRoles = meta.commands.get("AttachDocument")?.roles || [];
  const { users } = await api("/users");
  const preparers = users.filter((u) => preparerRoles.includes(u.role));
  return {
    command: "AssignRequest",
    title: "Assign a preparer",
    about: `${request.title}${request.assignee_name ? `, now with ${request.assignee_name}` : ""}.`,
    fields: [
      { name: "assignee", label: "Preparer", type: "select", required: true,
        options: preparers.map((u) => [u.id, `${u.name} (${words(u.role).toLowerCase()})`]),
        value: request.assignee || "" },
    ],
    submitLabel: "Assign",
    version: request.version,
    build: (v) => ({ ids: ids({ request_id: request.id }), json: { assignee: v.assignee } }),
  };
}

export function attachForm(request) {
  const current = Number.parseInt(request.document?.version ?? "0", 10);
  return {
    command: "AttachDocument",
    title: "Attach a document",
    about: `${request.title}. Attaching a new version voids any approval.`,
    fields: [
      { name: "file", label: "Document", type: "file", required: true },
      { name: "version", label: "Version", maxlength: 40, required: true,
        value: Number.isFinite(current) ? String(current + 1) : "" },
    ],
    submitLabel: "Attach",
    version: request.version,
    build: (v, form) => {
      const body = new FormData();
      body.append("file", form.elements.file.files[0]);
      body.append("version", v.version);
      return { ids: ids({ request_id: request.id }), form: body };
    },
  };
}

export function confirmDocForm(request, step) {
  const doc = request.document;
  const title = step === "approve" ? "Approve this version" : "Final check";
  const about = step === "approve"
    ? "Approve exactly this version for release. The person who attached it may not approve it."
    : "Confirm this is the current, up-to-date version, as approved.";
  return {
    command: step === "approve" ? "ApproveDocument" : "CheckDocument",
    title,
    about: `${request.title}: ${doc.name} version ${doc.version} (SHA-256 ${doc.sha256.slice(0, 12)}…). ${about}`,
    fields: [],
    submitLabel: step === "approve" ? "Approve" : "Checked",
    version: request.version,
    build: () => ({ ids: ids({ request_id: request.id }), json: { sha256: doc.sha256 } }),
  };
}

export function releaseForm(request) {
  const doc = request.document;
  return {
    command: "ReleaseDocument",
    title: "Release to the inspectors",
    about: `${request.title}: ${doc.name} version ${doc.version}, as approved and checked. `
      + "It goes into the hand-over ledger.",
    fields: [
      { name: "to", label: "Released to", type: "select", options: inspectorOptions(), value: request.requested_by,
        required: true },
      { name: "medium", label: "How", type: "select", options: options("media"), required: true },
    ],
    submitLabel: "Release",
    version: request.version,
    build: (v) => ({
      ids: ids({ request_id: request.id }),
      json: { sha256: doc.sha256, to: v.to, medium: v.medium },
    }),
  };
}

const REASONED = {
  DeclineRequest: ["Decline or push back", "Decline", "Why it is declined or pushed back"],
  WithdrawRequest: ["The inspector withdrew it", "Withdrawn", "What the inspector said"],
  EscalateRequest: ["Escalate to the lead inspector", "Escalate", "Why it is escalated"],
};

export function reasonForm(request, command) {
  const [title, submitLabel, label] = REASONED[command];
  return {
    command,
    title,
    about: `${request.title}.`,
    fields: [{ name: "reason", label, type: "textarea", required: true }],
    submitLabel,
    version: request.version,
    build: (v) => ({ ids: ids({ request_id: request.id }), json: { reason: v.reason } }),
  };
}

// --- meetings -------------------------------------------------------------

export function scheduleMeetingForm() {
  const day = document.querySelector("#schedule-day")?.value || todayInZone();
  return {
    command: "ScheduleMeeting",
    title: "Schedule a meeting",
    about: "Times are in the inspection's time zone. Clashes are warned of, not refused.",
    fields: [
      { name: "title", label: "Title", maxlength: 200, required: true },
      { name: "kind", label: "Kind", type: "select", options: options("meeting_kinds"), required: true },
      { name: "day", label: "Day", type: "date", value: day, required: true },
      { name: "start", label: "Start", type: "time", value: "10:00", required: true },
      { name: "end", label: "End", type: "time", value: "11:00", required: true },
      { name: "venue", label: "Venue", maxlength: 200, required: true },
      { name: "inspectors", label: "Inspectors", type: "checkboxes", options: inspectorOptions() },
      { name: "attendees", label: "Attendees, one per line", type: "textarea" },
      { name: "topics", label: "Topics to prepare, one per line", type: "textarea" },
    ],
    apiFields: { starts_at: "start", ends_at: "end" },
    submitLabel: "Schedule",
    check: (v) => pastWarning(zonedToIso(v.day, v.start), "start"),
    build: (v) => ({
      ids: ids(),
      json: {
        title: v.title, kind: v.kind, venue: v.venue,
        starts_at: zonedToIso(v.day, v.start), ends_at: zonedToIso(v.day, v.end),
        inspectors: v.inspectors, attendees: lines(v.attendees), topics: lines(v.topics),
      },
    }),
  };
}

export function rescheduleForm(meeting) {
  const start = zonedParts(new Date(meeting.starts_at));
  const end = zonedParts(new Date(meeting.ends_at));
  return {
    command: "RescheduleMeeting",
    title: "Reschedule",
    about: `${meeting.title}, now ${fmtDayTime(meeting.starts_at)}–${fmtTime(meeting.ends_at)}.`,
    fields: [
      { name: "day", label: "Day", type: "date", value: start.day, required: true },
      { name: "start", label: "Start", type: "time", value: start.time, required: true },
      { name: "end", label: "End", type: "time", value: end.time, required: true },
      { name: "reason", label: "Why it changed", type: "textarea", required: true },
    ],
    apiFields: { starts_at: "start", ends_at: "end" },
    submitLabel: "Reschedule",
    version: meeting.version,
    check: (v) => pastWarning(zonedToIso(v.day, v.start), "new start"),
    build: (v) => ({
      ids: ids({ meeting_id: meeting.id }),
      json: { starts_at: zonedToIso(v.day, v.start), ends_at: zonedToIso(v.day, v.end), reason: v.reason },
    }),
  };
}

export function moveForm(meeting) {
  return {
    command: "MoveMeeting",
    title: "Change room",
    about: `${meeting.title}, now in ${meeting.venue}.`,
    fields: [{ name: "venue", label: "New room", maxlength: 200, required: true }],
    submitLabel: "Move",
    version: meeting.version,
    build: (v) => ({ ids: ids({ meeting_id: meeting.id }), json: { venue: v.venue } }),
  };
}

export function attendeesForm(meeting) {
  return {
    command: "ChangeAttendees",
    title: "Add or remove attendees",
    about: `${meeting.title}: now ${meeting.attendees.join(", ") || "nobody from the council"}.`,
    fields: [
      { name: "add", label: "Add, one per line", type: "textarea" },
      { name: "remove", label: "Remove", type: "checkboxes", options: meeting.attendees.map((a) => [a, a]) },
    ],
    submitLabel: "Change attendees",
    version: meeting.version,
    build: (v) => ({ ids: ids({ meeting_id: meeting.id }), json: { add: lines(v.add), remove: v.remove } }),
  };
}

export function topicsForm(meeting) {
  return {
    command: "ChangeTopics",
    title: "Change the topics",
    about: `${meeting.title}: what to prepare.`,
    fields: [{ name: "topics", label: "Topics, one per line", type: "textarea", value: meeting.topics.join("\n") }],
    submitLabel: "Save topics",
    version: meeting.version,
    build: (v) => ({ ids: ids({ meeting_id: meeting.id }), json: { topics: lines(v.topics) } }),
  };
}

export function cancelForm(meeting) {
  return {
    command: "CancelMeeting",
    title: "Cancel the meeting",
    about: `${meeting.title}, ${fmtDayTime(meeting.starts_at)}, ${meeting.venue}.`,
    fields: [{ name: "reason", label: "Why it is cancelled", type: "textarea", required: true }],
    submitLabel: "Cancel the meeting",
    version: meeting.version,
    build: (v) => ({ ids: ids({ meeting_id: meeting.id }), json: { reason: v.reason } }),
  };
}

export function kitNoteForm(meeting) {
  const meetings = (state.data.schedule?.meetings || []).filter((m) => !m.cancelled);
  const kits = meetings.filter((m) => m.kind === "kit");
  const choices = (kits.length ? kits : meetings).map((m) => [m.id, `${fmtTime(m.starts_at)} ${m.title}`]);
  return {
    command: "RecordKitNote",
    title: "Note a KIT point",
    about: "What the lead inspector said. Actions go to the rapid response team.",
    fields: [
      meeting ? null : { name: "meeting", label: "Meeting", type: "select", options: choices, required: true },
      { name: "text", label: "Note", type: "textarea", required: true },
      { name: "actions", label: "Actions, one per line", type: "textarea" },
      { name: "lines_of_enquiry", label: "New lines of enquiry, one per line", type: "textarea" },
    ].filter(Boolean),
    submitLabel: "Record note",
    build: (v) => ({
      ids: ids({ meeting_id: meeting ? meeting.id : v.meeting }),
      json: { text: v.text, actions: lines(v.actions), lines_of_enquiry: lines(v.lines_of_enquiry) },
    }),
  };
}

// KIT actions: n is the action's index among the meeting's KIT-note actions.
// Given to someone who may mark it done: the roles the server names for
// that (GET /api/meta), by name, as the command takes them.
export async function kitActionAssignForm(note, action) {
  const doers = meta.commands.get(kitActionCommand("done"))?.roles || [];
  const { users } = await api("/users");
  const people = users.filter((u) => doers.includes(u.role) && u.name !== action.owner);
  return {
    command: kitActionCommand("assign"),
    title: action.owner ? "Give a KIT action to someone else" : "Assign a KIT action",
    about: `${action.text} (${note.meeting_title})${action.owner ? `, now with ${action.owner}` : ""}. `
      + "They mark it done when it is.",
    fields: [{ name: "owner", label: "Who does it", type: "select", required: true,
      options: people.map((u) => [u.name, `${u.name} (${words(u.role).toLowerCase()})`]) }],
    submitLabel: "Assign",
    build: (v) => ({ ids: ids({ _rest: [note.meeting_id, action.n] }), json: { owner: v.owner } }),
  };
}

export function kitActionDoneForm(note, action) {
  return {
    command: kitActionCommand("done"),
    title: "Mark a KIT action done",
    about: `${action.text} (${note.meeting_title}).`,
    fields: [{ name: "note", label: "Note (optional)", type: "textarea" }],
    submitLabel: "Done",
    build: (v) => ({ ids: ids({ _rest: [note.meeting_id, action.n] }), json: { note: v.note || null } }),
  };
}

// The KIT action commands, found by where they are sent.
export function kitActionCommand(step) {
  return commandByPath(`/kit-actions/{n}/${step}`);
}

// --- lines of enquiry -----------------------------------------------------

export function raiseLineForm() {
  return {
    command: "RaiseLineOfEnquiry",
    title: "Raise a line of enquiry",
    about: "A key line of enquiry the inspectors are following.",
    fields: [
      { name: "title", label: "Line of enquiry", maxlength: 200, required: true },
      { name: "owner", label: "Owner (optional)", maxlength: 120 },
    ],
    submitLabel: "Raise",
    build: (v) => ({ ids: ids(), json: { title: v.title, owner: v.owner || null } }),
  };
}

export function lineOwnerForm(line) {
  return {
    command: "AssignLineOfEnquiry",
    title: "Set the line's owner",
    about: `${line.title}: who follows it up.`,
    fields: [{ name: "owner", label: "Owner", maxlength: 120, required: true, value: line.owner || "" }],
    submitLabel: "Save",
    version: line.version,
    build: (v) => ({ ids: ids({ line_id: line.id }), json: { owner: v.owner } }),
  };
}

export function answerLineForm(line) {
  return {
    command: "AnswerLineOfEnquiry",
    title: "Answer a line of enquiry",
    about: `${line.title}.`,
    fields: [{ name: "response", label: "Answer", type: "textarea", required: true }],
    submitLabel: "Answer",
    build: (v) => ({ ids: ids({ line_id: line.id }), json: { response: v.response } }),
  };
}

// --- cases ----------------------------------------------------------------

// A case beyond the template's sample needs a reason (409 sample_full
// without one): the form reads the board first, and asks when it is full.
export async function selectCaseForm() {
  const board = await api(`/inspections/${encodeURIComponent(state.inspectionId)}/cases`);
  const sample = board.sample || {};
  const full = (selection) => (board.counts[selection] || 0) >= (sample[selection] ?? Infinity);
  const fullOnes = Object.keys(sample).filter(full);
  const sampleWords = (selection) => `The sample of ${selection} cases is full (${board.counts[selection]} of ${sample[selection]})`;
  return {
    command: "SelectCase",
    title: "Select a case",
    about: "A pseudonymous reference only, never a child's name."
      + fullOnes.map((s) => ` ${sampleWords(s)}: a case beyond it needs a reason.`).join(""),
    check: (v) => (full(v.selection) && !v.over_reason
      ? `${sampleWords(v.selection)}. Say why this case is selected beyond it.` : null),
    fields: [
      { name: "ref", label: "Case reference", maxlength: 40, required: true },
      { name: "selection", label: "Selected for", type: "select", options: options("selections"), required: true },
      { name: "plan", label: "Plan", type: "select", options: options("plans"), required: true },
      { name: "social_worker", label: "Social worker (optional)", maxlength: 120 },
      { name: "team_manager", label: "Team manager (optional)", maxlength: 120 },
      { name: "iro", label: "IRO (optional)", maxlength: 120 },
      ...(fullOnes.length
        ? [{ name: "over_reason", label: "Why beyond the sample (needed when its sample is full)", type: "textarea" }]
        : []),
    ],
    submitLabel: "Select",
    build: (v) => ({
      ids: ids(),
      json: {
        ref: v.ref, selection: v.selection, plan: v.plan, social_worker: v.social_worker || null,
        team_manager: v.team_manager || null, iro: v.iro || null,
        ...(v.over_reason ? { over_reason: v.over_reason } : {}),
      },
    }),
  };
}

// Every party told in one go (issue 25): a box for each not yet notified,
// none ticked; all are recorded together, or none.
export function notifyForm(c) {
  const named = VALUE_WORDS.parties;
  const left = c.not_yet_notified.map((p) => [p, named[p] || words(p)]);
  return {
    command: "NotifyCaseParty",
    title: "Record notifications",
    about: `${c.ref}: tick everyone who has been told the case is selected.`,
    fields: [{ name: "parties", label: "Who was notified", type: "checkboxes", options: left }],
    unchosen: (v) => (v.parties.length ? null
      : { message: "Please tick who was notified.", fields: ["parties"] }),
    submitLabel: "Record",
    build: (v) => ({ ids: ids({ case_id: c.id }), json: { parties: v.parties } }),
  };
}

export function judgeForm(c) {
  return {
    command: "JudgeCase",
    title: "Record the inspector's judgement",
    about: `${c.ref} (${c.plan}): the judgement the inspector gave the case.`,
    fields: [{ name: "judgement", label: "Judgement", type: "select", options: options("judgements"), value: c.judgement,
      required: true }],
    submitLabel: "Record",
    build: (v) => ({ ids: ids({ case_id: c.id }), json: { judgement: v.judgement } }),
  };
}

export function caseBrowsedForm(chosen) {
  const cases = [...(state.data.cases?.cases || [])].sort((a, b) => a.ref.localeCompare(b.ref));
  return {
    command: "RecordCaseBrowsed",
    title: "Record a case browsed",
    about: "Which case, and which of its documents, an inspector looked at.",
    fields: [
      { name: "case", label: "Case", type: "select", options: cases.map((c) => [c.id, `${c.ref} (${c.plan})`]),
        value: chosen?.id, required: true },
      { name: "inspector", label: "Inspector", type: "select", options: inspectorOptions(), required: true },
      { name: "item", label: "What they looked at", maxlength: 200, value: "case file", required: true },
    ],
    submitLabel: "Record",
    build: (v) => ({ ids: ids({ case_id: v.case }), json: { inspector: v.inspector, item: v.item } }),
  };
}

// --- blog, briefings, the inspection ------------------------------------

export function blogPostForm(day) {
  return {
    command: "WriteBlogPost",
    title: "Write the day's post",
    about: "The communication lead's post for the daily blog.",
    fields: [
      { name: "day", label: "Day", type: "date", value: day || todayInZone(), required: true },
      { name: "title", label: "Title", maxlength: 200, required: true },
      { name: "body", label: "Post", type: "textarea", rows: 8, required: true },
    ],
    submitLabel: "Publish",
    build: (v) => ({ ids: ids(), json: { day: v.day, title: v.title, body: v.body } }),
  };
}

export function acknowledgeForm(person, upTo) {
  return {
    command: "AcknowledgeBriefing",
    title: "Acknowledge my day",
    about: "Changes after now will show as new on your day.",
    fields: [],
    after: () => refreshView(),
    submitLabel: "Acknowledge",
    build: () => ({ ids: ids({ person }), json: { up_to: upTo ?? null } }),
  };
}

export function phaseForm() {
  return {
    command: "EnterPhase",
    title: "Change the phase",
    about: `${state.inspection?.title || "The inspection"}.`,
    fields: [{ name: "phase", label: "Phase", type: "select", options: options("phases"), value: state.inspection?.phase,
      required: true }],
    submitLabel: "Change phase",
    build: (v) => ({ ids: ids(), json: { phase: v.phase } }),
  };
}

export function addInspectorForm() {
  return {
    command: "AddInspector",
    title: "Add an inspector",
    about: "To the inspection's roster.",
    fields: [
      { name: "name", label: "Name", maxlength: 120, required: true },
      { name: "agency", label: "Agency (optional)", maxlength: 120 },
      { name: "lead", label: "Lead inspector", type: "checkbox" },
    ],
    submitLabel: "Add",
    build: (v) => ({ ids: ids(), json: { name: v.name, agency: v.agency || null, lead: v.lead } }),
  };
}

export async function openInspectionForm() {
  // The playbook templates (issue 15): its tasks and responsibilities come with it.
  let templates = [];
  try {
    templates = (await api("/playbook-templates")).templates;
  } catch {
    templates = [];
  }
  return {
    command: "OpenInspection",
    title: "Open an inspection",
    about: "A new inspection of this council.",
    fields: [
      { name: "title", label: "Title", maxlength: 200, required: true },
      { name: "framework", label: "Framework", type: "select", options: options("frameworks"), required: true },
      { name: "starts_on", label: "Starts on", type: "date", value: todayInZone(), required: true },
      { name: "timezone", label: "Time zone", value: "Europe/London", required: true },
      { name: "template", label: "Playbook", type: "select",
        options: [["", "None"], ...templates.map((t) => [t.name, `${words(t.name)}: ${t.description}`])] },
    ],
    // The page moves to the inspection just opened.
    after: (answer) => { chooseInspection(answer.id); },
    submitLabel: "Open",
    build: (v) => ({ ids: {}, json: {
      title: v.title, framework: v.framework, starts_on: v.starts_on, timezone: v.timezone,
      template: v.template || null,
    } }),
  };
}

// --- users (admin) --------------------------------------------------------

export function addUserForm() {
  return {
    command: "AddUser",
    title: "Add a user",
    about: "They sign in with the link shown next; it is shown once.",
    fields: [
      { name: "name", label: "Name", maxlength: 120, required: true },
      { name: "role", label: "Role", type: "select", options: options("roles"), required: true },
      { name: "email", label: "Email address (optional: meeting invitations go to it)", type: "email", maxlength: 254 },
    ],
    after: afterUserChange,
    submitLabel: "Add user",
    build: (v) => ({ ids: {}, json: { name: v.name, role: v.role, email: v.email.trim() || null } }),
  };
}

export function rotateForm(user) {
  return {
    command: "RotateToken",
    title: "New sign-in link",
    about: `${user.name}: the old link and token stop working at once.`,
    fields: [],
    after: afterUserChange,
    submitLabel: "Make a new link",
    build: () => ({ ids: { user_id: user.id }, json: {} }),
  };
}

export function emailForm(user) {
  return {
    command: "SetUserEmail",
    title: "Email address",
    about: `${user.name}: where their meeting invitations go. Leave it empty to send them none.`,
    fields: [
      { name: "email", label: "Email address", type: "email", maxlength: 254, value: user.email || "" },
    ],
    after: afterUserChange,
    submitLabel: "Save",
    build: (v) => ({ ids: { user_id: user.id }, json: { email: v.email.trim() || null } }),
  };
}

export function revokeForm(user) {
  return {
    command: "RevokeToken",
    title: "Revoke access",
    about: `${user.name}: their link and token stop working at once, everywhere.`,
    fields: [],
    after: afterUserChange,
    submitLabel: "Revoke",
    build: () => ({ ids: { user_id: user.id }, json: {} }),
  };
}

export async function limitForm(user) {
  const { inspections } = await api("/inspections");
  return {
    command: "LimitInspections",
    title: "Limit to inspections",
    about: `${user.name}: tick none to lift the limit.`,
    fields: [
      { name: "inspection_ids", label: "Inspections", type: "checkboxes", options: inspections.map((i) => [i.id, i.title]) },
    ],
    after: afterUserChange,
    submitLabel: "Save",
    build: (v) => ({ ids: { user_id: user.id }, json: { inspection_ids: v.inspection_ids.length ? v.inspection_ids : null } }),
  };
}

// --- the council's plan (issue 15): playbook, Annex A, case audits, debriefs

export function completeTaskForm(task) {
  return {
    command: "CompletePlaybookTask",
    title: "Mark the task done",
    about: `${task.title}${task.owner ? ` (${task.owner})` : ""}.`,
    fields: [{ name: "note", label: "Note (optional)", type: "textarea" }],
    submitLabel: "Done",
    build: (v) => ({ ids: ids({ task_id: task.id }), json: { note: v.note || null } }),
  };
}

export function assignTaskForm(task) {
  return {
    command: "AssignPlaybookTask",
    title: "Give the task an owner",
    about: task.title,
    fields: [{ name: "owner", label: "Owner", maxlength: 120, required: true, value: task.owner || "" }],
    submitLabel: "Assign",
    build: (v) => ({ ids: ids({ task_id: task.id }), json: { owner: v.owner } }),
  };
}

export function responsibilityForm(duty) {
  return {
    command: "AssignResponsibility",
    title: "Name who does it",
    about: "A role in the council's plan, and the person who fills it.",
    fields: [
      { name: "role", label: "Responsibility", maxlength: 200, required: true, value: duty?.role || "" },
      { name: "person", label: "Person", maxlength: 120, required: true, value: duty?.person || "" },
    ],
    submitLabel: "Save",
    build: (v) => ({ ids: ids(), json: { role: v.role, person: v.person } }),
  };
}

export function listAnnexAForm() {
  return {
    command: "ListAnnexADocument",
    title: "List an Annex A document",
    about: "A document the council must have ready by day 2.",
    fields: [
      { name: "title", label: "Document", maxlength: 200, required: true },
      { name: "owner", label: "Owner", maxlength: 120, required: true },
    ],
    submitLabel: "List it",
    build: (v) => ({ ids: ids(), json: { title: v.title, owner: v.owner } }),
  };
}

const RAG = [["", "Leave as it is"], ["red", "Red"], ["amber", "Amber"], ["green", "Green"]];

export function rateAnnexAForm(doc) {
  return {
    command: "RateAnnexADocument",
    title: "Rate the document",
    about: `${doc.title}: how complete it is, and how good.`,
    fields: [
      { name: "rag_complete", label: "Complete", type: "select", options: RAG, value: doc.rag_complete || "" },
      { name: "rag_quality", label: "Quality", type: "select", options: RAG, value: doc.rag_quality || "" },
      { name: "reason", label: "Why (optional)", type: "textarea" },
    ],
    submitLabel: "Rate",
    // One rating at least: the server refuses a rating of nothing.
    unchosen: (v) => (v.rag_complete || v.rag_quality ? null : {
      message: "Please choose “Complete”, “Quality” or both.", fields: ["rag_complete", "rag_quality"],
    }),
    build: (v) => ({
      ids: ids({ document_id: doc.id }),
      json: { rag_complete: v.rag_complete || null, rag_quality: v.rag_quality || null, reason: v.reason || null },
    }),
  };
}

export function submitAnnexAForm(doc) {
  return {
    command: "SubmitAnnexADocument",
    title: "Submitted to the inspectors",
    about: `${doc.title} has been submitted.`,
    fields: [],
    submitLabel: "Submitted",
    build: () => ({ ids: ids({ document_id: doc.id }), json: {} }),
  };
}

export function annexASummaryForm(summary) {
  return {
    command: "WriteAnnexASummary",
    title: "Write the Annex A summary",
    about: "The self-evaluation summary that goes with Annex A.",
    fields: [{ name: "text", label: "Summary", type: "textarea", rows: 8, required: true, value: summary?.text || "" }],
    submitLabel: "Save",
    build: (v) => ({ ids: ids(), json: { text: v.text } }),
  };
}

function caseStep(command, title, about, fields, json) {
  return (c) => ({
    command,
    title,
    about: `${c.ref}: ${about}`,
    fields: typeof fields === "function" ? fields(c) : fields,
    submitLabel: title,
    build: (v) => ({ ids: ids({ case_id: c.id }), json: json(v) }),
  });
}

export const auditorForm = caseStep("AssignCaseAuditor", "Name the auditor", "who audits this case.",
  (c) => [{ name: "auditor", label: "Auditor", maxlength: 120, required: true, value: c.audit?.auditor || "" }],
  (v) => ({ auditor: v.auditor }));
export const multiAgencyForm = caseStep("RecordMultiAgencyReview", "Multi-agency review held",
  "the partners reviewed the case together.",
  [{ name: "note", label: "Note (optional)", type: "textarea" }], (v) => ({ note: v.note || null }));
export const auditFormDoneForm = caseStep("CompleteAuditForm", "Audit form complete", "the audit form is filled in.",
  [], () => ({}));
export const concludeAuditForm = caseStep("ConcludeCaseAudit", "Conclude our audit", "our audit's judgement and why.",
  () => [
    { name: "judgement", label: "Judgement", type: "select", options: options("judgements"), required: true },
    { name: "reason", label: "Why", type: "textarea", required: true },
  ],
  (v) => ({ judgement: v.judgement, reason: v.reason }));
export const judgementSeenForm = caseStep("RecordJudgementSeen", "Judgement seen", "who has seen the judgement.",
  [{ name: "by", label: "Seen by", type: "select", required: true,
    options: [["social_worker", "Social worker"], ["team_manager", "Team manager"]] }],
  (v) => ({ by: v.by }));
export const folderReadyForm = caseStep("MarkFolderReady", "Folder ready", "the case folder is ready.",
  [], () => ({}));
const COPY_FOR = [["inspector", "Inspector"], ["council", "Council"], ["social_worker", "Social worker"]];
const COPY_MEDIA = [["electronic", "Electronic"], ["hard_copy", "Hard copy"], ["packet", "Encrypted packet"]];
export const makeCopyForm = caseStep("MakeCaseCopy", "Copy made", "a copy of the case file was made.",
  [{ name: "copy_for", label: "Copy for", type: "select", options: COPY_FOR, required: true }],
  (v) => ({ copy_for: v.copy_for }));
export const handOverCopyForm = caseStep("HandOverCaseCopy", "Copy handed over", "a copy went to its holder (a line of the hand-over ledger).",
  [
    { name: "copy_for", label: "Copy for", type: "select", options: COPY_FOR.slice(1), required: true },
    { name: "to", label: "Handed to", maxlength: 120, required: true },
    { name: "medium", label: "How", type: "select", options: COPY_MEDIA, required: true },
  ],
  (v) => ({ copy_for: v.copy_for, to: v.to, medium: v.medium }));
export const releaseCopyForm = caseStep("ReleaseCaseCopy", "Copy released to the inspector",
  "the inspector's copy, released by the gatekeeper, into the hand-over ledger.",
  () => [
    { name: "to", label: "Released to", type: "select", options: inspectorOptions(), required: true },
    { name: "medium", label: "How", type: "select", options: COPY_MEDIA, required: true },
  ],
  (v) => ({ to: v.to, medium: v.medium }));

export function debriefForm(meeting) {
  // Those of the schedule's day that have ended: a debrief comes afterwards.
  // Those the server offers this person a debrief of: held, and they were in it.
  const meetings = (state.data.schedule?.meetings || []).filter((m) => offered(m, "RecordDebrief"));
  return {
    command: "RecordDebrief",
    title: "Report back from a meeting",
    about: "What the inspectors asked, what went well, any concerns. Follow-ups become playbook tasks.",
    fields: [
      meeting ? null : { name: "meeting", label: "Meeting", type: "select", required: true,
        options: meetings.map((m) => [m.id, `${fmtTime(m.starts_at)} ${m.title}`]) },
      { name: "asked", label: "What they asked", type: "textarea", required: true },
      { name: "went_well", label: "What went well (optional)", type: "textarea" },
      { name: "concerns", label: "Concerns (optional)", type: "textarea" },
      { name: "follow_ups", label: "Follow-ups, one per line", type: "textarea" },
    ].filter(Boolean),
    submitLabel: "Report back",
    build: (v) => ({
      ids: ids({ meeting_id: meeting ? meeting.id : v.meeting }),
      json: {
        asked: v.asked, went_well: v.went_well || null, concerns: v.concerns || null,
        follow_ups: lines(v.follow_ups),
      },
    }),
  };
}

// --- closing the day, calendar links (issues 12 and 13) ---------------------

// Closing seals the day for good: one closed before its last meeting has
// ended needs a reason (the server refuses it without one, 409
// meetings_to_come). The form reads the day's meetings first, warns, and asks.
export async function closeDayForm(day) {
  const chosen = day || todayInZone();
  const toCome = await meetingsToCome(chosen);
  const warning = toCome.length ? meetingsToComeWords(toCome) : null;
  return {
    command: "CloseDay",
    title: "Close the day",
    about: "The day's log is sealed with a signed checkpoint; the blog shows the seal."
      + (warning ? ` ${warning}: closing now seals the day without them.` : ""),
    fields: [
      { name: "day", label: "Day", type: "date", value: chosen, required: true },
      toCome.length
        ? { name: "early_reason", label: "Why close it before its last meeting ends", type: "textarea", required: true }
        : { name: "early_reason", label: "Why close it early (only if meetings are still to come)", type: "textarea" },
    ],
    submitLabel: "Close the day",
    check: (v) => (warning && v.day === chosen
      ? `${warning}. If the day is to be closed all the same, press the button again.` : null),
    build: (v) => ({ ids: ids(), json: { day: v.day, ...(v.early_reason ? { early_reason: v.early_reason } : {}) } }),
  };
}

// The day's meetings, not cancelled, that end after now (the server's own test).
async function meetingsToCome(day) {
  const answer = await api(`/inspections/${encodeURIComponent(state.inspectionId)}/schedule?day=${day}`);
  const now = Date.now();
  return answer.meetings.filter((m) => !m.cancelled && Date.parse(m.ends_at) > now)
    .sort((a, b) => Date.parse(a.ends_at) - Date.parse(b.ends_at));
}

export function meetingsToComeWords(meetings) {
  const count = meetings.length === 1 ? "1 meeting" : `${meetings.length} meetings`;
  return `${count} still to come, the last ends ${fmtTime(meetings[meetings.length - 1].ends_at)}`;
}

export function calendarLinkForm() {
  return {
    command: "CreateCalendarLink",
    title: "A calendar link",
    about: "A secret link a calendar can subscribe to: the whole schedule, or one person's agenda.",
    fields: [{ name: "person", label: "One person's agenda (optional)", maxlength: 120 }],
    after: (answer) => showCalendarLink(answer, "#plan-link-box"),
    submitLabel: "Make the link",
    build: (v) => ({ ids: ids(), json: { person: v.person || null } }),
  };
}

// Shown once, in a box that stays until dismissed (issue 24), not a toast.
function showCalendarLink(answer, where, about = null) {
  const box = document.querySelector(where);
  if (!answer?.url || !box) return null;
  const whose = answer.person ? `${answer.person}'s agenda` : "the whole schedule";
  showLinkBox(box, about || `The calendar link to ${whose}:`, answer.url);
  return null;
}

// --- calendar links for oneself (issue 24): My day ---------------------------

export function ownCalendarLinkForm() {
  return {
    command: "CreateOwnCalendarLink",
    title: "A calendar link to my meetings",
    about: "A secret link that your calendar (Outlook, Google, Apple) subscribes to: "
      + "your meetings in this inspection, kept up to date as they change.",
    fields: [],
    after: (answer) => showCalendarLink(answer, "#day-link-box", "Your calendar link (your meetings in this inspection):"),
    submitLabel: "Make the link",
    build: () => ({ ids: {}, json: { inspection_id: state.inspectionId } }),
  };
}

export function revokeOwnCalendarLinkForm(link) {
  return {
    command: "RevokeOwnCalendarLink",
    title: "Stop this calendar link",
    about: `Made ${fmtDayTime(link.created_at)}: calendars subscribed to it stop getting your meetings at once.`,
    fields: [],
    submitLabel: "Stop the link",
    build: () => ({ ids: { link_id: link.id } }),
  };
}

// --- the contact list (issue 24) ----------------------------------------------

const CONTACT_FIELDS = [
  ["name", "Name", { required: true }],
  ["organisation", "Organisation"],
  ["role", "Their role"],
  ["phone", "Telephone", { type: "tel", maxlength: 40 }],
  ["email", "Email address", { type: "email" }],
  ["group", "Group (e.g. Police, Health, Rapid response team)"],
  ["location", "Where to find them (optional)"],
];

function contactFields(contact) {
  return CONTACT_FIELDS.map(([name, label, extra]) => ({
    name, label, maxlength: 120, value: contact?.[name] || "", ...(extra || {}),
  }));
}

function contactJson(v) {
  return Object.fromEntries(CONTACT_FIELDS.map(([name]) => [name, v[name] || null]));
}

export function addContactForm() {
  return {
    command: "AddContact",
    title: "Add to the contact list",
    about: "Someone the war room may need to reach during the inspection.",
    fields: contactFields(null),
    submitLabel: "Add",
    build: (v) => ({ ids: ids(), json: contactJson(v) }),
  };
}

export function changeContactForm(contact) {
  return {
    command: "ChangeContact",
    title: `Change ${contact.name}`,
    about: "Everyone sees the change at once.",
    fields: contactFields(contact),
    submitLabel: "Save",
    build: (v) => ({ ids: ids({ contact_id: contact.id }), json: contactJson(v) }),
  };
}

export function removeContactForm(contact) {
  return {
    command: "RemoveContact",
    title: "Take off the contact list",
    about: `${contact.name}${contact.organisation ? ` (${contact.organisation})` : ""} leaves the contact list.`,
    fields: [],
    submitLabel: "Remove",
    build: () => ({ ids: ids({ contact_id: contact.id }) }),
  };
}

// --- the daily blog by email (issue 13): the distribution list ---------------

// Someone from the contact list (with an email address), or a name and an
// email typed in (issue 24).
export async function addRecipientForm() {
  let contacts = [];
  try {
    ({ contacts } = await api(`/inspections/${encodeURIComponent(state.inspectionId)}/contacts`));
  } catch {
    contacts = [];
  }
  const reachable = contacts.filter((c) => c.email);
  return {
    command: "AddRecipient",
    title: "Add to the blog's distribution list",
    about: "They get the daily blog by email. Choose someone from the contact list, or type a name and an email address.",
    fields: [
      ...(reachable.length
        ? [{ name: "contact_id", label: "From the contact list", type: "select",
          options: [["", "Nobody: I type them below"],
            ...reachable.map((c) => [c.id, `${c.name}${c.organisation ? `, ${c.organisation}` : ""} <${c.email}>`])] }]
        : []),
      { name: "name", label: "Name", maxlength: 120 },
      { name: "email", label: "Email address", type: "email" },
      { name: "group", label: "Group (optional; a contact's own by default)", maxlength: 120 },
      // Which copy they get (issue 24): chosen, never assumed (issue 23).
      { name: "audience", label: "Which copy of the blog", type: "select", required: true,
        options: [
          ["war_room", "The war room's: everything the day tells"],
          ["partners", "A partner's: headline, meetings, tomorrow and the seal"],
        ] },
    ],
    submitLabel: "Add",
    build: (v) => ({ ids: ids(), json: v.contact_id
      ? { contact_id: v.contact_id, audience: v.audience, ...(v.group ? { group: v.group } : {}) }
      : { name: v.name || null, email: v.email || null, group: v.group || null, audience: v.audience } }),
  };
}

// Removal is a DELETE of the address, by the roles that may add.
export function removeRecipientForm(recipient) {
  return {
    command: "RemoveRecipient",
    title: "Take off the distribution list",
    about: `${recipient.name} <${recipient.email}> gets no more blog emails.`,
    fields: [],
    submitLabel: "Remove",
    build: () => ({ ids: ids({ email: recipient.email }) }),
  };
}

export function revokeCalendarLinkForm(link) {
  return {
    command: "RevokeCalendarLink",
    title: "Revoke the calendar link",
    about: `${link.person ? `${link.person}'s agenda` : "The whole schedule"}: calendars subscribed to it stop getting updates at once.`,
    fields: [],
    submitLabel: "Revoke",
    build: () => ({ ids: { link_id: link.id } }),
  };
}

// The case system's access log (CSV): who browsed which case.
export function accessLogForm() {
  return {
    command: "ImportAccessLog",
    title: "Import the access log",
    about: "The case system's access log, as CSV: each inspector's browse of a case is recorded.",
    fields: [
      { name: "file", label: "Access log (CSV)", type: "file", required: true },
      { name: "map", label: "Column names, if not ours (optional)", maxlength: 500 },
    ],
    submitLabel: "Import",
    // What the import did, and each row that matched nothing (issue 15).
    after: (answer) => accessLogReport(answer),
    build: (v, form) => {
      const body = new FormData();
      body.append("file", form.elements.file.files[0]);
      if (v.map) body.append("map", v.map);
      return { ids: ids(), form: body };
    },
  };
}

export function accessLogReport(answer) {
  const unmatched = answer.unmatched || [];
  const rows = (n) => `${n} row${n === 1 ? "" : "s"}`;
  return `${rows(answer.events)} recorded, ${rows(answer.already)} already there, `
    + `${rows(unmatched.length)} matched nothing${unmatched.length ? ": " : "."}`
    + unmatched.map((u) => `line ${u.line}: ${u.reason}`).join("; ");
}

// Every command the page can send, by the server's name for it, and the
// form that sends it. A test checks this against GET /api/meta.
export const COMMAND_FORMS = {
  AddUser: addUserForm,
  OpenInspection: openInspectionForm,
  AddInspector: addInspectorForm,
  EnterPhase: phaseForm,
  RecordRequest: recordRequestForm,
  AssignRequest: assignForm,
  AttachDocument: attachForm,
  ApproveDocument: (r) => confirmDocForm(r, "approve"),
  CheckDocument: (r) => confirmDocForm(r, "check"),
  ReleaseDocument: releaseForm,
  DeclineRequest: (r) => reasonForm(r, "DeclineRequest"),
  WithdrawRequest: (r) => reasonForm(r, "WithdrawRequest"),
  EscalateRequest: (r) => reasonForm(r, "EscalateRequest"),
  ScheduleMeeting: scheduleMeetingForm,
  RescheduleMeeting: rescheduleForm,
  MoveMeeting: moveForm,
  ChangeAttendees: attendeesForm,
  ChangeTopics: topicsForm,
  CancelMeeting: cancelForm,
  RecordKitNote: kitNoteForm,
  RaiseLineOfEnquiry: raiseLineForm,
  AnswerLineOfEnquiry: answerLineForm,
  SelectCase: selectCaseForm,
  NotifyCaseParty: notifyForm,
  JudgeCase: judgeForm,
  RecordCaseBrowsed: caseBrowsedForm,
  WriteBlogPost: blogPostForm,
  AcknowledgeBriefing: acknowledgeForm,
  RevokeToken: revokeForm,
  RotateToken: rotateForm,
  LimitInspections: limitForm,
  SetUserEmail: emailForm,
  // the council's plan (issue 15)
  CompletePlaybookTask: completeTaskForm,
  AssignPlaybookTask: assignTaskForm,
  AssignResponsibility: responsibilityForm,
  ListAnnexADocument: listAnnexAForm,
  RateAnnexADocument: rateAnnexAForm,
  SubmitAnnexADocument: submitAnnexAForm,
  WriteAnnexASummary: annexASummaryForm,
  AssignCaseAuditor: auditorForm,
  RecordMultiAgencyReview: multiAgencyForm,
  CompleteAuditForm: auditFormDoneForm,
  ConcludeCaseAudit: concludeAuditForm,
  RecordJudgementSeen: judgementSeenForm,
  MarkFolderReady: folderReadyForm,
  MakeCaseCopy: makeCopyForm,
  HandOverCaseCopy: handOverCopyForm,
  ReleaseCaseCopy: releaseCopyForm,
  RecordDebrief: debriefForm,
  // closing the day (issue 12), calendar links (issue 13)
  CloseDay: closeDayForm,
  CreateCalendarLink: calendarLinkForm,
  // the daily blog by email (issue 13)
  AddRecipient: addRecipientForm,
  RemoveRecipient: removeRecipientForm,
  RevokeCalendarLink: revokeCalendarLinkForm,
  ImportAccessLog: accessLogForm,
  // issue 24: calendar links for oneself, the contact list
  CreateOwnCalendarLink: ownCalendarLinkForm,
  RevokeOwnCalendarLink: revokeOwnCalendarLinkForm,
  AddContact: addContactForm,
  ChangeContact: changeContactForm,
  RemoveContact: removeContactForm,
  // lines of enquiry: their owner
  AssignLineOfEnquiry: lineOwnerForm,
  // issue 25: a request filed under a line of enquiry from its details
  LinkRequestToLineOfEnquiry: linkLineForm,
};

// Commands found by where they are sent rather than by name.
export const PATH_FORMS = {
  "/kit-actions/{n}/assign": kitActionAssignForm,
  "/kit-actions/{n}/done": kitActionDoneForm,
};

// The form for one of the server's commands, or undefined if the page has none.
// Commands the page sends from a section of its own rather than a dialog:
// connecting a wall screen needs the code the screen shows, typed where the
// screens are listed (js/device.js, "Inspection & people").
export const SECTION_COMMANDS = {
  ApproveDisplay: "#walls",
  DisconnectDisplay: "#walls",
};

export function formFor(command) {
  if (Object.hasOwn(COMMAND_FORMS, command.name)) return COMMAND_FORMS[command.name];
  const suffix = Object.keys(PATH_FORMS).find((s) => command.path.endsWith(s));
  return suffix ? PATH_FORMS[suffix] : undefined;
}

// The page's names for its header buttons, and the command each sends.
export const ACTIONS = {
  recordRequest: "RecordRequest",
  take: "AssignRequest",
  assign: "AssignRequest",
  attach: "AttachDocument",
  approve: "ApproveDocument",
  check: "CheckDocument",
  release: "ReleaseDocument",
  decline: "DeclineRequest",
  withdraw: "WithdrawRequest",
  escalate: "EscalateRequest",
  scheduleMeeting: "ScheduleMeeting",
  reschedule: "RescheduleMeeting",
  move: "MoveMeeting",
  attendees: "ChangeAttendees",
  topics: "ChangeTopics",
  cancelMeeting: "CancelMeeting",
  kitNote: "RecordKitNote",
  raiseLine: "RaiseLineOfEnquiry",
  answerLine: "AnswerLineOfEnquiry",
  selectCase: "SelectCase",
  notify: "NotifyCaseParty",
  judge: "JudgeCase",
  caseBrowsed: "RecordCaseBrowsed",
  blogPost: "WriteBlogPost",
  acknowledge: "AcknowledgeBriefing",
  phase: "EnterPhase",
  addInspector: "AddInspector",
  openInspection: "OpenInspection",
  addUser: "AddUser",
  rotate: "RotateToken",
  revoke: "RevokeToken",
  limit: "LimitInspections",
  email: "SetUserEmail",
  completeTask: "CompletePlaybookTask",
  assignTask: "AssignPlaybookTask",
  responsibility: "AssignResponsibility",
  listAnnexA: "ListAnnexADocument",
  rateAnnexA: "RateAnnexADocument",
  submitAnnexA: "SubmitAnnexADocument",
  annexASummary: "WriteAnnexASummary",
  auditor: "AssignCaseAuditor",
  multiAgency: "RecordMultiAgencyReview",
  auditForm: "CompleteAuditForm",
  concludeAudit: "ConcludeCaseAudit",
  judgementSeen: "RecordJudgementSeen",
  folderReady: "MarkFolderReady",
  makeCopy: "MakeCaseCopy",
  handOverCopy: "HandOverCaseCopy",
  releaseCopy: "ReleaseCaseCopy",
  debrief: "RecordDebrief",
  closeDay: "CloseDay",
  calendarLink: "CreateCalendarLink",
  addRecipient: "AddRecipient",
  lineOwner: "AssignLineOfEnquiry",
  linkLine: "LinkRequestToLineOfEnquiry",
  removeRecipient: "RemoveRecipient",
  revokeCalendarLink: "RevokeCalendarLink",
  accessLog: "ImportAccessLog",
  ownCalendarLink: "CreateOwnCalendarLink",
  revokeOwnCalendarLink: "RevokeOwnCalendarLink",
  addContact: "AddContact",
  changeContact: "ChangeContact",
  removeContact: "RemoveContact",
};

export const FORMS = {
  recordRequest: recordRequestForm,
  scheduleMeeting: scheduleMeetingForm,
  kitNote: () => kitNoteForm(null),
  raiseLine: raiseLineForm,
  selectCase: selectCaseForm,
  caseBrowsed: () => caseBrowsedForm(null),
  blogPost: () => blogPostForm(document.querySelector("#blog-day")?.value),
  phase: phaseForm,
  addInspector: addInspectorForm,
  openInspection: openInspectionForm,
  addUser: addUserForm,
  responsibility: () => responsibilityForm(null),
  listAnnexA: listAnnexAForm,
  annexASummary: () => annexASummaryForm(null),
  debrief: () => debriefForm(null),
  closeDay: () => closeDayForm(document.querySelector("#blog-day")?.value),
  calendarLink: calendarLinkForm,
  accessLog: accessLogForm,
  ownCalendarLink: ownCalendarLinkForm,
  addContact: addContactForm,
};

// Whether the server offers an action on an item: its `actions`, the commands
// (by GET /api/meta's names) this person may send on it now, as the server's
// own rules say. The page draws an item's buttons from them, and nothing else.
export function offered(item, action) {
  const name = ACTIONS[action] || action;
  return Boolean(name) && Array.isArray(item?.actions) && item.actions.includes(name);
}

// Whether the person may use an action: a page name above, or a command name.
export function mayAct(action) {
  const name = ACTIONS[action] || action;
  return Boolean(name) && mayRun(name);
}
