"""The read models as saved beside the log, and the version of their shape.

Saved state is only a shortcut: the log is the truth. When the read models'
code changes what it derives, `VIEWS_VERSION` goes up, and a server that finds
state saved under another version folds the log in again from the start
instead of trusting it.
"""

from __future__ import annotations

import logging

import orjson

from projections.audit import Timeline
from projections.views import Views

log = logging.getLogger(__name__)

# Bump whenever a read model changes what it derives from the events.
VIEWS_VERSION = 4


def encode(views: Views, timeline: Timeline) -> bytes:
    # orjson: the saved state is tens of megabytes for a long inspection, and
    # the standard library's encoder would hold the server up for that long.
    return orjson.dumps(
        {
            "version": VIEWS_VERSION,
            "views": views.to_json(),
            "timeline": timeline.to_json(),
        }
    )


def decode(blob: bytes) -> tuple[Views, Timeline] | None:
    """The saved read models, or None if they were saved in another shape."""
    raw = orjson.loads(blob)
    if raw.get("version") != VIEWS_VERSION:
        log.warning(
            "saved read models are version %s, this code derives version %s: "
            "folding the log in again from the start",
            raw.get("version"),
            VIEWS_VERSION,
        )
        return None
    return Views.from_json(raw["views"]), Timeline.from_json(raw["timeline"])
