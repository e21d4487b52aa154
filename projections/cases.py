"""The case board: 18 audited and 12 tracked cases, who knows, who browsed.

A case's items browsed (`items`: each item's count, and its newest browse)
has no bound: an access log may name a new item on every row. So it is held
as a persistent map (`immutables.Map`, a hash array mapped trie): a browse
makes a new map that shares all but a few nodes with the old one, in the
same time however many items the case has, and the checkpoints of past views
share them too (a copied dict made the fold of a case's n-th browse cost n:
issue 22). For the same reason the row the live stream sends for a case
leaves `items` out: the page reads the board again, which shows them.

And the board shows a case's newest `ITEMS_SHOWN` items alone, with how many
there are (`items_total`): a case browsed item by item from a 50,000-row
access log made the board 1 MB, read in 348 ms at p99 (issue 22). The newest
are kept as they are folded (`newest`, at most `ITEMS_SHOWN`, newest first),
so the board never sorts the map; `browsed_page` reads the whole list a page
at a time (`GET .../cases/{case_id}/browsed`).
"""

from __future__ import annotations

import heapq
import threading
from collections import OrderedDict
from operator import itemgetter
from typing import Any, ClassVar, Self, cast

from immutables import Map
from typing_extensions import TypedDict, Unpack

from projections.base import Folds, ModelJson, ReadModel, each_rendered
from projections.events import LoggedEvent
from warroom.domain.base import NotFound
from warroom.domain.case import COPIES, PARTIES

# The sample of an inspection opened from no template (or one that names
# none): a template's own (`[sample]`, copied by PlaybookStarted) replaces it.
EXPECTED = {"audited": 18, "tracked": 12}

# The items browsed a case's row shows: its newest, by when they were browsed.
ITEMS_SHOWN = 20

# An item browsed: its newest browse (when it happened, in seconds since the
# epoch, and the log position of its event: two browses at one instant are
# told apart by the order they were stored), how many times, and when it
# happened as stored. In this order, so that the tuples sort newest last.
ItemBrowsed = tuple[float, int, int, str]
# One of a case's newest items: (seconds, position, item), ordered as they sort.
Newest = tuple[float, int, str]


class LastBrowse(TypedDict):
    inspector: str
    item: str
    at: str  # when it happened
    recorded_at: str  # when it was written down (an access log comes later)


class NamedLastBrowse(LastBrowse):
    inspector_name: str


class CopyRecord(TypedDict):
    made: bool
    made_by: str | None
    handed_to: str | None  # an inspector's id for the inspector's copy
    medium: str | None
    handed_over_by: str | None
    handed_over_at: str | None


class CaseAudit(TypedDict):
    """The audit in full (issue 15); a tracked case uses its folder and copies."""

    auditor: str | None
    multi_agency_review: bool
    multi_agency_note: str | None
    form_complete: bool
    reason: str | None  # of the judgement, when given with one
    judged_by: str | None
    seen_by: list[str]  # social_worker, team_manager
    folder_ready: bool
    copies: dict[str, CopyRecord]  # inspector, council, social_worker


class AuditProgress(TypedDict):
    done: int
    of: int
    next: str | None  # the first step still to do


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
    judgement: str | None  # the latest of the two below, whoever gave it
    # The two judgements kept apart (issue 23): the inspector's (JudgeCase)
    # and ours, with its reason, concluding our audit (ConcludeCaseAudit).
    inspector_judgement: str | None
    our_judgement: str | None
    browse_count: int
    browsed_by: dict[str, int]  # inspector -> times; by name in a row
    # Why it was selected beyond the sample; None: within it.
    over_reason: str | None


class LiveCase(_CaseFields):
    """A case as the live stream sends it: without its items browsed."""

    last_browse: LastBrowse | None
    audit: CaseAudit


class CaseRecord(LiveCase):
    items: Map[str, ItemBrowsed]  # every item browsed
    newest: list[Newest]  # the newest ITEMS_SHOWN of them, newest first


class CaseRow(_CaseFields):
    # The newest `items_shown` items browsed, newest first: item -> times.
    items: dict[str, int]
    items_shown: int
    # How many different items were browsed: the rest are read a page at a
    # time from GET .../cases/{case_id}/browsed.
    items_total: int
    last_browse: NamedLastBrowse | None
    not_yet_notified: list[str]
    audit: CaseAudit
    audit_progress: AuditProgress
    # The commands the caller may send on it now (GET /api/meta's names):
    # none from the read model, which knows no caller; web/offers.py adds them.
    actions: list[str]


