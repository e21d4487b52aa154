"""A recipient added before audiences existed (RecipientAdded version 1)
still reads, as the war room's, through the domain and the read side alike."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from eventsourcing.application import Application
from eventsourcing.persistence import StoredEvent

from warroom.decoding import logged_event
from warroom.domain.base import Context
from warroom.domain.distribution import DistributionList


def _app() -> Application:  # type: ignore[type-arg]
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


def test_a_recipient_added_before_audiences_gets_the_war_rooms_copy() -> None:
    app = _app()
    ctx = Context("u", "U", datetime.now(UTC), inspection_id="i")
    listing = DistributionList(inspection_id="i", meta=ctx.meta())
    listing.add("Pat", "pat@police.example", "police", ctx, audience="partners")
    app.save(listing)
    notification = app.recorder.select_notifications(start=1, limit=10)[1]
    state = json.loads(notification.state)
    assert (state["audience"], state["class_version"]) == ("partners", 2)
    # What version 1 looked like in the store: no audience, no version.
    del state["audience"], state["class_version"]
    version_1 = StoredEvent(
        originator_id=notification.originator_id,
        originator_version=notification.originator_version,
        topic=notification.topic,
        state=json.dumps(state).encode(),
    )

    event = app.mapper.to_domain_event(version_1)

    assert event.audience == "war_room"  # type: ignore[attr-defined]
    read = logged_event(
        app.mapper,
        type(notification)(
            id=notification.id,
            originator_id=notification.originator_id,
            originator_version=notification.originator_version,
            topic=notification.topic,
            state=version_1.state,
        ),
    )
    assert (read.type, read.data["audience"]) == ("RecipientAdded", "war_room")
