// A secret link shown once (issue 24): a box that stays until the person
// dismisses it, with the link in a read-only field and a Copy button. The
// clipboard may be refused (an insecure origin, a browser's policy): then the
// link is selected, for the person to copy with their keyboard or menu.

import { toast } from "./dialog.js";
import { fill, h } from "./dom.js";

export function showLinkBox(container, about, url) {
  const input = h("input", { class: "link-url", readonly: true, value: url, "aria-label": "The link" });
  const box = h("div", { class: "link-box", role: "status" },
    h("p", { class: "link-about" }, about),
    h("div", { class: "link-row" }, input,
      h("button", { type: "button", class: "primary link-copy", onclick: () => copyLink(input) }, "Copy")),
    h("p", { class: "hint" }, "Shown once: copy it now and add it to your calendar as a subscription. "
      + "Anyone with the link can read the calendar it opens."),
    h("p", {}, h("button", { type: "button", class: "small link-dismiss", onclick: () => { container.hidden = true; fill(container); } }, "Done, hide the link")));
  fill(container, box);
  container.hidden = false;
  input.focus();
  input.select();
}

async function copyLink(input) {
  try {
    await navigator.clipboard.writeText(input.value);
    toast("Link copied.");
  } catch {
    input.focus();
    input.select();
    toast("The link is selected: copy it with Ctrl+C (or your menu).", "warn");
  }
}