class CaseChange(TypedDict, total=False):
    """What an event after the first may change of a case."""

    notified: list[str]
    judgement: str | None
    inspector_judgement: str | None
    our_judgement: str | None
    browse_count: int
    browsed_by: dict[str, int]
    items: Map[str, ItemBrowsed]
    newest: list[Newest]
    last_browse: LastBrowse | None
    audit: CaseAudit


class BrowsedItem(TypedDict):
    item: str
    times: int
    last_at: str  # when its newest browse happened


class BrowsedPage(TypedDict):
    """A page of a case's items browsed, newest first."""

    case_id: str
    ref: str
    items: list[BrowsedItem]
    offset: int
    limit: int
    total: int  # every item browsed, on every page


class CopyChange(TypedDict, total=False):
    made: bool
    made_by: str | None
    handed_to: str | None
    medium: str | None
    handed_over_by: str | None
    handed_over_at: str | None


class AuditChange(TypedDict, total=False):
    auditor: str | None
    multi_agency_review: bool
    multi_agency_note: str | None
    form_complete: bool
    reason: str | None
    judged_by: str | None
    seen_by: list[str]
    folder_ready: bool
    copies: dict[str, CopyRecord]


class CasesAnswer(TypedDict):
    cases: list[CaseRow]
    counts: dict[str, int]
    expected: dict[str, int]
    notifications_outstanding: int
    # The template's sample (None: the inspection has none, and no case
    # needs a reason to be selected); `expected` is it when there is one.
    sample: dict[str, int] | None


