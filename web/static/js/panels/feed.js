// The feed of the latest changes, each naming the thing it changed:
// "Released: Return home interviews → Tom Bright, hard copy". New items stay
// marked for a few minutes, so a glance across the room finds them.

import { VALUE_WORDS } from "../config.js";
import { eventWords, fill, h, inspectorName, lowerFirst, versionWords, whoWords, words } from "../dom.js";
import { eventsUpTo } from "../events.js";
import { state } from "../state.js";
import { fmt, fmtDayTime, fmtTime, fmtWrittenDown } from "../time.js";

const fmtDay = (day) => fmt(`${day}T12:00:00Z`, { weekday: "short", day: "numeric", month: "short" });

const late = (e) => fmtWrittenDown(e.occurred_at, e.recorded_at);

export const NEW_FOR_MS = 5 * 60 * 1000;

export function renderFeed() {
  const events = eventsUpTo(state.past);
  const names = namesOf(events);
  const now = state.past === null ? Date.now() : null;
  const latest = events.slice().reverse().slice(0, 15);
  fill("#feed-body", ...latest.map((e) => {
    // When it happened (an entry made after the fact says so), not when typed.
    const when = e.occurred_at || e.recorded_at;
    const fresh = now !== null && now - Date.parse(when) < NEW_FOR_MS;
    return h("li", { class: fresh ? "new" : "", dataset: { position: e.position } },
      h("span", { class: "feed-time" }, fmtTime(when)), " ",
      fresh ? h("span", { class: "tag new" }, "New") : null, fresh ? " " : null,
      h("span", { class: "feed-what" }, describe(e, names)),
      " ", h("span", { class: "muted" }, `· ${whoWords(e.actor_name)}`),
      // When it was written down, if much later, after who: the time leads.
      late(e) ? h("span", { class: "muted" }, `, ${late(e)}`) : null);
  }));
  fitFeed();
}

// On a wall nobody scrolls: show only the lines that fit whole, newest first.
export function fitFeed() {
  const list = document.querySelector("#feed-body");
  while (list.children.length > 1 && list.scrollHeight > list.clientHeight + 1) {
    list.lastElementChild.remove();
  }
}

// The titles of the things events name, from the log kept in the page.
function namesOf(events) {
  const names = new Map();
  for (const e of events) {
    const title = e.data.title || e.data.ref;
    if (title && !names.has(e.aggregate_id)) names.set(e.aggregate_id, title);
    // Playbook tasks are named by their own ids inside the playbook's events.
    for (const task of e.type === "PlaybookStarted" ? e.data.tasks || [] : []) names.set(task.id, task.title);
    if (e.type === "PlaybookTaskAdded") names.set(e.data.task_id, e.data.title);
  }
  return names;
}

function valueWords(list, value) {
  return (VALUE_WORDS[list] || {})[value] || words(value || "");
}

