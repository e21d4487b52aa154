// The contact list (issue 24): who the war room reaches for during the
// inspection, by group, with telephone and email as links a phone can use.
// Change and Remove as the server offers them on each contact.

import { api, inspectionPath } from "../api.js";
import { openForm } from "../dialog.js";
import { fill, h, offeredButton, plural } from "../dom.js";
import { changeContactForm, removeContactForm } from "../forms.js";
import { pastQuery, state } from "../state.js";

let seq = 0;

export async function renderContacts() {
  const mine = ++seq;
  const when = state.past !== null ? pastQuery() : `min_position=${state.livePosition}`;
  let answer;
  try {
    answer = await api(`${inspectionPath("/contacts")}?${when}`);
  } catch (error) {
    fill("#contacts-body", h("p", { class: "error" }, error.message));
    return;
  }
  if (mine !== seq) return;
  const groups = new Map();
  for (const c of answer.contacts) {
    const group = c.group || "Others";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push(c);
  }
  fill("#contacts-body",
    h("p", { class: "summary-line" }, plural(answer.contacts.length, "contact")),
    answer.contacts.length
      ? [...groups].map(([group, people]) => h("section", { class: "contact-group" },
        h("h3", {}, group),
        h("ul", { class: "contacts" }, people.map(renderContact))))
      : h("p", { class: "empty" }, "Nobody on the contact list yet."));
}

function renderContact(c) {
  const tel = c.phone ? c.phone.replace(/[^0-9+]/g, "") : null;
  return h("li", { class: "contact", dataset: { contactId: c.id } },
    h("div", { class: "contact-who" },
      h("strong", { class: "contact-name" }, c.name),
      c.role || c.organisation
        ? h("span", { class: "muted" }, [c.role, c.organisation].filter(Boolean).join(", "))
        : null),
    h("div", { class: "contact-how" },
      c.phone ? h("a", { href: `tel:${tel}`, class: "contact-phone" }, c.phone) : null,
      c.email ? h("a", { href: `mailto:${c.email}`, class: "contact-email" }, c.email) : null,
      c.location ? h("span", { class: "contact-where" }, c.location) : null),
    h("div", { class: "row-actions" },
      offeredButton(c, "changeContact", "Change", () => openForm(changeContactForm(c))),
      offeredButton(c, "removeContact", "Remove", () => openForm(removeContactForm(c)))));
}
