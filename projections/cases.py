"""The case board: 18 audited and 12 tracked cases, who knows, who browsed."""

from __future__ import annotations

from typing import ClassVar

from typing_extensions import TypedDict, Unpack

from projections.base import Folds, ReadModel, each_rendered
from projections.events import LoggedEvent
from warroom.domain.case import PARTIES

EXPECTED = {"audited": 18, "tracked": 12}


class LastBrowse(TypedDict):
    inspector: str
    item: str
    at: str


class NamedLastBrowse(LastBrowse):
    inspector_name: str


class _CaseFields(TypedDict):
    """What a case's record and its row share; they differ in `last_browse`."""

    id: str
    version: int
    ref: str
    selection: str
    plan: str
    social_worker: str | None
    team_manager: str | None
    iro: str | None
    notified: list[str]
    judgement: str | None
    browse_count: int
    browsed_by: dict[str, int]  # inspector -> times; by name in a row
    items: dict[str, int]


class CaseRecord(_CaseFields):
    last_browse: LastBrowse | None


class CaseRow(_CaseFields):
    last_browse: NamedLastBrowse | None
    not_yet_notified: list[str]


class CaseChange(TypedDict, total=False):
    """What an event after the first may change of a case."""

    notified: list[str]
    judgement: str | None
    browse_count: int
    browsed_by: dict[str, int]
    items: dict[str, int]
    last_browse: LastBrowse | None


class CasesAnswer(TypedDict):
    cases: list[CaseRow]
    counts: dict[str, int]
    expected: dict[str, int]
    notifications_outstanding: int


class Cases(ReadModel):
    name = "cases"

    def __init__(self) -> None:
        self.cases: dict[str, CaseRecord] = {}

    def on_CaseSelected(self, e: LoggedEvent) -> CaseRecord:
        d = e.data
        case: CaseRecord = {
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

    def on_CaseNotified(self, e: LoggedEvent) -> CaseRecord:
        old = self.cases[e.aggregate_id]
        return self._update(e, notified=[*old["notified"], e.data["party"]])

    def on_CaseAuditJudged(self, e: LoggedEvent) -> CaseRecord:
        return self._update(e, judgement=e.data["judgement"])

    def on_CaseBrowsed(self, e: LoggedEvent) -> CaseRecord:
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

    def _update(self, e: LoggedEvent, **fields: Unpack[CaseChange]) -> CaseRecord:
        case: CaseRecord = {
            **self.cases[e.aggregate_id],
            **fields,
            "version": e.aggregate_version,
        }
        self.cases[e.aggregate_id] = case
        return case

    folds: ClassVar[Folds] = {
        "CaseSelected": on_CaseSelected,
        "CaseNotified": on_CaseNotified,
        "CaseAuditJudged": on_CaseAuditJudged,
        "CaseBrowsed": on_CaseBrowsed,
    }

    def render(self, inspector_names: dict[str, str]) -> CasesAnswer:
        rows = sorted(self.cases.values(), key=lambda c: (c["selection"], c["ref"]))
        cases = each_rendered(rows, lambda c: self.row(c, inspector_names))
        counts = {
            selection: sum(1 for c in rows if c["selection"] == selection)
            for selection in EXPECTED
        }
        return {
            "cases": cases,
            "counts": counts,
            "expected": EXPECTED,
            "notifications_outstanding": sum(
                len(c.get("not_yet_notified", ())) for c in cases
            ),
        }

    @staticmethod
    def row(case: CaseRecord, inspector_names: dict[str, str]) -> CaseRow:
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
