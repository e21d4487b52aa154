"""The daily blog as an Atom feed (RFC 4287), one entry per day, with feedgen.

XML cannot hold most control characters (lxml raises on them): every string
given to feedgen is printable (warroom/text.py), so one title stored with a
vertical tab before commands refused it cannot break the feed for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID, uuid5

from feedgen.feed import FeedGenerator

from projections.blog import BlogAnswer
from warroom.text import one_line, printable


@dataclass(frozen=True)
class Day:
    """One day's blog and where it is read."""

    blog: BlogAnswer
    html: str
    updated: datetime
    url: str


def atom(
    *,
    feed_id: str,  # a UUID: the inspection's
    title: str,
    self_url: str,
    updated: datetime,
    days: Iterable[Day],
) -> bytes:
    feed = FeedGenerator()
    feed_uuid = UUID(feed_id)
    feed.id(f"urn:uuid:{feed_uuid}")
    feed.title(one_line(title))
    feed.author({"name": "warroom"})
    feed.link(href=self_url, rel="self", type="application/atom+xml")
    feed.updated(updated)
    for day in days:
        entry = feed.add_entry(order="append")
        # A day's entry keeps its id whatever is added to it later.
        entry.id(f"urn:uuid:{uuid5(feed_uuid, day.blog['day'])}")
        entry.title(f"{day.blog['day']}: the day's blog")
        entry.updated(day.updated)
        entry.link(href=day.url, rel="alternate", type="text/html")
        posts = [p["title"] for p in day.blog["posts"]]
        summary = " / ".join(posts) if posts else "What the day's events say"
        entry.summary(one_line(summary))
        entry.content(printable(day.html), type="html")
    xml: bytes = feed.atom_str(pretty=True)
    return xml
