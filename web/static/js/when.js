// "When it happened" (issue 23): every form whose command takes occurred_at
// offers it, so an entry made after the fact says when the thing happened.
// Blank means now: the field is sent only when filled in.

import { meta } from "./meta.js";
import { zone, zonedToIso } from "./time.js";

export const WHEN = "occurred_local";

// Whether the command's body takes occurred_at, as the server says (GET
// /api/meta): a DELETE has no body; an upload, only if its form has the field.
// Acts of access and of this page, which happen when they are sent: nobody
// records them after the fact, so the field would only invite a wrong time.
const ONLY_NOW = new Set([
  "AddUser", "RotateToken", "RevokeToken", "LimitInspections", "SetUserEmail", "AcknowledgeBriefing",
  "CreateCalendarLink", "AddRecipient",
  // issue 24: one's own calendar link, and keeping the contact list
  "CreateOwnCalendarLink", "AddContact", "ChangeContact",
]);

function takesOccurredAt(command) {
  if (ONLY_NOW.has(command)) return false;
  const known = meta.commands.get(command);
  return ["json", "multipart"].includes(known?.body) && Boolean(known.schema?.properties?.occurred_at);
}

// The spec's fields, with "When it happened" last where the command takes it.
export function withWhenField(spec) {
  if (!takesOccurredAt(spec.command) || spec.fields.some((f) => f.name === WHEN)) return spec;
  const when = {
    name: WHEN, type: "datetime-local",
    label: `When it happened, ${zone()} time (blank = now)`,
  };
  return { ...spec, fields: [...spec.fields, when], apiFields: { ...(spec.apiFields || {}), occurred_at: WHEN } };
}

// The body (JSON, or an upload's form) with occurred_at added when the person
// filled "When it happened" in: a wall-clock time in the inspection's zone,
// sent as an instant.
export function withOccurredAt(body, values) {
  const local = values[WHEN];
  if (!body || !local) return body;
  const [day, time] = local.split("T");
  const occurredAt = zonedToIso(day, time.slice(0, 5));
  if (body instanceof FormData) {
    body.append("occurred_at", occurredAt);
    return body;
  }
  return { ...body, occurred_at: occurredAt };
}
