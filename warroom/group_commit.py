"""Group commit: commands that arrive together are saved in one transaction.

Every append holds the log's write lock until it commits (PostgreSQL's
EXCLUSIVE lock on the events' table, SQLite's write lock), and a commit waits
for the disk; so one append at a time, each paying a transaction, a lock and
an fsync of its own, is as fast as commands can go. Here the first command to
save becomes the leader: it saves, in one transaction, its own events and
those of every command that queued while the previous transaction was under
way (up to `max_batch`); then it hands the lead to the first command still
waiting. No timer: a command alone is saved at once, and a crowd is saved in
groups as large as the crowd.

Each command keeps its own checks and answer. The library's optimistic
concurrency check (the unique aggregate id and version) and each command's
guards (`warroom.guards`) are checked in the shared transaction; when one
fails, the transaction rolls back and:

- a failed guard names its aggregates, so the commands guarding them get
  `Changed` and the others are saved again, together, without them;
- a conflict (`IntegrityError`) does not say whose it is, so the group is
  saved again one command at a time, and only the conflicting one gets it.

Each command's events are contiguous in the transaction and in the log, in
the order it staged them (an idempotency record stays just after the events
it answers for).

Commands of several councils may share a transaction: each names the tree
its events join (`Pending.trees`, its council's, `warroom.evidence.tree`),
and the recorder grows each tree touched by its own events alone, so each
council's leaf indexes stay gapless whoever it was saved beside.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from uuid import UUID

from warroom.guards import Changed, Unchanged

if TYPE_CHECKING:
    from eventsourcing.domain import DomainEventProtocol
    from eventsourcing.persistence import Recording

    from warroom.storage import Document

MAX_BATCH = 64


class Saves(Protocol):
    """What the group commit saves through: the war room's `save` (here as a
    protocol, so that this module need not import the application that
    imports it)."""

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]: ...


@dataclass(eq=False)
class Pending:
    """One command's save, waiting for a leader (perhaps itself)."""

    events: Sequence[DomainEventProtocol[UUID]]
    answering: UUID | None
    # The tree each event joins (`warroom.evidence.tree`), one key per event.
    trees: Sequence[str]
    documents: Sequence[Document] = ()
    guards: Sequence[Unchanged] = ()
    position: int | None = None
    error: BaseException | None = None
    lead: bool = False
    woken: threading.Event = field(default_factory=threading.Event)

    @property
    def done(self) -> bool:
        return self.position is not None or self.error is not None


class GroupCommit:
    """Saves commands' events together; see the module's docstring."""

    def __init__(
        self,
        save: Callable[..., list[Recording[UUID]]],
        max_batch: int = MAX_BATCH,
    ) -> None:
        self._save = save
        self._max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[Pending] = []
        self._leading = False
        # Called with each transaction's number of commands (for /metrics).
        self.batch_listeners: list[Callable[[int], None]] = []

    @classmethod
    def of(cls, app: Saves) -> GroupCommit:
        # Looked up at each save, not bound once, so a test can hold it.
        return cls(lambda *events, **alongside: app.save(*events, **alongside))

    @property
    def waiting(self) -> int:
        """Saves queued behind the transaction under way."""
        with self._lock:
            return len(self._queue)

    def save(
        self,
        events: Sequence[DomainEventProtocol[UUID]],
        *,
        answering: UUID | None = None,
        trees: Sequence[str] | None = None,
        documents: Sequence[Document] = (),
        guards: Sequence[Unchanged] = (),
    ) -> int:
        """Saves the events; the log position of `answering`'s last event (or
        of the last of them). Raises what failed this command alone.

        `trees`: the tree each event joins (by default the first
        organisation's); a transaction may hold several councils' commands,
        each event joins its own council's tree."""
        events = list(events)
        trees = list(trees) if trees is not None else [""] * len(events)
        pending = Pending(events, answering, trees, documents, guards)
        with self._lock:
            self._queue.append(pending)
            if not self._leading:
                self._leading = pending.lead = True
        while not pending.lead:
            pending.woken.wait()
            pending.woken.clear()
            if pending.done:
                return _outcome(pending)
        self._lead()
        return _outcome(pending)

    def _lead(self) -> None:
        with self._lock:
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
        try:
            self._commit(batch)
        finally:
            with self._lock:
                following = self._queue[0] if self._queue else None
                if following is None:
                    self._leading = False
                else:
                    following.lead = True
            for pending in batch:
                if pending.error is None and pending.position is None:
                    pending.error = RuntimeError("the group commit lost this save")
                pending.woken.set()
            if following is not None:
                following.woken.set()

    def _commit(self, batch: list[Pending]) -> None:
        for listener in self.batch_listeners:
            listener(len(batch))
        try:
            recordings = self._save(
                *[e for p in batch for e in p.events],
                trees=[t for p in batch for t in p.trees],
                documents=[d for p in batch for d in p.documents],
                guards=[g for p in batch for g in p.guards],
            )
        except BaseException as error:
            self._after_failure(batch, error)
            return
        positions = {
            (r.domain_event.originator_id, r.domain_event.originator_version): (
                r.notification.id
            )
            for r in recordings
        }
        for pending in batch:
            pending.position = _position(pending, positions)

    def _after_failure(self, batch: list[Pending], error: BaseException) -> None:
        changed = error if isinstance(error, Changed) else Changed.from_error(error)
        if changed is not None and changed.aggregate_ids:
            failed = [p for p in batch if changed.fails(p.guards)]
            for pending in failed:  # one instance each: raised in its own thread
                pending.error = Changed(changed.aggregate_ids)
            rest = [p for p in batch if not changed.fails(p.guards)]
            if failed and rest:
                self._commit(rest)
                return
            if failed:
                return
        if len(batch) == 1 or not isinstance(error, Exception):
            for pending in batch:
                pending.error = error
            return
        # Whose conflict it was is not said: each alone, so that it fails
        # only its own command.
        for pending in batch:
            self._commit([pending])


def _position(pending: Pending, positions: dict[tuple[Any, int], int]) -> int:
    own = [positions[(e.originator_id, e.originator_version)] for e in pending.events]
    answering = [
        positions[(e.originator_id, e.originator_version)]
        for e in pending.events
        if e.originator_id == pending.answering
    ]
    return max(answering or own)


def _outcome(pending: Pending) -> int:
    if pending.error is not None:
        raise pending.error
    assert pending.position is not None
    return pending.position
