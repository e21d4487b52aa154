"""A person's devices for notifications, and each notification's claim and fate.

Not commands of an inspection: a device belongs to its person, whatever
inspection they work on, and only they may add or remove it (another's is
not found). A notification is claimed before it is sent, as the blog's
email is (`commands.blog_sends`): two server processes claiming the same one
at once, the second's save fails on the library's optimistic concurrency,
and it sends nothing.
"""

from __future__ import annotations

import uuid
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime

from eventsourcing.persistence import IntegrityError

from commands.run import Actor
from warroom.application import WarRoom
from warroom.domain.base import Context, NotFound
from warroom.domain.push import PushDevices, PushNotice
from warroom.domain.user import User

# Who the server's own records of notifications name.
SERVER_ACTOR = ("server", "the war room (notifications)")


@dataclass(frozen=True)
class Device:
    """A device as stored: its address and keys sealed (`push.keys`)."""

    id: str
    user_id: str
    sealed: str


@dataclass(frozen=True)
class Notice:
    """What one person is told: `key` names the change, once for all devices."""

    key: str
    user_id: str
    title: str
    body: str
    url: str
    # The organisation whose log records the notification.
    organisation_id: str | None = None


def _context(actor: Actor) -> Context:
    return Context(actor.id, actor.name, datetime.now(UTC))


def server_context() -> Context:
    return Context(*SERVER_ACTOR, occurred_at=datetime.now(UTC))


def _devices_of(app: WarRoom, user_id: str) -> PushDevices | None:
    devices_id = PushDevices.create_id(user_id)
    return app.load(PushDevices, devices_id) if app.exists(devices_id) else None


def subscribe(
    app: WarRoom, actor: Actor, *, endpoint_tag: str, keys_tag: str, sealed: str
) -> str:
    """The device's id (checked and sealed by the caller: `push`)."""
    ctx = _context(actor)
    devices = _devices_of(app, actor.id) or PushDevices(
        user_id=actor.id, meta=ctx.meta()
    )
    device_id = devices.subscribe(
        str(uuid.uuid4()), endpoint_tag, keys_tag, sealed, ctx
    )
    if devices.pending_events:
        app.save_and_position(devices, organisation=actor.organisation_id)
    return device_id


def unsubscribe(app: WarRoom, actor: Actor, device_id: str) -> int:
    devices = _devices_of(app, actor.id)
    if devices is None:
        raise NotFound(f"no device with id {device_id}")
    devices.unsubscribe(device_id, _context(actor))
    return app.save_and_position(devices, organisation=actor.organisation_id)


def devices_of(app: WarRoom, user_id: str) -> list[Device]:
    devices = _devices_of(app, user_id)
    if devices is None:
        return []
    return [
        Device(id=i, user_id=user_id, sealed=held["sealed"])
        for i, held in devices.devices.items()
    ]


def claim(app: WarRoom, notice: Notice, device_id: str) -> PushNotice | None:
    """The claim of one notification to one device; None if any process
    claimed it before (it is being sent, or was)."""
    if app.exists(PushNotice.create_id(notice.key, device_id)):
        return None
    claimed = PushNotice(
        key=notice.key,
        user_id=notice.user_id,
        subscription_id=device_id,
        title=notice.title,
        body=notice.body,
        url=notice.url,
        meta=server_context().meta(),
    )
    try:
        app.save_and_position(claimed, organisation=notice.organisation_id)
    except IntegrityError:
        return None  # another process claimed it a moment ago: it sends
    return claimed


def record_sent(
    app: WarRoom, notice: Notice, claimed: PushNotice, status: int, tries: int
) -> None:
    claimed.sent(status, tries, server_context())
    app.save_and_position(claimed, organisation=notice.organisation_id)


def record_failed(
    app: WarRoom,
    notice: Notice,
    claimed: PushNotice,
    *,
    reason: str,
    status: int | None,
    tries: int,
) -> None:
    claimed.failed(reason, status, tries, server_context())
    app.save_and_position(claimed, organisation=notice.organisation_id)


def drop(app: WarRoom, user_id: str, device_id: str, status: int) -> None:
    """The push service says the device is gone: it is told nothing more."""
    devices = _devices_of(app, user_id)
    if devices is None or device_id not in devices.devices:
        return  # removed meanwhile
    devices.drop(device_id, status, server_context())
    organisation = app.load(User, user_id).organisation_id
    # Changed meanwhile (another process dropped it): the next send finds out.
    with suppress(IntegrityError):
        app.save_and_position(devices, organisation=organisation)
