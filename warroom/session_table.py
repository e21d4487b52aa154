"""People's sessions, kept beside the log, not in it (issue 26).

A session is a browser's sign-in: its cookie's secret is never stored, only
its SHA-256, as in `warroom.device_codes`. The rows live in a small table of
the database's own, shared by every server process, so a sign-out (a row
deleted) is seen by all of them at the next request. What a session leads
to, the user and what they may do, is in the log; a session is how long a
browser may act as them, and comes and goes many times a day: not a fact for
the log to keep for ever.

Times are seconds since 1970 (the server's clock), as in the codes' table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from psycopg.sql import SQL, Identifier

from warroom.application import WarRoom

_TABLE = "warroom_sessions"
# Any 64-bit number: the PostgreSQL transaction lock taken to make the table.
_LOCK = 0x5741_5345_5353_494F  # "WASESSIO"


@dataclass(frozen=True)
class SessionRow:
    user_id: str
    organisation_id: str | None
    started_at: float
    last_seen_at: float


@dataclass(frozen=True)
class SessionTable:
    """The table, on the application's own connection pool."""

    app: WarRoom
    kind: str
    schema: str

    @classmethod
    def of(cls, app: WarRoom) -> SessionTable:
        datastore: Any = app.store.datastore  # type: ignore[attr-defined]
        kind = "sqlite" if type(datastore).__name__ == "SQLiteDatastore" else "pg"
        table = cls(app, kind, getattr(datastore, "schema", "") or "public")
        table._make_table()
        return table

    def begin(
        self,
        session_sha256: str,
        user_id: str,
        organisation_id: str | None,
        now: float,
        *,
        idle_seconds: float,
        max_seconds: float,
    ) -> None:
        """Stores a session; those already over (idle or too old) go."""
        with self._transaction() as c:
            c.execute(
                self._sql(
                    "DELETE FROM {t} WHERE last_seen_at < {p} OR started_at < {p}"
                ),
                (now - idle_seconds, now - max_seconds),
            )
            c.execute(
                self._sql(
                    "INSERT INTO {t} (session_sha256, user_id, organisation_id, "
                    "started_at, last_seen_at) VALUES ({p}, {p}, {p}, {p}, {p})"
                ),
                (session_sha256, user_id, organisation_id, now, now),
            )

    def find(self, session_sha256: str) -> SessionRow | None:
        with self._transaction(commit=False) as c:
            c.execute(
                self._sql(
                    "SELECT user_id, organisation_id, started_at, last_seen_at "
                    "FROM {t} WHERE session_sha256 = {p}"
                ),
                (session_sha256,),
            )
            row = c.fetchone()
        if row is None:
            return None
        user_id, organisation_id, started_at, last_seen_at = _columns(row)
        return SessionRow(
            user_id=str(user_id),
            organisation_id=None if organisation_id is None else str(organisation_id),
            started_at=float(started_at),
            last_seen_at=float(last_seen_at),
        )

    def touch(self, session_sha256: str, now: float) -> None:
        """A request came: the idle time counts from now."""
        with self._transaction() as c:
            c.execute(
                self._sql(
                    "UPDATE {t} SET last_seen_at = {p} WHERE session_sha256 = {p} "
                    "AND last_seen_at < {p}"
                ),
                (now, session_sha256, now),
            )

    def end(self, session_sha256: str) -> int:
        return self._delete("session_sha256 = {p}", (session_sha256,))

    def end_for_user(self, user_id: str, started_before: float | None = None) -> int:
        """The user's sessions (those begun before an instant, if one is given:
        a change replayed from the log ends no session begun after it)."""
        if started_before is None:
            return self._delete("user_id = {p}", (user_id,))
        return self._delete(
            "user_id = {p} AND started_at < {p}", (user_id, started_before)
        )

    def end_for_organisation(
        self, organisation_id: str, started_before: float | None = None
    ) -> int:
        """The organisation's sessions (those begun before an instant, if one is
        given, as for a user)."""
        if started_before is None:
            return self._delete("organisation_id = {p}", (organisation_id,))
        return self._delete(
            "organisation_id = {p} AND started_at < {p}",
            (organisation_id, started_before),
        )

    def held(self) -> int:
        """Every row: what a refusal must leave unchanged."""
        with self._transaction(commit=False) as c:
            c.execute(self._sql("SELECT COUNT(*) FROM {t}"), ())
            return int(_columns(c.fetchone())[0])

    # --- SQL for either database ---------------------------------------------

    def _delete(self, where: str, values: tuple[Any, ...]) -> int:
        with self._transaction() as c:
            c.execute(self._sql("DELETE FROM {t} WHERE " + where), values)
            return int(getattr(c, "sqlite_cursor", c).rowcount)

    def _make_table(self) -> None:
        with self._transaction() as c:
            if self.kind == "pg":
                # Two processes starting at once must not both create it.
                c.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
            c.execute(
                self._sql(
                    "CREATE TABLE IF NOT EXISTS {t} ("
                    "session_sha256 TEXT PRIMARY KEY, "
                    "user_id TEXT NOT NULL, "
                    "organisation_id TEXT, "
                    "started_at DOUBLE PRECISION NOT NULL, "
                    "last_seen_at DOUBLE PRECISION NOT NULL)"
                ),
                (),
            )
            c.execute(
                self._sql(
                    "CREATE INDEX IF NOT EXISTS warroom_sessions_user ON {t} (user_id)"
                ),
                (),
            )

    def _sql(self, text: str) -> Any:
        if self.kind == "sqlite":
            return text.format(t=_TABLE, p="?")
        table = SQL("{}.{}").format(Identifier(self.schema), Identifier(_TABLE))
        return SQL(text.replace("{p}", "%s")).format(t=table)

    def _transaction(self, commit: bool = True) -> Any:
        datastore: Any = self.app.store.datastore  # type: ignore[attr-defined]
        return datastore.transaction(commit=commit)


def _columns(row: Any) -> tuple[Any, ...]:
    """A row's columns in order: a tuple on SQLite, a dict on PostgreSQL."""
    if isinstance(row, dict):
        return tuple(row.values())
    return tuple(row)
