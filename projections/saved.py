"""The read models as saved beside the log, and the version of their shape.

Saved in parts (issue 14): the global part (users, organisations, which
inspection is whose, each one's phase) with the timeline, as one small blob
with the tracking record; and each inspection's read models as a row of its
own, written only when they changed since the last save. A server loads the
global part on start and an inspection's row when it is first asked for.
`encode`/`decode` still read and write the whole form (every inspection in
the one blob), which a server also loads.

Saved state is only a shortcut: the log is the truth. When the read models'
code changes what it derives, `VIEWS_VERSION` goes up, and a server that finds
state saved under another version folds the log in again from the start
instead of trusting it.

The JSON is compressed with Zstandard at its fastest level: read models repeat
the same keys and names over and over, so it shrinks about ten times (a
300,000-event log's read models: 127 MB to 12 MB), three times faster than
zlib did it before. State saved then (zlib) still loads.
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

import orjson
import zstandard

from projections.audit import Timeline
from projections.views import GlobalJson, InspectionViews, Views

log = logging.getLogger(__name__)

# Bump whenever a read model changes what it derives from the events.
# 7: the blog keeps attendees, the distribution list and its sends (issue 13).
# 8: the ledger holds a line for each case copy handed over (issue 15).
# 9: saved per inspection, the global part keeps each inspection's phase.
# 10: the blog tells the case copies released to the inspectors.
# 11: a meeting's version in the schedule moves with its KIT actions.
# 12: a case keeps the inspector's judgement and ours apart.
# 13: meeting invitations (issue 24), and users keep their email address.
#     each distribution recipient says which copy of the blog they get.
#     the contact list (issue 24).
# 14: a request may be linked to a line of enquiry after it was recorded
#     (issue 25): requests and lines of enquiry follow the link.
# 15: a case keeps each item's newest browse and its newest items (issue 22).
# 16: the inspection's wall screens (issue 25).
VIEWS_VERSION = 16

# What every Zstandard frame starts with (a zlib stream starts with 0x78).
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def encode(views: Views, timeline: Timeline) -> bytes:
    # orjson: the saved state is tens of megabytes for a long inspection, and
    # the standard library's encoder would hold the server up for that long.
    state = orjson.dumps(
        {
            "version": VIEWS_VERSION,
            "views": views.to_json(),
            "timeline": timeline.to_json(),
        }
    )
    return zstandard.ZstdCompressor(level=1).compress(state)


def encode_global(views: Views, timeline: Timeline) -> bytes:
    """The global part and the timeline, without any inspection's models."""
    state = orjson.dumps(
        {
            "version": VIEWS_VERSION,
            "global": views.global_json(),
            "timeline": timeline.to_json(),
        }
    )
    return zstandard.ZstdCompressor(level=1).compress(state)


def encode_inspection(views: InspectionViews) -> bytes:
    state = orjson.dumps(
        {
            "version": VIEWS_VERSION,
            "position": views.position,
            "models": views.to_json(),
        }
    )
    return zstandard.ZstdCompressor(level=1).compress(state)


def decode_inspection(blob: bytes) -> InspectionViews | None:
    """One inspection's saved read models, or None if saved in another shape."""
    raw = orjson.loads(zstandard.ZstdDecompressor().decompress(blob))
    if raw.get("version") != VIEWS_VERSION:
        return None
    return InspectionViews.from_json(raw["models"], raw["position"])


def decode_global(
    blob: bytes,
) -> tuple[GlobalJson, dict[str, InspectionViews], Timeline] | None:
    """The saved global part, any inspections saved whole with it, and the
    timeline; or None if they were saved in another shape."""
    raw = _raw(blob)
    if raw is None:
        return None
    timeline = Timeline.from_json(raw["timeline"])
    if "global" in raw:
        return raw["global"], {}, timeline
    whole = Views.from_json(raw["views"])
    return whole.global_json(), dict(whole.inspections), timeline


def decode(blob: bytes) -> tuple[Views, Timeline] | None:
    """The saved read models, or None if they were saved in another shape."""
    raw = _raw(blob)
    if raw is None:
        return None
    if "global" in raw:
        views = Views.from_global_json(raw["global"], {})
        return views, Timeline.from_json(raw["timeline"])
    return Views.from_json(raw["views"]), Timeline.from_json(raw["timeline"])


def _raw(blob: bytes) -> dict[str, Any] | None:
    if blob.startswith(_ZSTD_MAGIC):
        state = zstandard.ZstdDecompressor().decompress(blob)
    else:
        state = zlib.decompress(blob)
    raw: dict[str, Any] = orjson.loads(state)
    if raw.get("version") != VIEWS_VERSION:
        log.warning(
            "saved read models are version %s, this code derives version %s: "
            "folding the log in again from the start",
            raw.get("version"),
            VIEWS_VERSION,
        )
        return None
    return raw
