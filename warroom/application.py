"""The one `Application` of the war room: the event log and its repository."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording
from eventsourcing.utils import get_topic

from warroom.config import Database
from warroom.domain.base import NotFound
from warroom.domain.inspection import Inspection
from warroom.domain.organisation import Organisations
from warroom.domain.user import User
from warroom.domain.user_name import UserName, same_name
from warroom.evidence.backfill import TreeMissing, refuse_without_tree
from warroom.evidence.broken import LogBroken, LogHealth
from warroom.evidence.log import VerifiableLog
from warroom.evidence.notes import Signer
from warroom.evidence.tree import FIRST
from warroom.group_commit import GroupCommit
from warroom.guards import Unchanged
from warroom.storage import (
    WRONG_KEY,
    AtRest,
    Document,
    Unreadable,
    WarRoomStore,
    application_recorder_env,
    indexed,
    open_store,
)
from warroom.workers import SharedPosition

A = TypeVar("A", bound=Aggregate)


class Derived:
    """A save that names no organisation: each event's own is taken."""


DERIVED = Derived()

# Aggregates kept for reading without a round trip (see `read_only`).
READ_ONLY_CACHE_SIZE = 1000


class WarRoom(Application[UUID]):
    name = "WarRoom"

    def __init__(self, database: Database, *, backfilling: bool = False) -> None:
        """Opens the log (making its tables if it has none). A log with events
        and no tree is refused (`TreeMissing`), but by `warroom tree
        backfill` (`backfilling`): nothing makes a tree on its own."""
        super().__init__(
            env={**database.library_env(), **application_recorder_env(database.kind)}
        )
        self.database = database
        # What is stored beside the log is encrypted as its events are.
        self.at_rest = AtRest(self.mapper.cipher)
        self.recorder.at_rest = self.at_rest  # type: ignore[attr-defined]
        self.store: WarRoomStore = open_store(self.factory, database, self.at_rest)
        self._check_readable()
        # The recorder turns the events it stores into the Merkle tree's leaves.
        self.recorder.mapper = self.mapper  # type: ignore[attr-defined]
        self.evidence = VerifiableLog(self.recorder, self.mapper)
        self.evidence.locate = self.position_of  # receipts name their people
        # Once the log is found to disagree with its tree, nothing more is saved.
        self.log_health = LogHealth()
        backfilled = None if backfilling else self.evidence.backfilled()
        if backfilled is not None:  # the day seals say so as checkpoints do
            self.recorder.tree.extensions = (backfilled.extension(),)  # type: ignore[attr-defined]
        if not backfilling:
            try:
                refuse_without_tree(self.recorder)
            except TreeMissing:
                self.close()
                raise
        # Each inspection's events, indexed (issue 14): an older log's, once.
        indexed(self.recorder).backfill_index(self.recorder.max_notification_id() or 0)
        self._save_listeners: list[Callable[[int], None]] = []
        self._names_before_claims: dict[tuple[str | None, str], UUID] | None = None
        self._first_organisation: str | None = None
        self._listeners_lock = threading.Lock()
        # Commands that save at the same moment share one transaction.
        self.commits = GroupCommit.of(self)
        self._read_only: OrderedDict[UUID, Aggregate] = OrderedDict()
        self._read_only_lock = threading.Lock()
        # Shared with the other workers of this `warroom serve`, if any (kept
        # open until the process ends: a read may ask it while closing).
        self._workers = SharedPosition.from_env()

    def _check_readable(self) -> None:
        """Unreadable at once, at the start, if this process's cipher key (or its
        lack of one) cannot read the log: never a server that hands out garbage."""
        first = self.recorder.select_notifications(None, 1)
        try:
            for notification in first:
                self.mapper.to_domain_event(notification)
        except Exception:
            self.close()
            raise Unreadable(f"the event log {WRONG_KEY}") from None

    def save_and_position(
        self,
        *aggregates: Aggregate,
        answering: Aggregate | None = None,
        organisation: str | Derived | None = DERIVED,
        documents: Sequence[Document] = (),
        guards: Sequence[Unchanged] = (),
    ) -> int:
        """Saves atomically; the log position of `answering`'s last event (by
        default, of the last event saved).

        In a transaction shared with other commands saving at the same moment
        (`warroom.group_commit`). `documents` are written in that transaction
        (`warroom.storage.SavedAlongside`); `guards` are checked in it
        (`warroom.guards`). Raises `warroom.guards.Changed` if a guard failed,
        the library's `IntegrityError` on a conflict: each for this save alone;
        `LogBroken` once the log disagrees with its tree, for good. The events
        join `organisation`'s tree (None: the first's; by default each event's
        own, see `trees_of`).
        """
        self.log_health.refuse_if_broken()
        events = [e for a in aggregates for e in a.collect_events()]
        try:
            return self.commits.save(
                events,
                answering=answering.id if answering is not None else None,
                trees=self.trees_of(events, organisation),
                documents=documents,
                guards=guards,
            )
        except LogBroken as broken:
            self.log_health.found(broken)
            raise

    def save(
        self, *objs: Any, organisation: str | Derived | None = DERIVED, **kwargs: Any
    ) -> list[Recording[UUID]]:
        """The library's save, each event naming the tree it joins
        (`warroom.evidence.tree`): `organisation`'s, or each event's own."""
        if "trees" not in kwargs:
            events = [
                e
                for obj in objs
                if obj is not None
                for e in (obj.pending_events if isinstance(obj, Aggregate) else [obj])
            ]
            kwargs["trees"] = self.trees_of(events, organisation)
        return super().save(*objs, **kwargs)

    # --- whose tree an event joins ------------------------------------------------

    def trees_of(
        self, events: Sequence[Any], organisation: str | Derived | None = DERIVED
    ) -> list[str]:
        """The tree each event joins: the organisation's the save names, or,
        for a save that names none (the command line's, the blog's sends),
        the one each event itself says: the organisation a user, an
        inspection or an organisation is added to, else the organisation of
        the inspection the event belongs to, else the first organisation."""
        if not isinstance(organisation, Derived):
            return [self.tree_of(organisation)] * len(events)
        # An inspection opened in this very save is not stored yet.
        opened = {
            str(e.originator_id): e.organisation_id
            for e in events
            if type(e).__name__ == "InspectionOpened"
        }
        return [self.tree_of(self._organisation_of(e, opened)) for e in events]

    def tree_of(self, organisation_id: str | None) -> str:
        """An organisation's tree key: `''` for the first organisation (and
        for whatever was stored without one), its id for any other."""
        if organisation_id is None:
            return FIRST
        first = self.first_organisation()
        # None: no organisation stored yet, so this is the first, being added.
        return FIRST if first in (None, organisation_id) else organisation_id

    def first_organisation(self) -> str | None:
        """The database's first organisation, once one was added (it never
        changes after: kept for the process's life)."""
        if self._first_organisation is None:
            self._first_organisation = self._find_first_organisation()
        return self._first_organisation

    def _find_first_organisation(self) -> str | None:
        registry_id = Organisations.create_id()
        try:
            return self.load(Organisations, registry_id).first
        except NotFound:
            return None
        except AssertionError:
            # A database imported from a council's export holds that
            # council's `OrganisationAdded` without the registry's earlier
            # events (the library will not rebuild an aggregate that does not
            # begin with its creation): the log says which came first.
            pass
        topic = get_topic(Organisations.OrganisationAdded)  # type: ignore[attr-defined]
        for notification in self.recorder.select_notifications(1, 1, topics=[topic]):
            added: Any = self.mapper.to_domain_event(notification)
            return str(added.organisation_id)
        return None

    def _organisation_of(self, event: Any, opened: dict[str, str | None]) -> str | None:
        if hasattr(event, "organisation_id"):  # UserAdded, InspectionOpened...
            return event.organisation_id  # type: ignore[no-any-return]
        inspection_id = (
            event.meta.get("inspection_id") if hasattr(event, "meta") else None
        )
        if not inspection_id:
            return None
        if inspection_id in opened:
            return opened[inspection_id]
        try:
            return self.read_only(Inspection, inspection_id).organisation_id
        except NotFound:
            return None

    def read_only(self, cls: type[A], aggregate_id: str | UUID) -> A:
        """The aggregate as this process last saw it, shared between threads
        and never to be changed: no round trip, no lock. It may be stale; a
        command that relies on it saves with an `Unchanged` guard of its
        version, which fails (and `forget`s it) if it was."""
        uuid = _uuid(aggregate_id, cls)
        with self._read_only_lock:
            cached = self._read_only.get(uuid)
            if cached is not None:
                self._read_only.move_to_end(uuid)
        if isinstance(cached, cls):
            return cached
        loaded = self.load(cls, uuid)
        with self._read_only_lock:
            self._read_only[uuid] = loaded
            while len(self._read_only) > READ_ONLY_CACHE_SIZE:
                self._read_only.popitem(last=False)
        return loaded

    def forget(self, aggregate_id: UUID) -> None:
        """Drops the read-only copy (it changed)."""
        with self._read_only_lock:
            self._read_only.pop(aggregate_id, None)

    def use_signer(self, signer: Signer) -> None:
        """The key that seals closed days (never kept in this database)."""
        self.recorder.tree.signer = signer  # type: ignore[attr-defined]

    def load(self, cls: type[A], aggregate_id: str | UUID) -> A:
        """The aggregate of that type with that id, or NotFound."""
        try:
            aggregate: Aggregate = self.repository.get(_uuid(aggregate_id, cls))
        except AggregateNotFoundError:
            raise NotFound(f"no {_noun(cls)} with id {aggregate_id}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {_noun(cls)} with id {aggregate_id}")
        return aggregate

    def position_of(self, aggregate_id: UUID, version: int) -> int:
        """The log position of one stored event of an aggregate."""
        # Each database names the library's table its own way.
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        return self.store.position_of(table, aggregate_id, version)

    def position_before(self, aggregate_id: UUID, version: int) -> int:
        """The log position of the event stored just before this one."""
        table = self.recorder.events_table_name  # type: ignore[attr-defined]
        return self.store.position_before(table, aggregate_id, version)

    def exists(self, aggregate_id: UUID) -> bool:
        try:
            self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return False
        return True

    def name_holder(self, organisation_id: str | None, name: str) -> UUID | None:
        """The user who holds this display name in exactly this organisation
        (None: stored without one), case and spacing aside."""
        claim_id = UserName.create_id(organisation_id, name)
        if self.exists(claim_id):
            return UUID(self.load(UserName, claim_id).user_id)
        before = self._users_added_before_names_were_claimed()
        return before.get((organisation_id, same_name(name)))

    def _users_added_before_names_were_claimed(
        self,
    ) -> dict[tuple[str | None, str], UUID]:
        # Users added before names were unique hold no `UserName`: found once
        # per process from their `UserAdded` events (users are few, and every
        # user added since holds a claim, so the answer cannot grow stale).
        if self._names_before_claims is None:
            topic = get_topic(User.UserAdded)
            found: dict[tuple[str | None, str], UUID] = {}
            start = 1
            while page := self.recorder.select_notifications(
                start, 1000, topics=[topic]
            ):
                for notification in page:
                    added: Any = self.mapper.to_domain_event(notification)
                    key = (added.organisation_id, same_name(added.name))
                    found.setdefault(key, added.originator_id)
                start = page[-1].id + 1
            self._names_before_claims = found
        return self._names_before_claims

    def on_save(self, listener: Callable[[int], None]) -> None:
        """Calls `listener(position)` after every save in this process.

        SQLite has no LISTEN/NOTIFY, so this is how a follower in the same
        process wakes at once instead of waiting for its next poll.
        """
        with self._listeners_lock:
            self._save_listeners.append(listener)

    def off_save(self, listener: Callable[[int], None]) -> None:
        with self._listeners_lock:
            self._save_listeners.remove(listener)

    def saved_by_any_worker(self) -> int:
        """The last position saved by any worker process of this server (0
        with one process: `Reader` keeps its own)."""
        return self._workers.last_saved() if self._workers else 0

    def _notify(self, recordings: list[Recording[Any]]) -> None:
        if not recordings:
            return
        position = recordings[-1].notification.id
        if self._workers is not None:
            self._workers.saved(position)
        with self._listeners_lock:
            listeners = list(self._save_listeners)
        for listener in listeners:
            listener(position)


def _uuid(aggregate_id: str | UUID, cls: type[Any]) -> UUID:
    if isinstance(aggregate_id, UUID):
        return aggregate_id
    try:
        return UUID(aggregate_id)
    except ValueError:
        raise NotFound(f"no {_noun(cls)} with id {aggregate_id}") from None


def _noun(cls: type[Any]) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__)
    return words.strip()
