"""Runs a command: authorise once, replay an idempotent retry, handle, save.

Nothing is stored unless every check passed: the handler only stages
aggregates, and they are saved in one atomic append at the end.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import IntegrityError

from commands.handlers import COMMAND_HANDLERS
from commands.models import AddUser, Command
from commands.run import Actor, Calendar, Run
from warroom.application import WarRoom
from warroom.domain.base import Context, Forbidden, RuleBroken
from warroom.domain.idempotency import IdempotencyRecord


@dataclass(frozen=True)
class Outcome:
    """What a command answers: the changed thing, its version, the position."""

    status: int
    body: dict[str, Any]

    @property
    def position(self) -> int:
        return int(self.body["position"])


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
    if_match: int | None = None,
    idempotency_key: str | None = None,
    calendar: Calendar | None = None,
    status: int = 201,
    before_save: Callable[[], None] | None = None,
) -> Outcome:
    handler, roles = COMMAND_HANDLERS[type(command)]
    if actor.role not in roles:
        raise Forbidden(
            f"a {actor.role} may not do this; "
            f"it takes one of: {', '.join(sorted(roles))}"
        )
    fingerprint = _fingerprint(command, inspection_id, target_id)
    if idempotency_key is not None:
        earlier = _earlier_answer(app, actor, idempotency_key, fingerprint, command)
        if earlier is not None:
            return earlier

    run = Run(
        app=app,
        ctx=Context(
            actor=actor.id,
            actor_name=actor.name,
            occurred_at=command.occurred_at or datetime.now(UTC),
            inspection_id=inspection_id or "",
            idempotency_key=idempotency_key,
        ),
        role=actor.role,
        inspection_id=inspection_id,
        target_id=target_id,
        if_match=if_match,
        calendar=calendar,
    )
    handler(run, command)
    assert run.changed is not None, f"{handler.__name__} named no changed thing"
    body: dict[str, Any] = {
        "id": run.result_id or str(run.changed.id),
        "version": run.changed.version,
        **run.extra,
    }
    if before_save is not None:
        before_save()
    if idempotency_key is not None:
        run.stage(_record(actor, idempotency_key, fingerprint, status, body, run.ctx))
    try:
        position = app.save_and_position(*run.staged)
    except IntegrityError:
        if idempotency_key is not None:
            # The same key raced us: the first one's answer is the answer.
            earlier = _earlier_answer(app, actor, idempotency_key, fingerprint, command)
            if earlier is not None:
                return earlier
        raise ConcurrentChange() from None
    return Outcome(status=status, body={**body, "position": position})


def _record(
    actor: Actor,
    key: str,
    fingerprint: str,
    status: int,
    body: dict[str, Any],
    ctx: Context,
) -> IdempotencyRecord:
    # A new user's token is shown once and never stored, not even here.
    stored = {k: v for k, v in body.items() if k != "token"}
    return IdempotencyRecord(
        actor=actor.id,
        key=key,
        fingerprint=fingerprint,
        status=status,
        body=stored,
        meta=ctx.meta(),
    )


def _earlier_answer(
    app: WarRoom, actor: Actor, key: str, fingerprint: str, command: Command
) -> Outcome | None:
    record_id = IdempotencyRecord.create_id(actor.id, key)
    if not app.exists(record_id):
        return None
    record = app.load(IdempotencyRecord, record_id)
    if record.fingerprint != fingerprint:
        raise RuleBroken(
            "idempotency_key_reused",
            "this Idempotency-Key was already used for a different command",
        )
    if isinstance(command, AddUser):
        raise RuleBroken(
            "idempotency_key_reused",
            f"this Idempotency-Key already added user {record.body['id']}; "
            "their token was shown once and is not kept",
        )
    # The record is the last event of the first save, so its own position is
    # the position the first answer gave.
    position = app.position_of(record_id, 1)
    return Outcome(status=record.status, body={**record.body, "position": position})


def _fingerprint(
    command: Command, inspection_id: str | None, target_id: str | None
) -> str:
    described = {
        "command": type(command).__name__,
        "inspection_id": inspection_id,
        "target_id": target_id,
        "body": command.model_dump(mode="json"),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()
