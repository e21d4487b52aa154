"""Runs a command: authorise once, handle, save; replay an idempotent retry.

Nothing is stored unless every check passed: the handler only stages
aggregates, and they are saved in one atomic append at the end, with the
command's document bytes in the same transaction (a transaction it may share
with other commands saving at the same moment: `warroom.group_commit`).

What a command reads without changing (its inspection: open? on the roster?)
comes from this process's copy, without a round trip; the save checks in its
own transaction that the copy was the latest (`warroom.guards`), and if not
the command runs again against the inspection as it now stands.

An `Idempotency-Key` costs nothing on the way in: the key's record is saved
with the command's events, and only when that fails (the key was used: the
record's id is taken) or the command is refused is the first answer looked
up and given instead.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from commands.handlers import COMMAND_HANDLERS, Handler
from commands.models import (
    AddUser,
    Command,
    CreateCalendarLink,
    CreateOwnCalendarLink,
    RotateToken,
)
from commands.run import Actor, Calendar, Run
from warroom.application import WarRoom
from warroom.domain import words
from warroom.domain.base import Context, DomainError, Forbidden, RuleBroken
from warroom.domain.idempotency import IdempotencyRecord
from warroom.domain.inspection import Inspection
from warroom.guards import Changed
from warroom.storage import Document

# What an answer shows once and the idempotency record never keeps.
SHOWN_ONCE = frozenset({"token", "sign_in_path", "secret"})

# How often a command runs again when what it read changed before it saved.
ATTEMPTS = 5
# How often it runs again when another command appended, at the same moment,
# to a count it appends to (`Run.retry_on_conflict`). Each such conflict is
# another command stored, so this bounds only a crowd, never a livelock.
CONFLICT_ATTEMPTS = 64


@dataclass(frozen=True)
class Outcome:
    """What a command answers: the changed thing, its version, the position."""

    status: int
    body: dict[str, Any]


class ConcurrentChange(RuleBroken):
    def __init__(self) -> None:
        super().__init__(
            "concurrent_change",
            "someone else changed this at the same moment: reload it and try again",
        )


def execute(
    app: WarRoom,
    actor: Actor,
    command: Command,
    *,
    inspection_id: str | None = None,
    target_id: str | None = None,
    part: str | None = None,
    if_match: int | None = None,
    idempotency_key: str | None = None,
    calendar: Calendar | None = None,
    status: int = 201,
    documents: Sequence[Document] = (),
) -> Outcome:
    handler = _authorise(actor, command)
    app.log_health.refuse_if_broken()  # 503 log_broken, whatever the command
    retry = Retry.of(
        app, actor, idempotency_key, command, inspection_id, target_id, part
    )
    attempts = conflicts = 0
    while attempts < ATTEMPTS and conflicts < CONFLICT_ATTEMPTS:
        run = Run(
            app=app,
            ctx=_context(actor, command, inspection_id, idempotency_key),
            role=actor.role,
            organisation_id=actor.organisation_id,
            inspection_id=inspection_id,
            target_id=target_id,
            part=part,
            if_match=if_match,
            calendar=calendar,
        )
        try:
            return _attempt(handler, run, command, status, retry, documents)
        except Changed as changed:
            # What it read was stale (another process, or a command saved
            # just before it): read it again and run the command again.
            for aggregate_id in changed.aggregate_ids:
                app.forget(aggregate_id)
            if isinstance(changed, Conflicted):
                conflicts += 1
            else:
                attempts += 1
    raise ConcurrentChange()


class Conflicted(Changed):
    """A count the command appends to was appended to by another command
    saved at the same moment: nothing of this one was stored."""


def _attempt(
    handler: Handler,
    run: Run,
    command: Command,
    status: int,
    retry: Retry | None,
    documents: Sequence[Document],
) -> Outcome:
    try:
        body = _handle(handler, run, command)
    except DomainError:
        if run.inspection_id is not None and run.refused_on_a_stale_copy():
            raise Changed([UUID(run.inspection_id)]) from None
        # A retry of a command that was stored may now be refused (released
        # twice, a name taken by itself): the first answer is the answer.
        earlier = retry.earlier_answer() if retry is not None else None
        if earlier is not None:
            return earlier
        raise
    if retry is not None:
        run.stage(retry.record(status, body, run.ctx))
    return _save(run, status, body, retry, documents)


def _authorise(actor: Actor, command: Command) -> Handler:
    """The command's handler, if the actor's role may run it."""
    handler, roles = COMMAND_HANDLERS[type(command)]
    if actor.role not in roles:
        raise Forbidden(
            f"{words.role(actor.role)} may not do this; it takes "
            + words.either([words.role(r) for r in sorted(roles)])
        )
    return handler


def _context(
    actor: Actor,
    command: Command,
    inspection_id: str | None,
    idempotency_key: str | None,
) -> Context:
    """Who, when and where, as every event of the command will record it."""
    return Context(
        actor=actor.id,
        actor_name=actor.name,
        occurred_at=command.occurred_at or datetime.now(UTC),
        inspection_id=inspection_id or "",
        idempotency_key=idempotency_key,
    )


def _handle(handler: Handler, run: Run, command: Command) -> dict[str, Any]:
    """Lets the handler decide and stage; the answer, but for its position."""
    if command.occurred_at is not None and run.inspection_id is not None:
        # An entry made after the fact still belongs to its inspection.
        run.inspection().require_around_start("occurred_at", command.occurred_at)
    handler(run, command)
    assert run.changed is not None, f"{handler.__name__} named no changed thing"
    return {
        "id": run.result_id or str(run.changed.id),
        "version": run.changed.version,
        **run.extra,
    }


def _save(
    run: Run,
    status: int,
    body: dict[str, Any],
    retry: Retry | None,
    documents: Sequence[Document],
) -> Outcome:
    """Everything staged, in one atomic append; the answer gets its position.

    The position is that of the changed thing's event, not of the idempotency
    record saved after it (which `/events` never shows).
    """
    if not any(aggregate.pending_events for aggregate in run.staged):
        # Nothing new to store (an access log imported before): the answer
        # is true at the log's head.
        head = run.app.recorder.max_notification_id() or 0
        return Outcome(status, {**body, "position": head})
    try:
        position = run.app.save_and_position(
            *run.staged,
            answering=run.changed,
            organisation=run.organisation(),
            documents=documents,
            guards=run.guards(),
        )
    except IntegrityError:
        # The key was used (by an earlier try, or one racing this one): the
        # first one's answer is the answer.
        earlier = retry.earlier_answer() if retry is not None else None
        if earlier is not None:
            return earlier
        if run.retry_on_conflict:
            # Perhaps another command took the count's next version (two
            # cases selected at once): run again against the count as stored.
            raise Conflicted(run.retry_on_conflict) from None
        raise ConcurrentChange() from None
    for aggregate in run.staged:
        if isinstance(aggregate, Inspection):  # its read-only copy is stale
            run.app.forget(aggregate.id)
    return Outcome(status, {**body, "position": position})


@dataclass(frozen=True)
class Retry:
    """A command sent with an `Idempotency-Key`: its first answer is the answer."""

    app: WarRoom
    actor: Actor
    key: str
    fingerprint: str
    command: Command

    @classmethod
    def of(
        cls,
        app: WarRoom,
        actor: Actor,
        key: str | None,
        command: Command,
        inspection_id: str | None,
        target_id: str | None,
        part: str | None = None,
    ) -> Retry | None:
        if key is None:
            return None
        fingerprint = _fingerprint(command, inspection_id, target_id, part)
        return cls(app, actor, key, fingerprint, command)

    def earlier_answer(self) -> Outcome | None:
        """The first answer to this key, if there was one."""
        record_id = IdempotencyRecord.create_id(self.actor.id, self.key)
        if not self.app.exists(record_id):
            return None
        record = self.app.load(IdempotencyRecord, record_id)
        if record.fingerprint != self.fingerprint:
            raise RuleBroken(
                "idempotency_key_reused",
                "this retry key was already used for a different command",
            )
        if isinstance(self.command, AddUser | RotateToken):
            raise RuleBroken(
                "idempotency_key_reused",
                "this retry key already added this user or "
                "gave them a new token; it was shown once and is not kept",
            )
        if isinstance(self.command, CreateCalendarLink | CreateOwnCalendarLink):
            raise RuleBroken(
                "idempotency_key_reused",
                "this retry key already made a calendar link; its secret was shown "
                "once and is not kept: ask for a new link",
            )
        # The record is the last event of the first save, stored just after
        # the changed thing's event, whose position the first answer gave.
        position = self.app.position_before(record_id, 1)
        return Outcome(record.status, {**record.body, "position": position})

    def record(
        self, status: int, body: dict[str, Any], ctx: Context
    ) -> IdempotencyRecord:
        """The answer, to be saved in the same append as the command's events."""
        # A new user's token is shown once and never stored, not even here
        # (nor the sign-in path that holds it).
        stored = {k: v for k, v in body.items() if k not in SHOWN_ONCE}
        return IdempotencyRecord(
            actor=self.actor.id,
            key=self.key,
            fingerprint=self.fingerprint,
            status=status,
            body=stored,
            meta=ctx.meta(),
        )


def _fingerprint(
    command: Command,
    inspection_id: str | None,
    target_id: str | None,
    part: str | None = None,
) -> str:
    described: dict[str, Any] = {
        "command": type(command).__name__,
        "inspection_id": inspection_id,
        "target_id": target_id,
        "body": command.model_dump(mode="json"),
    }
    if part is not None:
        # Only where a path names one, so stored fingerprints stay as they were.
        described["part"] = part
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
