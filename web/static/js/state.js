// The page's state: one object, so it is easy to see what the page holds.

export const state = {
  // Signed in by the session's cookie (HttpOnly: no script reads it); the
  // page holds no token, only the CSRF token its commands carry.
  csrf: null,
  me: null,
  inspectionId: null,
  inspection: null, // title, phase, timezone, inspectors
  past: null, // null when live; the log position being replayed otherwise
  // Replaying by a clock: { kind: "happened_by" | "as_of", instant } (then
  // `past` is the newest position the replay reads); null otherwise.
  pastClock: null,
  livePosition: 0, // the newest position the page knows of
  lastSeen: 0, // the newest position the stream (or a read) has delivered
  events: new Map(), // this inspection's events by position, for KIT and feed
  firstEvent: null, // the position the inspection was opened at
  newestEvent: 0,
  data: {}, // each panel's latest answer
  readSeq: {}, // each panel's latest read, so a slow old answer never wins
  pending: new Set(), // panels a live event has touched, not yet re-read
  pendingPosition: 0,
  flushTimer: null,
  source: null,
  reconnectTimer: null,
  connection: "connecting",
  flashReady: false, // no outlines while the first screen is drawn
  // The version each thing had after the person's own last command on it
  // (the command's answer): a card drawn before that answer came back still
  // shows the version before it, and If-Match must not send that one.
  ownVersions: new Map(),
};

// What a read of the past asks: a clock and its instant, or a log position.
export function pastQuery() {
  const clock = state.pastClock;
  return clock ? `${clock.kind}=${encodeURIComponent(clock.instant)}` : `at=${state.past}`;
}
