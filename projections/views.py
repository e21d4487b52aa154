"""All read models of all inspections, as of one position in the log."""

from __future__ import annotations

import logging
from typing import TypeVar

from typing_extensions import TypedDict

from projections.annex_a import AnnexA
from projections.base import Fold, ModelJson, ReadModel, Row
from projections.blog import Blog
from projections.calendar_links import CalendarLinks
from projections.cases import Cases
from projections.debriefs import Debriefs
from projections.events import LoggedEvent
from projections.inspection import InspectionSummary
from projections.kit_notes import KitNotes
from projections.ledger import Ledger
from projections.lines_of_enquiry import LinesOfEnquiry
from projections.playbook import Playbook
from projections.requests import Requests
from projections.schedule import Schedule

MODELS: tuple[type[ReadModel], ...] = (
    InspectionSummary,
    Schedule,
    Requests,
    Ledger,
    Cases,
    Blog,
    LinesOfEnquiry,
    KitNotes,
    # issue 15
    Playbook,
    AnnexA,
    Debriefs,
    CalendarLinks,  # issue 13: feeds
)

log = logging.getLogger(__name__)

M = TypeVar("M", bound=ReadModel)

# What changed in one event: read model name -> the changed row.
Changes = dict[str, Row]


class UserRecord(TypedDict):
    id: str
    name: str
    role: str
    # As stored: None for a user added before organisations existed.
    organisation_id: str | None


class ViewsJson(TypedDict):
    position: int
    recorded_at: str | None
    users: dict[str, UserRecord]
    organisations: dict[str, str]
    inspection_organisations: dict[str, str | None]
    inspections: dict[str, dict[str, ModelJson]]


class InspectionViews:
    """The read models of one inspection."""

    def __init__(self, models: dict[str, ReadModel] | None = None) -> None:
        self.models = models or {cls.name: cls() for cls in MODELS}
        # Event type -> the folds of the models that handle it, so each event
        # visits only those (py-spy of a rebuild of 300,000 events: the fold is
        # a fifth of it, see the README's benchmarks).
        self._folds: dict[str, list[tuple[str, Fold]]] = {}
        for name, model in self.models.items():
            for event_type in model.event_types():
                fold = model.folder(event_type)
                if fold is not None:
                    self._folds.setdefault(event_type, []).append((name, fold))

    @property
    def inspection(self) -> InspectionSummary:
        return self._model(InspectionSummary)

    @property
    def schedule(self) -> Schedule:
        return self._model(Schedule)

    @property
    def requests(self) -> Requests:
        return self._model(Requests)

    @property
    def ledger(self) -> Ledger:
        return self._model(Ledger)

    @property
    def cases(self) -> Cases:
        return self._model(Cases)

    @property
    def blog(self) -> Blog:
        return self._model(Blog)

    @property
    def lines_of_enquiry(self) -> LinesOfEnquiry:
        return self._model(LinesOfEnquiry)

    @property
    def kit_notes(self) -> KitNotes:
        return self._model(KitNotes)

    @property
    def playbook(self) -> Playbook:
        return self._model(Playbook)

    @property
    def annex_a(self) -> AnnexA:
        return self._model(AnnexA)

    @property
    def debriefs(self) -> Debriefs:
        return self._model(Debriefs)

    @property
    def calendar_links(self) -> CalendarLinks:
        return self._model(CalendarLinks)

    def inspector_names(self) -> dict[str, str]:
        return {i: d["name"] for i, d in self.inspection.inspectors.items()}

    def apply(self, event: LoggedEvent) -> Changes:
        changes: Changes = {}
        for name, fold in self._folds.get(event.type, ()):
            try:
                row = fold(event)
            except Exception:
                # One event a read model cannot fold must not stop the read
                # side: it would retry that event for ever, and every read
                # would wait. The model goes on without it; a rebuild does
                # the same, so live and rebuilt still agree.
                log.exception("%s could not fold event %s", name, event.position)
                continue
            if row is not None:
                changes[name] = row
        return changes

    def copy(self) -> InspectionViews:
        return InspectionViews({n: m.copy() for n, m in self.models.items()})

    def to_json(self) -> dict[str, ModelJson]:
        return {name: model.to_json() for name, model in self.models.items()}

    @classmethod
    def from_json(cls, raw: dict[str, ModelJson]) -> InspectionViews:
        return cls({m.name: m.from_json(raw[m.name]) for m in MODELS})

    def _model(self, cls: type[M]) -> M:
        model = self.models[cls.name]
        assert isinstance(model, cls)
        return model


