"""The codes wall screens wait with, kept beside the log, not in it (issue 25).

A screen asks for a code before anyone is signed in, so anybody may ask: a
code is not a thing of any organisation, and the log (every organisation's
tree, its export, for ever) is not the place for what strangers send. What
the code leads to is in the log: the approval by a lead, the connection,
the disconnection (`warroom.domain.display`).

So a pending code is one row of a small table of the database's own, shared
by every server process: the hashes of the device code and the user code
(never the codes), when it expires, and when the screen may next ask
(RFC 8628's `interval` and `slow_down`). At most `cap` codes are pending at
once, counted and inserted in one statement (under a transaction lock on
PostgreSQL), so a crowd of requests cannot fill the table; rows expired for
longer than a code lives are deleted as new ones come.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from psycopg.sql import SQL, Identifier

from warroom.application import WarRoom

# How long, after it expired, a code is still known as expired (and not as
# unknown): the screen is told to ask for a new one.
KEPT_EXPIRED_FACTOR = 1

# Said to a poll that came sooner than `interval` after the last: it waits
# this much longer from then on (RFC 8628 section 3.5).
SLOW_DOWN_SECONDS = 5
# A poll may come this much early (a timer fires a little before its time,
# or the answer was slow to reach the screen).
EARLY_SECONDS = 0.5

# Any 64-bit number: the PostgreSQL transaction lock taken while counting.
_LOCK = 0x5741_4C4C_434F_4445  # "WALLCODE"


class Poll(Enum):
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    TOO_SOON = "too_soon"
    WELCOME = "welcome"


class UserCodeTaken(Exception):
    """Another pending code has the same user code: draw another."""


@dataclass(frozen=True)
class PendingCodes:
    """The table, on the application's own connection pool."""

    app: WarRoom
    kind: str
    schema: str

    @classmethod
    def of(cls, app: WarRoom) -> PendingCodes:
        datastore: Any = app.store.datastore  # type: ignore[attr-defined]
        kind = "sqlite" if type(datastore).__name__ == "SQLiteDatastore" else "pg"
        codes = cls(app, kind, getattr(datastore, "schema", "") or "public")
        codes._make_table()
        return codes

    def issue(
        self,
        *,
        device_sha256: str,
        user_sha256: str,
        now: float,
        lifetime: int,
        interval: int,
        cap: int,
    ) -> bool:
        """Stores a pending code; False (nothing stored) when `cap` are pending."""
        forgotten = now - lifetime * (1 + KEPT_EXPIRED_FACTOR)
        with self._transaction() as c:
            self._lock(c)
            c.execute(self._sql("DELETE FROM {t} WHERE expires_at < {p}"), (forgotten,))
            c.execute(
                self._sql(
                    "SELECT COUNT(*) FROM {t} WHERE user_sha256 = {p} "
                    "AND expires_at > {p}"
                ),
                (user_sha256, now - lifetime),
            )
            if _first(c.fetchone()):
                raise UserCodeTaken
            c.execute(
                self._sql("DELETE FROM {t} WHERE user_sha256 = {p}"), (user_sha256,)
            )
            c.execute(
                self._sql(
                    "INSERT INTO {t} (device_sha256, user_sha256, expires_at, "
                    "poll_interval, next_poll_at) "
                    "SELECT {p}, {p}, {p}, {p}, {p} "
                    "WHERE (SELECT COUNT(*) FROM {t} WHERE expires_at > {p}) < {p}"
                ),
                (device_sha256, user_sha256, now + lifetime, interval, now, now, cap),
            )
            return _rowcount(c) == 1

    def device_of(self, user_sha256: str, now: float) -> str | None:
        """The hash of the device code of a live user code, if it is one."""
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(
                    "SELECT device_sha256 FROM {t} WHERE user_sha256 = {p} "
                    "AND expires_at > {p}"
                ),
                (user_sha256, now),
            )
            row = c.fetchone()
        return None if row is None else str(_first(row))

    def poll(self, device_sha256: str, now: float) -> Poll:
        """Notes a poll; whether it was welcome, too soon, or about an expired
        or unknown code. One statement decides, so two processes polled at
        once cannot both welcome the poll."""
        with self._transaction() as c:
            c.execute(
                self._sql(
                    "UPDATE {t} SET next_poll_at = {p} + poll_interval - {p} "
                    "WHERE device_sha256 = {p} AND expires_at > {p} "
                    "AND next_poll_at <= {p}"
                ),
                (now, EARLY_SECONDS, device_sha256, now, now),
            )
            if _rowcount(c) == 1:
                return Poll.WELCOME
            c.execute(
                self._sql("SELECT expires_at FROM {t} WHERE device_sha256 = {p}"),
                (device_sha256,),
            )
            row = c.fetchone()
            if row is None:
                return Poll.UNKNOWN
            if float(_first(row)) <= now:
                return Poll.EXPIRED
            c.execute(
                self._sql(
                    "UPDATE {t} SET poll_interval = poll_interval + {p}, "
                    "next_poll_at = {p} + poll_interval + {p} - {p} "
                    "WHERE device_sha256 = {p}"
                ),
                (
                    SLOW_DOWN_SECONDS,
                    now,
                    SLOW_DOWN_SECONDS,
                    EARLY_SECONDS,
                    device_sha256,
                ),
            )
            return Poll.TOO_SOON

    def pending(self, now: float) -> int:
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql("SELECT COUNT(*) FROM {t} WHERE expires_at > {p}"), (now,)
            )
            return int(_first(c.fetchone()))

    def held(self) -> int:
        """Every row, expired or not: what a refusal must leave unchanged."""
        with self._transaction(commit=False) as c:
            c.execute(self._sql("SELECT COUNT(*) FROM {t}"), ())
            return int(_first(c.fetchone()))

    # --- SQL for either database ---------------------------------------------

    def _make_table(self) -> None:
        with self._transaction() as c:
            self._lock(c)
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} ("
                    "device_sha256 TEXT PRIMARY KEY, "
                    "user_sha256 TEXT NOT NULL UNIQUE, "
                    "expires_at DOUBLE PRECISION NOT NULL, "
                    "poll_interval DOUBLE PRECISION NOT NULL, "
                    "next_poll_at DOUBLE PRECISION NOT NULL)"
                ),
                (),
            )

    def _sql(self, text: str) -> Any:
        if self.kind == "sqlite":
            return text.format(t="warroom_device_codes", p="?")
        table = SQL("{}.warroom_device_codes").format(Identifier(self.schema))
        return SQL(text.replace("{p}", "%s")).format(t=table)

    def _transaction(self, commit: bool = True) -> Any:
        datastore: Any = self.app.store.datastore  # type: ignore[attr-defined]
        return datastore.transaction(commit=commit)

    def _lock(self, c: Any) -> None:
        """One process at a time counts and inserts (SQLite's writer lock
        does it there)."""
        if self.kind == "pg":
            c.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))


def _rowcount(c: Any) -> int:
    """Rows the last statement changed (the library wraps SQLite's cursor)."""
    return int(getattr(c, "sqlite_cursor", c).rowcount)


def _first(row: Any) -> Any:
    """The first column of a row: a tuple on SQLite, a dict on PostgreSQL."""
    if isinstance(row, dict):
        return next(iter(row.values()))
    return row[0]
