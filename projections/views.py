"""All read models of all inspections, as of one position in the log."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from typing import NotRequired, TypeVar

from typing_extensions import TypedDict

from projections.annex_a import AnnexA
from projections.base import Fold, ModelJson, ReadModel, Row
from projections.blog import Blog
from projections.calendar_links import CalendarLinks
from projections.cases import Cases
from projections.contacts import Contacts
from projections.debriefs import Debriefs
from projections.displays import Displays
from projections.events import LoggedEvent
from projections.inspection import InspectionSummary
from projections.invitations import Invitations
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
    Invitations,  # issue 24: meeting invitations by email
    Contacts,  # issue 24
    Displays,  # issue 25: wall screens signed in as a device
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
    # Where their meeting invitations go (issue 24); absent: never set. And
    # the log position from which they have had one (invitations tell the
    # changes made after it, not every meeting they ever attended).
    email: NotRequired[str | None]
    email_since: NotRequired[int | None]


class ViewsJson(TypedDict):
    position: int
    recorded_at: str | None
    users: dict[str, UserRecord]
    organisations: dict[str, str]
    inspection_organisations: dict[str, str | None]
    phases: dict[str, str]
    inspections: dict[str, dict[str, ModelJson]]


class GlobalJson(TypedDict):
    position: int
    recorded_at: str | None
    users: dict[str, UserRecord]
    organisations: dict[str, str]
    inspection_organisations: dict[str, str | None]
    phases: dict[str, str]


class InspectionViews:
    """The read models of one inspection."""

    def __init__(
        self, models: dict[str, ReadModel] | None = None, position: int = 0
    ) -> None:
        self.models = models or {cls.name: cls() for cls in MODELS}
        # The last event of this inspection folded in: one loaded from a save
        # newer than the log's feed skips what it already holds.
        self.position = position
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

    @property
    def invitations(self) -> Invitations:
        return self._model(Invitations)

    @property
    def contacts(self) -> Contacts:
        return self._model(Contacts)

    @property
    def displays(self) -> Displays:
        return self._model(Displays)

    def inspector_names(self) -> dict[str, str]:
        return {i: d["name"] for i, d in self.inspection.inspectors.items()}

    def apply(self, event: LoggedEvent) -> Changes:
        changes: Changes = {}
        if event.position <= self.position:
            return changes  # folded in already
        self.position = event.position
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
        models = {n: m.copy() for n, m in self.models.items()}
        return InspectionViews(models, self.position)

    @property
    def closed(self) -> bool:
        summary = self.inspection.summary
        return summary is not None and summary["phase"] == "closed"

    def to_json(self) -> dict[str, ModelJson]:
        return {name: model.to_json() for name, model in self.models.items()}

    @classmethod
    def from_json(cls, raw: dict[str, ModelJson], position: int = 0) -> InspectionViews:
        return cls({m.name: m.from_json(raw[m.name]) for m in MODELS}, position)

    def _model(self, cls: type[M]) -> M:
        model = self.models[cls.name]
        assert isinstance(model, cls)
        return model


class LoadedInspections(MutableMapping[str, InspectionViews]):
    """Every inspection's read models, held only for those asked for lately.

    Every inspection the log has opened is a key, but its read models are
    loaded only when first asked for (`load`: saved state plus its events
    since, through the index), and dropped again past `most` loaded, least
    recently used first, closed inspections before open ones. Dropping loses
    nothing: the next load folds in again what came after the saved state.
    """

    def __init__(self, load: Callable[[str], InspectionViews], most: int) -> None:
        self._load = load
        self.most = max(1, most)
        self._known: dict[str, None] = {}  # in the order opened
        self._loaded: OrderedDict[str, InspectionViews] = OrderedDict()
        # Told of each inspection dropped (its id and read models).
        self.on_drop: Callable[[str, InspectionViews], None] = lambda i, v: None

    def know(self, inspection_id: str) -> None:
        self._known[inspection_id] = None

    def __contains__(self, inspection_id: object) -> bool:
        return inspection_id in self._known

    def __getitem__(self, inspection_id: str) -> InspectionViews:
        found = self._loaded.get(inspection_id)
        if found is not None:
            self._loaded.move_to_end(inspection_id)
            return found
        if inspection_id not in self._known:
            raise KeyError(inspection_id)
        loaded = self._load(inspection_id)
        self._keep(inspection_id, loaded)
        return loaded

    def __setitem__(self, inspection_id: str, views: InspectionViews) -> None:
        self._known[inspection_id] = None
        self._keep(inspection_id, views)

    def __delitem__(self, inspection_id: str) -> None:
        del self._known[inspection_id]
        self._loaded.pop(inspection_id, None)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._known))

    def __len__(self) -> int:
        return len(self._known)

    def held(self) -> dict[str, InspectionViews]:
        """Those held in memory now (never loads any)."""
        return dict(self._loaded)

    def peek(self, inspection_id: str) -> InspectionViews | None:
        """One inspection's read models if held (never loads them)."""
        return self._loaded.get(inspection_id)

    def _keep(self, inspection_id: str, views: InspectionViews) -> None:
        self._loaded[inspection_id] = views
        self._loaded.move_to_end(inspection_id)
        while len(self._loaded) > self.most:
            victim = next(
                (i for i, v in self._loaded.items() if v.closed),
                next(iter(self._loaded)),
            )
            if victim == inspection_id:  # the one just asked for stays
                break
            self.on_drop(victim, self._loaded.pop(victim))


