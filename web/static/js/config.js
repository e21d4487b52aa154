// What the page knows about the API: constants, and the panels' routes.

import { scheduleDay } from "./panels/schedule.js";

export const TOKEN_KEY = "warroom.token";
export const INSPECTION_KEY = "warroom.inspection";

// Panels read from the server, and the route each reads. A panel is named
// after its read model (projections/*.py), as the stream's `changes` are.
export const PANEL_ROUTES = {
  inspection: () => "",
  schedule: () => `/schedule?day=${encodeURIComponent(scheduleDay())}`,
  requests: () => "/requests?state=all",
  ledger: () => "/ledger",
  cases: () => "/cases",
  lines_of_enquiry: () => "/lines-of-enquiry",
};
export const ALL_PANELS = Object.keys(PANEL_ROUTES);

export const REQUEST_STATES = ["requested", "assigned", "attached", "approved", "checked"];
export const STATE_WORDS = {
  requested: "Waiting for a preparer",
  assigned: "Being prepared",
  attached: "Waiting for approval",
  approved: "Waiting for the final check",
  checked: "Ready to release",
};
// Words for the server's value lists (GET /api/meta names the values
// themselves): a value with no words here is shown as itself, in words.
export const VALUE_WORDS = {
  channels: {
    kit: "KIT meeting", email: "Email", lead_inspector: "Lead inspector",
    direct_to_worker: "Asked a worker directly",
  },
  media: { electronic: "Electronically", hard_copy: "Hard copy", packet: "Compressed packet (IT down)" },
  parties: {
    social_worker: "Social worker", team_manager: "Team manager", iro: "IRO",
    parents_carers: "Parents and carers", education: "Education", health: "Health",
    other_partners: "Other partners",
  },
  meeting_kinds: {
    kit: "KIT meeting", lead_inspector: "With the lead inspector", end_of_day_briefing: "End-of-day briefing",
  },
  judgements: { requires_improvement: "Requires improvement" },
  roles: { rapid_response: "Rapid response team" },
};
VALUE_WORDS.phases = {
  day1_notification: "Day 1: notification",
  day2_kick_off: "Day 2: kick-off",
  day3_on_site: "Day 3: on site",
  day4_feedback: "Day 4: end of week 1 feedback",
  week2_off_site: "Week 2: off site",
  weeks3_4_on_site: "Weeks 3-4: on site",
  closed: "Closed",
};
export const PHASES = VALUE_WORDS.phases;
// API field names inside a server's message, as a sentence would say them.
export const MESSAGE_WORDS = {
  starts_at: "the start", ends_at: "end time", occurred_at: "the time it happened",
  expires_at: "the expiry", due_at: "the due time",
};
// API field names as a person would say them, for 422 answers.
export const FIELD_WORDS = {
  title: "Title", requested_by: "Asked by", channel: "Channel", due_at: "Due",
  detail: "Detail", starts_at: "Start", ends_at: "End", reason: "Reason",
  venue: "Venue", text: "Note", actions: "Actions",
  lines_of_enquiry: "New lines of enquiry", inspector: "Inspector",
  item: "What they looked at", version: "Version", file: "File", to: "Released to",
  medium: "How", sha256: "Document version", assignee: "Preparer",
  "If-Match": "Version",
};
