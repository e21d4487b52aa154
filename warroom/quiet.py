"""The quiet position: invitations are never sent for what the log held at
or before it.

`warroom import` brings a council's whole history into an empty database, and
the demo loader writes days of meetings at once: neither is news to anyone,
so each moves this position to the last event it wrote. It is a tracking
record of the library's (the read models keep theirs in the same table), not
an event: an import must leave the log exactly as exported.
"""

from __future__ import annotations

from contextlib import suppress

from eventsourcing.persistence import IntegrityError, Tracking

from warroom.application import WarRoom

QUIET = "invitations-quiet"


def quiet_position(app: WarRoom) -> int:
    return app.store.max_tracking_id(QUIET) or 0


def keep_quiet_up_to(app: WarRoom, position: int | None = None) -> None:
    """No invitation for anything at or before `position` (by default, the
    log's last event)."""
    if position is None:
        position = app.recorder.max_notification_id() or 0
    if position <= quiet_position(app):
        return
    # Another process may move it as far or further at the same time.
    with suppress(IntegrityError):
        app.store.insert_tracking(Tracking(QUIET, position))
