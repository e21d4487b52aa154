// The inspection and its people: the phase and roster, and (for the admin)
// the users, with a sign-in link right after a user is added or given a new
// token. The link carries a one-time secret of its own in its fragment
// (/#token=...), which browsers never send to a server; the page it opens
// exchanges it for a session, and it is spent.

import { api } from "../api.js";
import { openForm, toast } from "../dialog.js";
import { $, fill, h, offeredButton, words } from "../dom.js";
import { copyText } from "../detail.js";
import { emailForm, limitForm, revokeForm, rotateForm } from "../forms.js";
import { mayRun } from "../meta.js";
import { state } from "../state.js";
import { fmtDayTime } from "../time.js";
import { renderWalls } from "../device.js";

export function signInLink(answer) {
  // The server's own path (a one-time secret); a bearer token's link else.
  if (answer.sign_in_path) return `${window.location.origin}${answer.sign_in_path}`;
  return `${window.location.origin}/#token=${encodeURIComponent(answer.token)}`;
}

export async function renderAdmin() {
  renderWalls(); // wall screens: connect one, see and disconnect them (issue 25)
  const inspectors = state.inspection?.inspectors || [];
  fill("#admin-inspectors", inspectors.length
    ? inspectors.map((i) => h("li", {}, i.name, i.agency ? h("span", { class: "muted" }, ` · ${i.agency}`) : null))
    : h("li", { class: "empty" }, "No inspectors yet."));
  if (!mayRun("AddUser")) {
    fill("#admin-users", h("p", { class: "muted" }, "Only an admin manages users."));
    return;
  }
  let users;
  try {
    ({ users } = await api("/users"));
  } catch (error) {
    fill("#admin-users", h("p", { class: "error" }, error.message));
    return;
  }
  fill("#admin-users", h("table", { class: "users" },
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Role"),
      h("th", { scope: "col" }, "Email"), h("th", { scope: "col" }, "Sign-in"), h("th", { scope: "col" }, "Actions"))),
    h("tbody", {}, users.map((user) => h("tr", { dataset: { userId: user.id } },
      h("td", {}, user.name),
      h("td", {}, words(user.role)),
      h("td", { class: "email", dataset: { label: "Email" } }, user.email || h("span", { class: "muted" }, "None")),
      h("td", { class: "token-state", dataset: { label: "Sign-in" } }, "…"),
      h("td", { class: "row-actions" },
        offeredButton(user, "rotate", "New sign-in link", () => openForm(rotateForm(user))),
        offeredButton(user, "revoke", "Revoke", () => openForm(revokeForm(user))),
        offeredButton(user, "limit", "Limit to inspections", () => openForm(limitForm(user))),
        offeredButton(user, "email", "Email address", () => openForm(emailForm(user)))))))));
  // Whether each token is live, revoked or expired.
  for (const user of users) {
    api(`/users/${encodeURIComponent(user.id)}`).then((found) => {
      const cell = document.querySelector(`tr[data-user-id="${CSS.escape(user.id)}"] .token-state`);
      if (!cell) return;
      const t = found.token;
      cell.textContent = t.revoked ? "Revoked" : !t.live ? "Expired or none"
        : t.expires_at ? `Live until ${fmtDayTime(t.expires_at)}` : "Live";
    }).catch(() => {});
  }
}

// After adding a user or rotating a token: the one chance to see the link.
// (forms.js names this as the `after` of those forms.)
export function afterUserChange(answer, spec) {
  if (!answer.token) {
    renderAdmin();
    return;
  }
  const who = answer.name || spec.about.split(":")[0];
  $("#sign-in-link-about").textContent = `Sign-in link for ${who}:`;
  $("#sign-in-link-url").value = signInLink(answer);
  $("#sign-in-link").hidden = false;
  renderAdmin();
}


export function copySignInLink() {
  const url = $("#sign-in-link-url").value;
  if (url) copyText(url, "Sign-in link");
  else toast("No link to copy.", "warn");
}
