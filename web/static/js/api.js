// The API client: one function for every call, and refusals in plain words.

import { FIELD_WORDS, MESSAGE_WORDS } from "./config.js";
import { words } from "./dom.js";
import { signOut } from "./session.js";
import { state } from "./state.js";

export class ApiError extends Error {
  constructor(status, message, fields = [], problems = []) {
    super(message);
    this.status = status;
    this.fields = fields; // API field names a 422 named
    this.problems = problems; // { field, line, message } of each of a 422's problems
  }
}

// What every call to the server carries: the session's cookie (sent by the
// browser; no token is held by the page), and, with a command, the
// session's CSRF token.
export function withSession(method = "GET", headers = {}) {
  const safe = method === "GET" || method === "HEAD";
  const csrf = !safe && state.csrf ? { "X-CSRF-Token": state.csrf } : {};
  return { method, credentials: "same-origin", headers: { ...csrf, ...headers } };
}

// `quiet401`: a 401 shows the sign-in card with no message (the page's
// first question, whether the browser is signed in at all).
export async function api(path, { method = "GET", json, form, headers = {}, quiet401 = false } = {}) {
  const init = withSession(method, headers);
  if (json !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  } else if (form !== undefined) {
    init.body = form; // the browser sets the multipart boundary itself
  }
  let response;
  try {
    response = await fetch(`/api${path}`, init);
  } catch {
    throw new ApiError(0, "The server could not be reached. Check the connection and try again; "
      + "sending the same form again will not record it twice.");
  }
  const body = await response.json().catch(() => ({}));
  if (response.ok) return body;
  if (response.status === 401) signOut(quiet401 ? "" : "You were signed out (your session ended). Please sign in again.");
  throw refusal(response.status, body);
}

// Turns an error answer into a sentence a person can act on.
export function refusal(status, body) {
  const detail = body?.detail;
  if (status === 422 && Array.isArray(detail)) {
    const problems = detail.map(problemOf);
    const fields = problems.map((p) => p.field).filter(Boolean);
    const lines = problems.map((p) => problemWords(p, (field) => FIELD_WORDS[field] || words(field)));
    return new ApiError(status, `Please correct this: ${lines.join("; ")}.`, fields, problems);
  }
  const text = typeof detail === "string" ? detail : "";
  switch (status) {
    case 403:
      return new ApiError(status, `Not allowed: ${text}.`);
    case 404:
      return new ApiError(status, `Not found: ${text}.`);
    case 409:
      if (body.rule === "version_mismatch") {
        return new ApiError(status, "Someone changed this while you were looking at it. "
          + "The screen has been brought up to date: cancel, check what changed, and try again.");
      }
      return new ApiError(status, `The server refused: ${text}.`);
    case 413:
      return new ApiError(status, `Too large: ${text}.`);
    case 503:
      return new ApiError(status, "The server is busy catching up. Try again in a moment.");
    default:
      return new ApiError(status, text || `The server answered ${status}.`);
  }
}

// One problem of a 422: the field it names (never "body"), the line of a
// list it is on, and the server's message.
export function problemOf(problem) {
  const loc = (problem.loc || []).filter((part) => part !== "body" && part !== "query" && part !== "header");
  const message = String(problem.msg || "is not valid").replace(/^Value error, /, "");
  return {
    field: loc.length ? String(loc[0]) : null,
    line: typeof loc[1] === "number" ? loc[1] : null,
    message,
  };
}

// A problem in words: the field as its form calls it, and no API field
// names in the message ("End time must be after the start", never ends_at).
export function problemWords(problem, labelFor) {
  const message = problem.message.replace(/\b[a-z]+(?:_[a-z0-9]+)+\b/g,
    (name) => MESSAGE_WORDS[name] || labelFor(name).toLowerCase());
  if (!problem.field) return message;
  // A message that already names its field needs no "Field:" before it.
  const label = labelFor(problem.field).toLowerCase();
  if (problem.message.startsWith(problem.field) || new RegExp(`\\b${label.replace(/[^\w ]/g, "")}\\b`).test(message.toLowerCase())) {
    return message.charAt(0).toUpperCase() + message.slice(1);
  }
  const where = problem.line !== null ? ` (line ${problem.line + 1})` : "";
  return `${labelFor(problem.field)}${where}: ${message}`;
}

export function inspectionPath(rest = "") {
  return `/inspections/${encodeURIComponent(state.inspectionId)}${rest}`;
}
