// What the server says of itself (GET /api/meta): who may run each command,
// where it is sent, the value lists, and which events change which panel.
// Nothing here is copied by hand from the server, so the two cannot drift.

import { api } from "./api.js";
import { state } from "./state.js";

export const meta = {
  commands: new Map(), // command name -> { method, path, roles, schema, ... }
  values: {}, // "channels" -> ["kit", "email", ...]
  panelsForEvent: {}, // event type -> read models (panels) it changes
};

export async function loadMeta() {
  const answer = await api("/meta");
  meta.commands = new Map(answer.commands.map((c) => [c.name, c]));
  meta.values = answer.values;
  meta.panelsForEvent = answer.panels_for_event;
}

// Whether the person signed in may run a command, by its name
// (COMMAND_HANDLERS' model name, e.g. "ReleaseDocument").
export function mayRun(name) {
  const command = meta.commands.get(name);
  return Boolean(state.me && command && command.roles.includes(state.me.role));
}

// A command's path with its ids filled in, without the "/api" prefix. A
// path parameter not named in `ids` takes the next of `ids._rest`, in order
// (for commands found by their path, whose parameter names may differ).
export function commandPath(name, ids) {
  const command = meta.commands.get(name);
  if (!command) throw new Error(`the server has no command ${name}`);
  const rest = [...(ids._rest || [])];
  const path = command.path.replace(/\{(\w+)\}/g, (_, key) => {
    if (key in ids) return encodeURIComponent(ids[key]);
    if (!rest.length) throw new Error(`${name} needs ${key}`);
    return encodeURIComponent(rest.shift());
  });
  return path.replace(/^\/api/, "");
}

// The event types the stream can send, as far as the read models know them.
export function eventTypes() {
  return Object.keys(meta.panelsForEvent);
}

export function values(list) {
  return meta.values[list] || [];
}

// The name of the command sent to a path ending so, or null if none is.
export function commandByPath(suffix) {
  for (const command of meta.commands.values()) {
    if (command.path.endsWith(suffix)) return command.name;
  }
  return null;
}
