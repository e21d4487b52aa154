// Time, always shown in the inspection's own time zone.

import { h } from "./dom.js";
import { state } from "./state.js";

export function zone() {
  return state.inspection?.timezone || "Europe/London";
}

export function fmt(iso, options) {
  if (!iso) return "";
  return new Intl.DateTimeFormat("en-GB", { timeZone: zone(), ...options }).format(new Date(iso));
}

export const fmtTime = (iso) => fmt(iso, { hour: "2-digit", minute: "2-digit" });
export const fmtDayTime = (iso) =>
  fmt(iso, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
export const fmtFull = (iso) =>
  fmt(iso, {
    weekday: "short", day: "numeric", month: "short", year: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });

// "YYYY-MM-DD" and "HH:MM" of an instant, in the inspection's zone.
export function zonedParts(date) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone(), year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  for (const p of format.formatToParts(date)) parts[p.type] = p.value;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

// The instant a wall-clock time in the inspection's zone names, as ISO with
// "Z": the server wants a zone, and the browser's own zone may differ.
export function zonedToIso(day, time) {
  const [y, mo, d] = day.split("-").map(Number);
  const [hh, mm] = time.split(":").map(Number);
  const wanted = Date.UTC(y, mo - 1, d, hh, mm);
  let guess = wanted;
  for (let i = 0; i < 2; i += 1) {
    const shown = zonedParts(new Date(guess));
    const [sy, smo, sd] = shown.day.split("-").map(Number);
    const [sh, sm] = shown.time.split(":").map(Number);
    guess += wanted - Date.UTC(sy, smo - 1, sd, sh, sm);
  }
  return new Date(guess).toISOString();
}

// When a thing happened, and when it was written down if that was more than
// a minute later: "08:10, written down 11:07" (one clock; rendering/when.py).
export function fmtHappened(occurred, recorded, format = fmtDayTime) {
  const happened = occurred || recorded;
  if (!happened) return "";
  const late = fmtWrittenDown(occurred, recorded);
  return late ? `${format(happened)}, ${late}` : format(happened);
}

// "written down 11:07" when that was more than a minute after it happened;
// else "" (for lists that put when it happened first and this after).
export function fmtWrittenDown(occurred, recorded) {
  const happened = occurred || recorded;
  if (!happened || !recorded || Date.parse(recorded) - Date.parse(happened) <= 60_000) return "";
  const sameDay = zonedParts(new Date(happened)).day === zonedParts(new Date(recorded)).day;
  return `written down ${sameDay ? fmtTime(recorded) : fmtDayTime(recorded)}`;
}

export function todayInZone() {
  return zonedParts(new Date()).day;
}

export function fmtAge(seconds) {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}