class Cases(ReadModel):
    name = "cases"

    def __init__(self) -> None:
        self.cases: dict[str, CaseRecord] = {}
        self.expected: dict[str, int] = EXPECTED
        # The template's sample, if it has one: only then does a case beyond
        # it need a reason (`SelectCase.over_reason`).
        self.sample: dict[str, int] | None = None

    def on_PlaybookStarted(self, e: LoggedEvent) -> None:
        if e.data.get("sample"):
            self.sample = dict(e.data["sample"])
            self.expected = self.sample

    def on_CaseSelected(self, e: LoggedEvent) -> LiveCase:
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
            "inspector_judgement": None,
            "our_judgement": None,
            "browse_count": 0,
            "browsed_by": {},
            "over_reason": d.get("over_reason"),
            "items": Map(),
            "newest": [],
            "last_browse": None,
            "audit": _new_audit(),
        }
        self.cases[e.aggregate_id] = case
        return _live(case)

    def on_CaseNotified(self, e: LoggedEvent) -> LiveCase:
        old = self.cases[e.aggregate_id]
        return self._update(e, notified=[*old["notified"], e.data["party"]])

    def on_CaseAuditJudged(self, e: LoggedEvent) -> LiveCase:
        self._update(
            e, judgement=e.data["judgement"], inspector_judgement=e.data["judgement"]
        )
        # A new judgement is one the social worker and team manager have not seen.
        return self._audit(e, seen_by=[])

    def on_CaseBrowsed(self, e: LoggedEvent) -> LiveCase:
        old = self.cases[e.aggregate_id]
        inspector, item = e.data["inspector"], e.data["item"]
        items, newest = _browsed(old, item, e)
        return self._update(
            e,
            browse_count=old["browse_count"] + 1,
            browsed_by={
                **old["browsed_by"],
                inspector: old["browsed_by"].get(inspector, 0) + 1,
            },
            items=items,
            newest=newest,
            last_browse={
                "inspector": inspector,
                "item": item,
                "at": e.occurred_iso,
                "recorded_at": e.recorded_iso,
            },
        )

    # --- the audit in full (issue 15) ---

    def on_CaseAuditorAssigned(self, e: LoggedEvent) -> LiveCase:
        return self._audit(e, auditor=e.data["auditor"])

    def on_CaseMultiAgencyReviewed(self, e: LoggedEvent) -> LiveCase:
        return self._audit(
            e, multi_agency_review=True, multi_agency_note=e.data["note"]
        )

    def on_CaseAuditFormCompleted(self, e: LoggedEvent) -> LiveCase:
        return self._audit(e, form_complete=True)

    def on_CaseAuditConcluded(self, e: LoggedEvent) -> LiveCase:
        self._update(
            e, judgement=e.data["judgement"], our_judgement=e.data["judgement"]
        )
        return self._audit(
            e, reason=e.data["reason"], judged_by=e.actor_name, seen_by=[]
        )

    def on_CaseJudgementSeen(self, e: LoggedEvent) -> LiveCase:
        seen = self.cases[e.aggregate_id]["audit"]["seen_by"]
        return self._audit(e, seen_by=[*seen, e.data["by"]])

    def on_CaseFolderReady(self, e: LoggedEvent) -> LiveCase:
        return self._audit(e, folder_ready=True)

    def on_CaseCopyMade(self, e: LoggedEvent) -> LiveCase:
        return self._copy(e, made=True, made_by=e.actor_name)

    def on_CaseCopyHandedOver(self, e: LoggedEvent) -> LiveCase:
        return self._copy(
            e,
            handed_to=e.data["to"],
            medium=e.data["medium"],
            handed_over_by=e.actor_name,
            handed_over_at=e.occurred_iso,
        )

    def on_CaseCopyReleased(self, e: LoggedEvent) -> LiveCase:
        # The inspector's copy, by the gatekeeper: `to` is an inspector's id.
        return self.on_CaseCopyHandedOver(e)

    def _copy(self, e: LoggedEvent, **fields: Unpack[CopyChange]) -> LiveCase:
        copies = self.cases[e.aggregate_id]["audit"]["copies"]
        which = e.data["copy"]
        return self._audit(e, copies={**copies, which: {**copies[which], **fields}})

    def _audit(self, e: LoggedEvent, **fields: Unpack[AuditChange]) -> LiveCase:
        audit: CaseAudit = {**self.cases[e.aggregate_id]["audit"], **fields}
        return self._update(e, audit=audit)

    def _update(self, e: LoggedEvent, **fields: Unpack[CaseChange]) -> LiveCase:
        case: CaseRecord = {
            **self.cases[e.aggregate_id],
            **fields,
            "version": e.aggregate_version,
        }
        self.cases[e.aggregate_id] = case
        return _live(case)

    folds: ClassVar[Folds] = {
        "PlaybookStarted": on_PlaybookStarted,
        "CaseSelected": on_CaseSelected,
        "CaseNotified": on_CaseNotified,
        "CaseAuditJudged": on_CaseAuditJudged,
        "CaseBrowsed": on_CaseBrowsed,
        "CaseAuditorAssigned": on_CaseAuditorAssigned,
        "CaseMultiAgencyReviewed": on_CaseMultiAgencyReviewed,
        "CaseAuditFormCompleted": on_CaseAuditFormCompleted,
        "CaseAuditConcluded": on_CaseAuditConcluded,
        "CaseJudgementSeen": on_CaseJudgementSeen,
        "CaseFolderReady": on_CaseFolderReady,
        "CaseCopyMade": on_CaseCopyMade,
        "CaseCopyHandedOver": on_CaseCopyHandedOver,
        "CaseCopyReleased": on_CaseCopyReleased,
    }

    def to_json(self) -> ModelJson:
        return {
            "cases": {
                i: {**c, "items": dict(c["items"])} for i, c in self.cases.items()
            },
            "expected": self.expected,
            "sample": self.sample,
        }

    @classmethod
    def from_json(cls, raw: ModelJson) -> Self:
        model = cls()
        model.expected = raw.get("expected", EXPECTED)
        model.sample = raw.get("sample")
        model.cases = {
            i: cast(
                CaseRecord,
                {
                    **c,
                    "items": Map(
                        {k: cast(ItemBrowsed, tuple(v)) for k, v in c["items"].items()}
                    ),
                    "newest": [cast(Newest, tuple(n)) for n in c["newest"]],
                },
            )
            for i, c in raw["cases"].items()
        }
        return model

    def browsed(self, case_id: str) -> CaseRecord:
        """The case's record (its `items` a map no fold changes in place:
        `browsed_page` may read it after the read models moved on)."""
        case = self.cases.get(case_id)
        if case is None:
            raise NotFound("no such case in this inspection, or not selected by then")
        return case

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
            "expected": self.expected,
            "notifications_outstanding": sum(
                len(c.get("not_yet_notified", ())) for c in cases
            ),
            "sample": self.sample,
        }

    @staticmethod
    def row(case: CaseRecord, inspector_names: dict[str, str]) -> CaseRow:
        last = case["last_browse"]
        return {
            # A case saved by a read model older than the reason had none.
            "over_reason": None,
            "inspector_judgement": None,
            "our_judgement": None,
            **_live(case),
            "items": {item: case["items"][item][2] for _, _, item in case["newest"]},
            "items_shown": len(case["newest"]),
            "items_total": len(case["items"]),
            "audit_progress": _progress(case),
            "not_yet_notified": [p for p in PARTIES if p not in case["notified"]],
            "actions": [],
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


def _live(case: CaseRecord) -> LiveCase:
    """The case without its items browsed, which have no bound."""
    live: dict[str, Any] = {
        k: v for k, v in case.items() if k not in ("items", "newest")
    }
    return cast(LiveCase, live)


def _browsed(
    case: CaseRecord, item: str, e: LoggedEvent
) -> tuple[Map[str, ItemBrowsed], list[Newest]]:
    """The case's items and its newest ones after a browse of `item`: in the
    same time however many items the case has (issue 22)."""
    before = case["items"].get(item)
    # Comparable whatever offset the time was given in.
    seconds = e.occurred_at.timestamp()
    this: ItemBrowsed = (seconds, e.position, 1, e.occurred_iso)
    if before is not None:
        # An access log may bring an older browse after a newer one.
        newer = this if this > before else before
        this = (newer[0], newer[1], before[2] + 1, newer[3])
    entry: Newest = (this[0], this[1], item)
    newest = case["newest"]
    others = [n for n in newest if n[2] != item]
    if len(others) == len(newest) == ITEMS_SHOWN and entry <= newest[-1]:
        return case["items"].set(item, this), newest  # older than all shown
    shown = sorted([*others, entry], reverse=True)[:ITEMS_SHOWN]
    return case["items"].set(item, this), shown


def browsed_page(case: CaseRecord, offset: int, limit: int) -> BrowsedPage:
    """Items `offset` to `offset + limit` of the case's items browsed, newest
    first, in the order the board shows its newest."""
    items = case["items"]
    if offset < ITEMS_SHOWN * 10:  # the first pages: only what they need
        page = heapq.nlargest(offset + limit, items.items(), key=itemgetter(1))
    else:  # further on: the whole list, sorted once for every page of it
        page = _newest_first(items)
    return {
        "case_id": case["id"],
        "ref": case["ref"],
        "items": [
            {"item": item, "times": times, "last_at": at}
            for item, (_, _, times, at) in page[offset : offset + limit]
        ],
        "offset": offset,
        "limit": limit,
        "total": len(items),
    }


# The last few cases' items sorted whole, by their map (which never changes:
# a browse makes a new one): a reader paging through 50,000 items sorts them
# once, not once a page.
_SORTED: OrderedDict[int, tuple[Map[str, ItemBrowsed], list[Any]]] = OrderedDict()
_SORTED_KEPT = 4
_SORTED_LOCK = threading.Lock()


def _newest_first(items: Map[str, ItemBrowsed]) -> list[tuple[str, ItemBrowsed]]:
    with _SORTED_LOCK:
        kept = _SORTED.get(id(items))
        if kept is not None and kept[0] is items:
            _SORTED.move_to_end(id(items))
            return kept[1]
    ordered = sorted(items.items(), key=itemgetter(1), reverse=True)
    with _SORTED_LOCK:
        _SORTED[id(items)] = (items, ordered)  # the map kept: its id stays its own
        while len(_SORTED) > _SORTED_KEPT:
            _SORTED.popitem(last=False)
    return ordered


def _new_audit() -> CaseAudit:
    no_copy: CopyRecord = {
        "made": False,
        "made_by": None,
        "handed_to": None,
        "medium": None,
        "handed_over_by": None,
        "handed_over_at": None,
    }
    return {
        "auditor": None,
        "multi_agency_review": False,
        "multi_agency_note": None,
        "form_complete": False,
        "reason": None,
        "judged_by": None,
        "seen_by": [],
        "folder_ready": False,
        "copies": {copy: no_copy for copy in COPIES},
    }


def _progress(case: CaseRecord) -> AuditProgress:
    """The steps of the aide-memoire for this case, in order, and how many are done."""
    audit = case.get("audit") or _new_audit()
    steps: list[tuple[str, bool]] = []
    if case["selection"] == "audited":
        steps += [
            ("assign an auditor", audit["auditor"] is not None),
            ("multi-agency review", audit["multi_agency_review"]),
            ("complete the audit form", audit["form_complete"]),
            ("judgement", case["judgement"] is not None),
            ("social worker sees the judgement", "social_worker" in audit["seen_by"]),
            ("team manager sees the judgement", "team_manager" in audit["seen_by"]),
        ]
    else:
        steps.append(("folder ready", audit["folder_ready"]))
    for copy in COPIES:
        record = audit["copies"][copy]
        steps.append((f"make the {copy} copy", record["made"]))
        steps.append((f"hand over the {copy} copy", record["handed_to"] is not None))
    return {
        "done": sum(1 for _, done in steps if done),
        "of": len(steps),
        "next": next((step for step, done in steps if not done), None),
    }
