// Paging a wall panel: what does not fit is shown a page at a time, turning
// every few seconds, never scrolled and never cut off. Pinned items (the
// overdue, the newest) stay on every page; the rest is split into pages by
// measuring where each item falls, so one rule serves lists and tile grids.

import { h } from "./words.js";

// Pinned items may take up to this share of a panel; past it they page too.
const PINNED_SHARE = 0.6;

const panels = new Map(); // panel id -> { pages: [[from, to]], shown, rest }

// Draws a panel's items and splits them into pages that fit its body.
export function layOut(panel, { pinned = [], rest = [], listClass = "wall-list", empty = null }) {
  const body = panel.querySelector(".wall-body");
  if (!pinned.length && !rest.length) {
    body.replaceChildren(h("p", { class: "wall-empty" }, empty || "Nothing yet."));
    return remember(panel, [[0, 0]], []);
  }
  // Measured as they will be drawn: pinned (titles in full) and not dense.
  body.classList.remove("dense");
  for (const item of pinned) item.classList.add("pinned");
  const list = h("ul", { class: listClass }, ...pinned, ...rest);
  body.replaceChildren(list);
  const room = body.clientHeight;
  // Pinned items that would crowd out the rest page with it instead (the
  // first pinned come first).
  const keep = pinned.filter((item) => bottom(item) <= room * PINNED_SHARE);
  const paged = [...pinned.filter((item) => !keep.includes(item)), ...rest];
  for (const item of paged) item.classList.remove("pinned");
  list.replaceChildren(...keep, ...paged);
  // Titles in full while all fits; once it pages, the unpinned take one
  // line each (display.css), so that a page holds more.
  let pages = pagesOf(paged, room);
  if (pages.length > 1) {
    body.classList.add("dense");
    pages = pagesOf(paged, room);
  }
  return remember(panel, pages, paged);
}

function bottom(item) {
  return item.offsetTop + item.offsetHeight;
}

// [from, to) of each page: an item starts a new page when it would reach
// past the body's bottom once the page's first item sits where the first
// of the paged items sits now.
function pagesOf(items, room) {
  if (!items.length) return [[0, 0]];
  const start = items[0].offsetTop;
  const pages = [];
  let from = 0;
  items.forEach((item, i) => {
    if (i > from && bottom(item) - items[from].offsetTop + start > room) {
      pages.push([from, i]);
      from = i;
    }
  });
  pages.push([from, items.length]);
  return pages;
}

function remember(panel, pages, items) {
  const was = panels.get(panel.id);
  const shown = was ? was.shown % pages.length : 0;
  panels.set(panel.id, { pages, shown, items });
  show(panel);
}

function show(panel) {
  const { pages, shown, items } = panels.get(panel.id);
  const [from, to] = pages[shown];
  items.forEach((item, i) => { item.hidden = i < from || i >= to; });
  const label = panel.querySelector(".wall-page");
  label.textContent = pages.length > 1 ? `Page ${shown + 1} of ${pages.length}` : "";
  panel.dataset.page = String(shown + 1);
  panel.dataset.pages = String(pages.length);
}

// The next page of every panel that has more than one.
export function turnPages() {
  for (const [id, paging] of panels) {
    if (paging.pages.length < 2) continue;
    paging.shown = (paging.shown + 1) % paging.pages.length;
    show(document.getElementById(id));
  }
}