// One event as a line a person reads: what happened, to what.
export function describe(e, names) {
  const d = e.data;
  const thing = names.get(e.aggregate_id) || "";
  const assignee = (id) => {
    const found = (state.data.requests?.requests || []).find((r) => r.assignee === id);
    return found?.assignee_name || (id === state.me?.id ? state.me.name : "a preparer");
  };
  switch (e.type) {
    case "InspectionOpened": return `Inspection opened: ${d.title}`;
    case "PhaseEntered": return `Phase: ${valueWords("phases", d.phase)}`;
    case "InspectorJoined": return `Inspector joined: ${d.name}`;
    case "DocumentRequested": return `Requested: ${d.title}`;
    case "RequestAssigned": return `Assigned: ${thing} → ${assignee(d.assignee)}`;
    case "DocumentAttached": return `Attached: ${thing}, ${d.name} ${versionWords(d.version)}`;
    case "DocumentApproved": return `Approved: ${thing}`;
    case "FinalCheckPassed": return `Checked: ${thing}`;
    case "DocumentReleased":
      return `Released: ${thing} → ${inspectorName(d.to)}, ${lowerFirst(valueWords("media", d.medium))}`;
    case "RequestDeclined": return `Declined: ${thing} (${d.reason})`;
    case "RequestWithdrawn": return `Withdrawn: ${thing}`;
    case "RequestEscalated": return `Escalated: ${thing}`;
    case "RequestLinkedToLineOfEnquiry": return `Linked: ${thing} → ${names.get(d.line_of_enquiry) || "a line of enquiry"}`;
    case "MeetingScheduled": return `Meeting scheduled: ${d.title}, ${fmtDayTime(d.starts_at)}`;
    case "MeetingRescheduled": return `Rescheduled: ${thing} → ${fmtDayTime(d.starts_at)}`;
    case "MeetingMoved": return `Room changed: ${thing} → ${d.venue}`;
    case "AttendeeAdded": return `Attendee added: ${d.name} to ${thing}`;
    case "AttendeeRemoved": return `Attendee removed: ${d.name} from ${thing}`;
    case "TopicsChanged": return `Topics changed: ${thing}`;
    case "MeetingCancelled": return `Cancelled: ${thing}`;
    case "KitNoteRecorded": return `KIT note: ${thing}`;
    case "LineOfEnquiryRaised": return `Line of enquiry: ${d.title}`;
    case "LineOfEnquiryAnswered": return `Answered: ${thing}`;
    case "CaseSelected": return `Case selected: ${d.ref} (${d.selection})`;
    case "CaseNotified": return `Notified: ${thing}, ${lowerFirst(valueWords("parties", d.party))}`;
    case "CaseAuditJudged": return `Inspector's judgement: ${thing}, ${lowerFirst(valueWords("judgements", d.judgement))}`;
    case "CaseAuditConcluded": return `Our audit concluded: ${thing}, ${lowerFirst(valueWords("judgements", d.judgement))}`;
    case "CaseAuditorAssigned": return `Auditor: ${thing} → ${d.auditor}`;
    case "CaseMultiAgencyReviewed": return `Multi-agency review: ${thing}`;
    case "CaseAuditFormCompleted": return `Audit form complete: ${thing}`;
    case "CaseJudgementSeen": return `Judgement seen: ${thing}, by the ${lowerFirst(valueWords("parties", d.by))}`;
    case "CaseFolderReady": return `Folder ready: ${thing}`;
    case "CaseCopyMade": return `Copy made: ${thing}, for the ${lowerFirst(words(d.copy))}`;
    case "CaseCopyHandedOver": return `Copy handed over: ${thing} → ${d.to}, ${lowerFirst(valueWords("media", d.medium))}`;
    case "CaseCopyReleased":
      return `Inspector's copy released: ${thing} → ${inspectorName(d.to)}, ${lowerFirst(valueWords("media", d.medium))}`;
    case "AnnexADocumentListed": return `Annex A document listed: ${d.title}`;
    case "AnnexADocumentRated": return `Annex A document rated: ${thing}`;
    case "AnnexADocumentSubmitted": return `Annex A document submitted: ${thing}`;
    case "AnnexASummaryWritten": return "Annex A summary written";
    case "PlaybookStarted": return "Playbook started";
    case "PlaybookTaskAdded": return `Task added: ${d.title}`;
    case "PlaybookTaskAssigned": return `Task given: ${names.get(d.task_id) || "a task"} → ${d.owner}`;
    case "PlaybookTaskDone": return `Task done: ${names.get(d.task_id) || "a task"}`;
    case "PlaybookResponsibilityAssigned": return `Who does what: ${d.role} → ${d.person}`;
    case "KitActionAssigned": return `KIT action given: ${thing} → ${d.owner}`;
    case "KitActionDone": return `KIT action done: ${thing}`;
    case "LineOfEnquiryOwnerAssigned": return `Line of enquiry owner: ${thing} → ${d.owner}`;
    case "DebriefRecorded": return `Debrief: ${names.get(d.meeting_id) || "a meeting"}, ${d.person}`;
    case "BriefingAcknowledged": return `Changes acknowledged by ${d.person}`;
    case "RecipientAdded": return `Added to the blog's email list: ${d.name}${d.audience === "partners" ? " (partner)" : ""}`;
    case "RecipientRemoved": return "Removed from the blog's email list";
    case "CalendarLinkCreated": return `Calendar link made${d.person ? ` for ${d.person}` : ""}`;
    case "CalendarLinkRevoked": return "Calendar link ended";
    case "DisplayApproved": return `Wall screen connected: ${d.name}`;
    case "DisplayConnected": return "Wall screen signed in";
    case "DisplayDisconnected": return "Wall screen disconnected";
    case "ContactListStarted": return "Contact list started";
    case "ContactAdded": return `Added to the contact list: ${d.name}${d.group ? ` (${d.group})` : ""}`;
    case "ContactChanged": return `Contact changed: ${d.name}`;
    case "ContactRemoved": return "Taken off the contact list";
    case "BlogSendClaimed": return `Emailing the blog for ${fmtDay(d.day)}`;
    case "BlogSent": return `Blog emailed to ${d.recipients.length === 1 ? "1 recipient" : `${d.recipients.length} recipients`}`;
    case "BlogSendFailed": return `Blog NOT emailed: ${d.reason}`;
    case "InvitationClaimed":
      return `Emailing ${d.method === "CANCEL" ? "a cancellation" : "a calendar invitation"} to ${d.person}: `
        + `${names.get(d.meeting_id) || "a meeting"}`;
    case "InvitationSent": return "Calendar invitation emailed";
    case "InvitationFailed": return `Calendar invitation NOT emailed: ${d.reason}`;
    case "BlogDelivered": return `Blog emailed to one person (${d.audience === "partners" ? "the partners' copy" : "the war room's copy"})`;
    case "SealSendClaimed": return `Emailing the day's seal for ${fmtDay(d.day)}`;
    case "SealSent": return `The day's seal emailed to ${d.messages.length === 1 ? "1 recipient" : `${d.messages.length} recipients`}`;
    case "SealSendFailed": return `The day's seal NOT emailed: ${d.reason}`;
    case "CaseBrowsed": return `Browsed: ${thing}, ${d.item} by ${inspectorName(d.inspector)}`;
    case "BlogPostWritten": return `Blog post: ${d.title}`;
    default: {
      const text = eventWords(e.type);
      return `${text.charAt(0).toUpperCase()}${text.slice(1)}${thing ? `: ${thing}` : ""}`;
    }
  }
}
