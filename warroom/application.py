"""The one `Application` of the war room: the event log and its repository."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Recording
from eventsourcing.utils import get_topic

from warroom.config import Database
from warroom.domain.base import NotFound
from warroom.domain.user import User
from warroom.domain.user_name import UserName, same_name
from warroom.evidence.log import VerifiableLog
from warroom.evidence.notes import Signer
from warroom.storage import (
    WRONG_KEY,
    AtRest,
    Unreadable,
    WarRoomStore,
    application_recorder_env,
    indexed,
    open_store,
)

A = TypeVar("A", bound=Aggregate)


class WarRoom(Application[UUID]):
    name = "WarRoom"

    def __init__(self, database: Database) -> None:
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
        self.evidence.backfill()
        # Each inspection's events, indexed (issue 14): an older log's, once.
        indexed(self.recorder).backfill_index(self.recorder.max_notification_id() or 0)
        self._save_listeners: list[Callable[[int], None]] = []
        self._names_before_claims: dict[tuple[str | None, str], UUID] | None = None
        self._listeners_lock = threading.Lock()

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
        **alongside: Any,
    ) -> int:
        """Saves atomically; the log position of `answering`'s last event.

        By default, of the last event stored. `alongside` names rows written in
        the same transaction as the events (`warroom.storage.SavedAlongside`:
        `documents=`).
        """
        recordings = self.save(*aggregates, **alongside)
        if answering is None:
            return recordings[-1].notification.id
        return max(
            (
                r.notification.id
                for r in recordings
                if r.domain_event.originator_id == answering.id
            ),
            default=recordings[-1].notification.id,
        )

    def use_signer(self, signer: Signer) -> None:
        """The key that seals closed days (never kept in this database)."""
        self.recorder.tree.signer = signer  # type: ignore[attr-defined]

    def load(self, cls: type[A], aggregate_id: str | UUID) -> A:
        """The aggregate of that type with that id, or NotFound."""
        try:
            uuid = (
                aggregate_id if isinstance(aggregate_id, UUID) else UUID(aggregate_id)
            )
            aggregate: Aggregate = self.repository.get(uuid)
        except (ValueError, AggregateNotFoundError):
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

    def _notify(self, recordings: list[Recording[Any]]) -> None:
        if not recordings:
            return
        position = recordings[-1].notification.id
        with self._listeners_lock:
            listeners = list(self._save_listeners)
        for listener in listeners:
            listener(position)


def _noun(cls: type[Any]) -> str:
    words = "".join(f" {c.lower()}" if c.isupper() else c for c in cls.__name__)
    return words.strip()
