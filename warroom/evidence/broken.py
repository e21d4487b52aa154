"""`log_broken`: what a server process says once its log disagrees with its
tree, for good (until it is restarted on a log that verifies).

Found where the log is appended to (`Tree.append`: a position the tree holds
already, which SQLite hands out again when the newest row was deleted) and
by the check that follows what the process folds (`warroom.evidence.sentinel`).
Once found, this process stores nothing more: commands answer 503
`log_broken` rather than carry on over a log nobody can prove.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

log = logging.getLogger(__name__)

CODE = "log_broken"


class LogBroken(Exception):
    """The log disagrees with its tree: where, and how, in words."""

    def __init__(self, problem: str, position: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.position = position

    def to_json(self) -> dict[str, Any]:
        return {"code": CODE, "detail": self.problem, "position": self.position}


def refuse_taken(last_position: int, positions: Sequence[int]) -> None:
    """LogBroken if an append was given a position the tree holds already."""
    if positions and positions[0] <= last_position:
        raise LogBroken(
            f"a new event was given position {positions[0]}, which the tree "
            f"holds already (its last leaf is at position {last_position}): "
            "rows were deleted from the end of the log",
            positions[0],
        )


class LogHealth:
    """One process's verdict on its log: sound until found broken, then
    broken for good, said once in its log."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.broken: LogBroken | None = None

    def found(self, error: LogBroken) -> None:
        with self._lock:
            if self.broken is not None:
                return
            self.broken = error
        log.error(
            "log_broken: %s%s; this process stores nothing more (run `warroom verify`)",
            error.problem,
            "" if error.position is None else f" (position {error.position})",
        )

    def refuse_if_broken(self) -> None:
        broken = self.broken
        if broken is not None:
            raise LogBroken(broken.problem, broken.position)
