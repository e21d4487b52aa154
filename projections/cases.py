"""The case board: 18 audited and 12 tracked cases, who knows, who browsed."""

from __future__ import annotations

from typing import Any, ClassVar

from projections.base import Folds, ReadModel
from projections.events import LoggedEvent
from warroom.domain.case import PARTIES

EXPECTED = {"audited": 18, "tracked": 12}


class Cases(ReadModel):
    name = "cases"

    def __init__(self) -> None:
        self.cases: dict[str, dict[str, Any]] = {}

    def on_CaseSelected(self, e: LoggedEvent) -> dict[str, Any]:
        d = e.data
        case = {
            "id": e.aggregate_id,
            "version": e.aggregate_version,
            "ref": d["ref"],
            "selection": d["selection"],
            "plan": d["plan"],
            "social_worker": d["social_worker"],
            "team_manager": d["team_manager"],
            "iro": d["iro"],
            "notified": [],
            "judgement": None,
            "browse_count": 0,
            "browsed_by": {},
            "items": {},
            "last_browse": None,
        }
        self.cases[e.aggregate_id] = case
        return case

    def on_CaseNotified(self, e: LoggedEvent) -> dict[str, Any]:
        old = self.cases[e.aggregate_id]
        return self._update(e, notified=[*old["notified"], e.data["party"]])

    def on_CaseAuditJudged(self, e: LoggedEvent) -> dict[str, Any]:
        return self._update(e, judgement=e.data["judgement"])

    def on_CaseBrowsed(self, e: LoggedEvent) -> dict[str, Any]:
        old = self.cases[e.aggregate_id]
        inspector, item = e.data["inspector"], e.data["item"]
        return self._update(
            e,
            browse_count=old["browse_count"] + 1,
            browsed_by={
                **old["browsed_by"],
                inspector: old["browsed_by"].get(inspector, 0) + 1,
            },
            items={**old["items"], item: old["items"].get(item, 0) + 1},
            last_browse={
                "inspector": inspector,
                "item": item,
                "at": e.occurred_iso,
            },
        )

    def _update(self, e: LoggedEvent, **fields: Any) -> dict[str, Any]:
        case = {**self.cases[e.aggregate_id], **fields, "version": e.aggregate_version}
        self.cases[e.aggregate_id] = case
        return case

    folds: ClassVar[Folds] = {
        "CaseSelected": on_CaseSelected,
        "CaseNotified": on_CaseNotified,
        "CaseAuditJudged": on_CaseAuditJudged,
        "CaseBrowsed": on_CaseBrowsed,
    }

    def render(self, inspector_names: dict[str, str]) -> dict[str, Any]:
        rows = sorted(self.cases.values(), key=lambda c: (c["selection"], c["ref"]))
        cases = [self.row(c, inspector_names) for c in rows]
        counts = {
            selection: sum(1 for c in rows if c["selection"] == selection)
            for selection in EXPECTED
        }
        return {
            "cases": cases,
            "counts": counts,
            "expected": EXPECTED,
            "notifications_outstanding": sum(len(c["not_yet_notified"]) for c in cases),
        }

    @staticmethod
    def row(case: dict[str, Any], inspector_names: dict[str, str]) -> dict[str, Any]:
        last = case["last_browse"]
        return {
            **case,
            "not_yet_notified": [p for p in PARTIES if p not in case["notified"]],
            "browsed_by": {
                inspector_names.get(i, i): n for i, n in case["browsed_by"].items()
            },
            "last_browse": {
                **last,
                "inspector_name": inspector_names.get(
                    last["inspector"], last["inspector"]
                ),
            }
            if last
            else None,
        }