class Views:
    """Every read model, and the position of the last event folded in."""

    def __init__(self) -> None:
        self.position = 0
        # When the last event folded in was recorded: "now", for a past view.
        self.recorded_at: str | None = None
        self.users: dict[str, UserRecord] = {}
        # Organisation id -> name, in the order added; and each inspection's
        # organisation as stored (None: opened before organisations existed).
        self.organisations: dict[str, str] = {}
        self.inspection_organisations: dict[str, str | None] = {}
        self.inspections: dict[str, InspectionViews] = {}

    def apply(self, event: LoggedEvent) -> Changes:
        self.position = event.position
        self.recorded_at = event.recorded_iso
        if event.type == "UserAdded":
            user: UserRecord = {
                "id": event.aggregate_id,
                "name": event.data["name"],
                "role": event.data["role"],
                "organisation_id": event.data.get("organisation_id"),
            }
            self.users[event.aggregate_id] = user
            return {"users": user}
        if event.type == "OrganisationAdded":
            self.organisations[event.data["organisation_id"]] = event.data["name"]
            return {}
        if event.is_internal or not event.inspection_id:
            return {}
        if event.type == "InspectionOpened":
            self.inspections[event.inspection_id] = InspectionViews()
            organisation_id = event.data.get("organisation_id")
            self.inspection_organisations[event.inspection_id] = organisation_id
        inspection = self.inspections.get(event.inspection_id)
        if inspection is None:
            return {}
        return inspection.apply(event)

    def user_names(self) -> dict[str, str]:
        return {i: u["name"] for i, u in self.users.items()}

    def organisation_of(self, stored: str | None) -> str | None:
        """What stored without an organisation belongs to: the first one."""
        return stored or next(iter(self.organisations), None)

    def users_of(self, organisation_id: str | None) -> list[UserRecord]:
        return [
            {**user, "organisation_id": organisation_id}
            for user in self.users.values()
            if self.organisation_of(user.get("organisation_id")) == organisation_id
        ]

    def inspections_of(self, organisation_id: str | None) -> list[str]:
        return [
            inspection_id
            for inspection_id in self.inspections
            if self.organisation_of(self.inspection_organisations.get(inspection_id))
            == organisation_id
        ]

    def copy(self) -> Views:
        clone = Views()
        clone.position = self.position
        clone.recorded_at = self.recorded_at
        clone.users = dict(self.users)
        clone.organisations = dict(self.organisations)
        clone.inspection_organisations = dict(self.inspection_organisations)
        clone.inspections = {i: v.copy() for i, v in self.inspections.items()}
        return clone

    def to_json(self) -> ViewsJson:
        return {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "users": self.users,
            "organisations": self.organisations,
            "inspection_organisations": self.inspection_organisations,
            "inspections": {i: v.to_json() for i, v in self.inspections.items()},
        }

    @classmethod
    def from_json(cls, raw: ViewsJson) -> Views:
        views = cls()
        views.position = raw["position"]
        views.recorded_at = raw["recorded_at"]
        views.users = raw["users"]
        views.organisations = raw["organisations"]
        views.inspection_organisations = raw["inspection_organisations"]
        views.inspections = {
            i: InspectionViews.from_json(v) for i, v in raw["inspections"].items()
        }
        return views
