"""What the worker processes of one `warroom serve` share: the last position
any of them saved.

Read-your-writes on one process: a read waits until the read models include
the process's last save (`projections.reads.Reader.last_saved`). With
`WARROOM_WORKERS` > 1 the kernel hands each connection to any worker, so a
client's command may be saved by one and its next read answered by another:
that one must wait for the position the first saved. `warroom serve` makes a
small file before it starts its workers and names it in
`WARROOM_WORKER_POSITIONS`; every worker maps it, writes each save's position
into it (the larger one wins, under a file lock) and reads it, without a
lock, when it asks what was last saved. One aligned 8-byte word: a read sees
the old value or the new one.
"""

from __future__ import annotations

import fcntl
import mmap
import os
import struct
import tempfile
from pathlib import Path

ENV = "WARROOM_WORKER_POSITIONS"
_WORD = struct.Struct("<q")


class SharedPosition:
    """The largest position saved by any worker of this server."""

    def __init__(self, path: str) -> None:
        self._fd = os.open(path, os.O_RDWR)
        self._map = mmap.mmap(self._fd, _WORD.size)

    @classmethod
    def from_env(cls) -> SharedPosition | None:
        """The file `warroom serve` named for its workers; None when alone."""
        path = os.environ.get(ENV)
        return cls(path) if path else None

    @staticmethod
    def create() -> str:
        """A new file, holding position 0, for a server's workers to share."""
        fd, path = tempfile.mkstemp(prefix="warroom-positions-")
        os.write(fd, _WORD.pack(0))
        os.close(fd)
        return path

    def saved(self, position: int) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            if _WORD.unpack_from(self._map)[0] < position:
                _WORD.pack_into(self._map, 0, position)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def last_saved(self) -> int:
        value: int = _WORD.unpack_from(self._map)[0]
        return value


def remove(path: str) -> None:
    Path(path).unlink(missing_ok=True)