class Views:
    """Every read model, and the position of the last event folded in."""

    def __init__(
        self, inspections: MutableMapping[str, InspectionViews] | None = None
    ) -> None:
        self.position = 0
        # When the last event folded in was recorded: "now", for a past view.
        self.recorded_at: str | None = None
        self.users: dict[str, UserRecord] = {}
        # Organisation id -> name, in the order added; and each inspection's
        # organisation as stored (None: opened before organisations existed).
        self.organisations: dict[str, str] = {}
        self.inspection_organisations: dict[str, str | None] = {}
        # Each inspection's phase, kept here (not only in its read models) so
        # that finding the open ones loads none of them.
        self.phases: dict[str, str] = {}
        self.inspections: MutableMapping[str, InspectionViews] = (
            {} if inspections is None else inspections
        )

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
        if event.type == "RoleChanged" and event.aggregate_id in self.users:
            changed: UserRecord = {
                **self.users[event.aggregate_id],
                "role": event.data["role"],
            }
            self.users[event.aggregate_id] = changed
            return {"users": changed}
        if event.type == "UserEmailSet" and event.aggregate_id in self.users:
            old = self.users[event.aggregate_id]
            email = event.data["email"]
            # Invitations tell what changed after they had an address.
            since = old.get("email_since")
            if email is None:
                since = None
            elif not old.get("email"):
                since = event.position
            self.users[event.aggregate_id] = {
                **old,
                "email": email,
                "email_since": since,
            }
            return {}
        if event.type == "OrganisationAdded":
            self.organisations[event.data["organisation_id"]] = event.data["name"]
            return {}
        if event.is_internal or not event.inspection_id:
            return {}
        if event.type == "InspectionOpened":
            self.inspections[event.inspection_id] = InspectionViews()
            organisation_id = event.data.get("organisation_id")
            self.inspection_organisations[event.inspection_id] = organisation_id
            self.phases[event.inspection_id] = "day1_notification"
        elif event.type == "PhaseEntered" and event.inspection_id in self.phases:
            self.phases[event.inspection_id] = event.data["phase"]
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

    def open_inspection_ids(self) -> list[str]:
        """The inspections not closed, without loading any read models."""
        return [i for i, phase in self.phases.items() if phase != "closed"]

    def held_open_inspections(self) -> list[tuple[str, InspectionViews]]:
        """The inspections not closed whose read models this process holds
        now: what a loop over "every open inspection" may look at without
        loading any (a server starts holding none, issue 14)."""
        held = (
            self.inspections.held()
            if isinstance(self.inspections, LoadedInspections)
            else self.inspections
        )
        return [(i, held[i]) for i in self.open_inspection_ids() if i in held]

    def copy(self) -> Views:
        clone = self.copy_global()
        clone.inspections = {i: v.copy() for i, v in self.inspections.items()}
        return clone

    def copy_global(self) -> Views:
        """The part every inspection shares (users, organisations, phases),
        with no inspection's read models."""
        clone = Views()
        clone.position = self.position
        clone.recorded_at = self.recorded_at
        clone.users = dict(self.users)
        clone.organisations = dict(self.organisations)
        clone.inspection_organisations = dict(self.inspection_organisations)
        clone.phases = dict(self.phases)
        return clone

    def to_json(self) -> ViewsJson:
        return {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "users": self.users,
            "organisations": self.organisations,
            "inspection_organisations": self.inspection_organisations,
            "phases": self.phases,
            "inspections": {i: v.to_json() for i, v in self.inspections.items()},
        }

    def global_json(self) -> GlobalJson:
        return {
            "position": self.position,
            "recorded_at": self.recorded_at,
            "users": self.users,
            "organisations": self.organisations,
            "inspection_organisations": self.inspection_organisations,
            "phases": self.phases,
        }

    @classmethod
    def from_global_json(
        cls, raw: GlobalJson, inspections: MutableMapping[str, InspectionViews]
    ) -> Views:
        views = cls(inspections)
        views.position = raw["position"]
        views.recorded_at = raw["recorded_at"]
        views.users = raw["users"]
        views.organisations = raw["organisations"]
        views.inspection_organisations = raw["inspection_organisations"]
        views.phases = raw["phases"]
        return views

    @classmethod
    def from_json(cls, raw: ViewsJson) -> Views:
        views = cls()
        views.position = raw["position"]
        views.recorded_at = raw["recorded_at"]
        views.users = raw["users"]
        views.organisations = raw["organisations"]
        views.inspection_organisations = raw["inspection_organisations"]
        views.inspections = {
            i: InspectionViews.from_json(v, views.position)
            for i, v in raw["inspections"].items()
        }
        views.phases = raw.get("phases") or {
            i: s["phase"]
            for i, v in views.inspections.items()
            if (s := v.inspection.summary) is not None
        }
        return views
