// The wall (a screen 1400 px wide or more): nothing scrolls there, since
// nobody scrolls a wall. The grid in app.css gives the schedule, requests
// and cases what they need; here, KIT & enquiries and the latest changes
// share the side column's lower part by what each needs: KIT first (what it
// says cannot be left out), the feed the rest (it shows the newest lines
// that fit, feed.js).

import { $ } from "./dom.js";
import { renderFeed } from "./panels/feed.js";

const WALL = window.matchMedia("(min-width: 1400px) and (min-height: 700px)");
// The feed keeps room for a few lines, whatever KIT needs.
const FEED_AT_LEAST_REM = 8;

// The height of an element's content, overflowing or not, with its padding.
function contentHeight(el) {
  if (el.scrollHeight > el.clientHeight) return el.scrollHeight;
  const range = document.createRange();
  range.selectNodeContents(el);
  const style = getComputedStyle(el);
  return Math.ceil(range.getBoundingClientRect().height
    + parseFloat(style.paddingTop) + parseFloat(style.paddingBottom)) + 4;
}

// What a panel needs: its header and other parts as they are, its body's content.
function panelNeed(panel) {
  let need = 2; // its borders
  for (const child of panel.children) {
    need += child.classList.contains("body") ? contentHeight(child) : child.offsetHeight;
  }
  return need;
}

export function fitWall() {
  const grid = $("#view-wall");
  if (!WALL.matches || grid.hidden) {
    grid.style.gridTemplateRows = "";
    return;
  }
  const gap = parseFloat(getComputedStyle(grid).rowGap) || 0;
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  const cases = panelNeed($("#panel-cases"));
  // First the feed beside all of the cases, and KIT above; then KIT takes
  // from the feed what it lacks.
  grid.style.gridTemplateRows = `fit-content(45%) 1fr 0px ${cases - gap}px`;
  const kit = $("#panel-kit");
  const short = Math.max(0, panelNeed(kit) - kit.getBoundingClientRect().height);
  const give = Math.min(Math.ceil(short), Math.max(0, cases - gap - FEED_AT_LEAST_REM * rem));
  if (give > 0) grid.style.gridTemplateRows = `fit-content(45%) 1fr ${give}px ${cases - gap - give}px`;
  renderFeed();
}

let pending = false;
// After a panel is drawn: once per frame, however many were drawn.
export function fitWallSoon() {
  if (pending) return;
  pending = true;
  window.requestAnimationFrame(() => {
    pending = false;
    fitWall();
  });
}

// Called once the page is wired: on a resize, and whatever draws KIT, the
// enquiries or the cases (a read, the stream, the log kept in the page), the
// share is worked out again when their content changes size. (Their width
// does not change with the rows: no loop.)
export function watchWall() {
  WALL.addEventListener("change", fitWallSoon);
  window.addEventListener("resize", fitWallSoon);
  const contentWatch = new ResizeObserver(fitWallSoon);
  for (const id of ["#kit-body", "#enquiries-body", "#cases-body", "#latest-browse"]) {
    contentWatch.observe($(id));
  }
}
