"""What one server process holds: the log, its read side, and who is signed in."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from commands.run import Actor
from projections.follower import ReadSide
from projections.views import InspectionViews, Views
from warroom.application import WarRoom
from warroom.config import Settings
from warroom.domain.base import NotFound
from warroom.domain.meeting import Slot
from warroom.domain.user import TokenIndex, User

T = TypeVar("T")


class ReadTimeout(Exception):
    """The read models did not reach a position in time."""


@dataclass
class ServerState:
    settings: Settings
    app: WarRoom
    read_side: ReadSide
    # The last position this process saved: a read waits for it (read-your-writes).
    last_saved: int = 0
    _actors: dict[str, Actor] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.app.on_save(self._saved)

    def _saved(self, position: int) -> None:
        with self._lock:
            self.last_saved = max(self.last_saved, position)

    def known_actor(self, token: str) -> Actor | None:
        """The actor of a token this process has already authenticated."""
        return self._actors.get(hashlib.sha256(token.encode()).hexdigest())

    def authenticate(self, token: str) -> Actor | None:
        token_sha256 = hashlib.sha256(token.encode()).hexdigest()
        actor = self._actors.get(token_sha256)
        if actor is not None:
            return actor
        index_id = TokenIndex.create_id(token_sha256)
        if not self.app.exists(index_id):
            return None
        index = self.app.load(TokenIndex, index_id)
        user = self.app.load(User, index.user_id)
        actor = Actor(id=str(user.id), name=user.name, role=user.role)
        # Tokens are never changed once issued, so a found one may be kept.
        self._actors[token_sha256] = actor
        return actor

    def catch_up(self, min_position: int = 0) -> None:
        wanted = max(self.last_saved, min_position)
        if not self.read_side.wait_for(wanted, self.settings.read_wait_seconds):
            why = self.read_side.error
            raise ReadTimeout(
                f"the read models have not reached position {wanted} yet"
                + (f": {why}" if why else "")
            )

    def calendar(self, inspection_id: str) -> list[Slot]:
        """The inspection's meetings, for clash warnings on a meeting command."""
        self.catch_up()
        return self.read_side.read(
            lambda views: (
                views.inspections[inspection_id].schedule.slots()
                if inspection_id in views.inspections
                else []
            )
        )

    def ask(
        self,
        inspection_id: str,
        question: Callable[[InspectionViews, Views], T],
        *,
        at: int | None = None,
        as_of: datetime | None = None,
        min_position: int = 0,
    ) -> tuple[T, int]:
        """Asks one inspection's read models, now or as they stood in the past.

        Returns the answer and the log position it is true at.
        """
        if as_of is not None:
            at = self.read_side.position_at(as_of)
        if at is not None:
            views = self.read_side.as_of(at)
            return _answer(views, inspection_id, question), views.position
        self.catch_up(min_position)
        return self.read_side.read(
            lambda views: (_answer(views, inspection_id, question), views.position)
        )


def _answer(
    views: Views, inspection_id: str, question: Callable[[InspectionViews, Views], T]
) -> T:
    inspection = views.inspections.get(inspection_id)
    if inspection is None:
        raise NotFound(
            f"no inspection with id {inspection_id} at position {views.position}"
        )
    return question(inspection, views)
