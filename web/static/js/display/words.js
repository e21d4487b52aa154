// The wall's small helpers: building elements (text always as text) and
// times in the inspection's own zone. Its own, so the wall loads none of the
// working page's forms and dialogs.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const clock = { zone: "Europe/London" };

function fmt(iso, options) {
  return new Intl.DateTimeFormat("en-GB", { timeZone: clock.zone, ...options }).format(new Date(iso));
}

export const fmtTime = (iso) => fmt(iso, { hour: "2-digit", minute: "2-digit" });
export const fmtDay = (iso) => fmt(iso, { weekday: "short", day: "numeric", month: "short" });

// A moment of today as its time; of another day with that day too ("Mon 7
// Dec, 12:00"), as every other screen says it: a bare 12:00 on the wall
// would read as today's.
export function fmtWhen(iso) {
  const time = fmtTime(iso);
  return dayOf(new Date(iso)) === dayOf(new Date()) ? time : `${fmtDay(iso)}, ${time}`;
}

// "YYYY-MM-DD" of an instant in the inspection's zone.
export function dayOf(date) {
  const parts = {};
  const format = new Intl.DateTimeFormat("en-CA", { timeZone: clock.zone, year: "numeric", month: "2-digit", day: "2-digit" });
  for (const p of format.formatToParts(date)) parts[p.type] = p.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

export function fmtAge(seconds) {
  const minutes = Math.max(0, Math.floor(seconds / 60));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

export function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

// An API value as words: "day3_on_site" -> "Day3 on site" (words.js of the page).
export function words(value) {
  const text = String(value ?? "").replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
