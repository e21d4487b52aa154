"""A post of the daily blog, in the communication lead's own words."""

from __future__ import annotations

from typing import Any

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate


class BlogPost(Aggregate):
    @event("BlogPostWritten")
    def __init__(
        self,
        inspection_id: str,
        day: str,
        title: str,
        body: str,
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.day = day
