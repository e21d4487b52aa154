// The hand-over ledger panel.

import { VALUE_WORDS } from "../config.js";
import { $, fill, h, lowerFirst, versionWords, words } from "../dom.js";
import { lines } from "../forms.js";
import { fmtHappened } from "../time.js";

export function renderLedger(answer) {
  const lines = [...answer.lines].reverse().slice(0, 12);
  $("#ledger-summary").textContent = `${answer.lines.length} handed over`;
  if (!lines.length) {
    fill("#ledger-body", h("p", { class: "empty" }, "Nothing handed over yet."));
    return;
  }
  fill("#ledger-body", h("ol", { class: "ledger-lines" }, lines.map((line) =>
    h("li", { dataset: { line: line.line } },
      h("div", { class: "card-title" },
        h("span", { class: "line-no" }, `#${line.line}`), " ", line.request),
      h("div", { class: "card-meta" },
        `${line.document}${line.version ? ` ${versionWords(line.version)}` : ""} → ${line.to_name}`
          + ` (${lowerFirst(VALUE_WORDS.media[line.medium] || words(line.medium))})`),
      // A case's copy (kind "case_copy") has no request, approval or stored document.
      line.sha256
        ? h("div", { class: "card-meta muted" },
          `${fmtHappened(line.occurred_at, line.recorded_at)} · approved ${line.approved_by} · checked ${line.checked_by}`
            + ` · released ${line.released_by} · `, h("code", { title: line.sha256 }, line.sha256.slice(0, 10)))
        : h("div", { class: "card-meta muted" },
          `${fmtHappened(line.occurred_at, line.recorded_at)} · handed over by ${line.released_by}`)))));
}
