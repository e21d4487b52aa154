// The feed of the latest changes.

import { $, eventWords, fill, h } from "../dom.js";
import { eventsUpTo } from "../events.js";
import { state } from "../state.js";
import { fmtTime } from "../time.js";

export function renderFeed() {
  const latest = eventsUpTo(state.past).reverse().slice(0, 15);
  fill("#feed-body", ...latest.map((e) => h("li", { dataset: { position: e.position } },
    h("span", { class: "feed-time" }, fmtTime(e.recorded_at)), " ",
    h("span", { class: "feed-type" }, eventWords(e.type)),
    " ", h("span", { class: "muted" }, `${e.actor_name} · #${e.position}`))));
}
