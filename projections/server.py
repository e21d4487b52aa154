"""A running server, as the work beside its HTTP side sees it: the log, the
settings, and the read side following the log.

The blog's and the invitations' senders, the push notifier and the clock
that closes days run in the server process and take this, not the web
side's `ServerState` (which is one): they sit below `web/` and must not
import it.
"""

from __future__ import annotations

from typing import Protocol

from projections.follower import ReadSide
from projections.reads import Reader
from warroom.application import WarRoom
from warroom.config import Settings


class Server(Protocol):
    @property
    def settings(self) -> Settings: ...

    @property
    def app(self) -> WarRoom: ...

    @property
    def read_side(self) -> ReadSide: ...

    @property
    def reader(self) -> Reader: ...
