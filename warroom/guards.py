"""Rules a command checked against a thing it read but does not change,
checked again inside the save's own transaction.

A command on an inspection reads the inspection (is it open? is this
inspector on its roster?) without changing it, so the library's optimistic
concurrency check, which covers only the aggregates a save appends to, does
not see the inspection move to `closed` between the check and the save. An
`Unchanged` guard names the version the command read; the recorders check it
after they hold the log's write lock (PostgreSQL's EXCLUSIVE table lock,
SQLite's write lock), in the transaction that appends the events, so no
other append can come between the check and the commit. A guard that fails
rolls the whole transaction back: the command is run again against the
inspection as it now stands (and is refused if it is now closed).

The command's events are already inserted when the guard is checked, so a
guard also fails when another command of the same group commit changed the
inspection: that one is saved, this one runs again after it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.persistence import DataError
from psycopg.sql import SQL, Composed, Identifier

# Marks the error PostgreSQL raises for a failed guard (see `postgres_check`).
MARKER = "warroom_guard_failed"


@dataclass(frozen=True)
class Unchanged:
    """The thing `aggregate_id` must still be at `version` when the save commits."""

    aggregate_id: UUID
    version: int


class Changed(Exception):
    """A guarded thing changed since it was read; nothing was stored."""

    def __init__(self, aggregate_ids: Iterable[UUID]) -> None:
        self.aggregate_ids = frozenset(aggregate_ids)
        super().__init__(
            "changed since read: " + ", ".join(sorted(map(str, self.aggregate_ids)))
        )

    def fails(self, guards: Iterable[Unchanged]) -> bool:
        return any(g.aggregate_id in self.aggregate_ids for g in guards)

    @classmethod
    def from_error(cls, error: BaseException) -> Changed | None:
        """The failed guards PostgreSQL reported in `error`, or None if it is
        another error."""
        if not isinstance(error, DataError) or MARKER not in str(error):
            return None
        named = str(error).split(MARKER, 1)[1].split('"', 1)[0]
        return cls(UUID(text) for text in named.split(",") if text.strip())


def sqlite_check(
    cursor: object, events_table: str, guards: Sequence[Unchanged]
) -> None:
    """Raises `Changed` (rolling the transaction back) if a guard fails."""
    if not guards:
        return
    latest: dict[UUID, int] = {}
    ids = sorted({g.aggregate_id for g in guards})
    marks = ",".join("?" * len(ids))
    cursor.execute(  # type: ignore[attr-defined]
        f"SELECT originator_id, MAX(originator_version) FROM {events_table} "
        f"WHERE originator_id IN ({marks}) GROUP BY originator_id",
        [i.hex for i in ids],
    )
    for row in cursor.fetchall():  # type: ignore[attr-defined]
        latest[UUID(row[0])] = int(row[1])
    failed = [g.aggregate_id for g in guards if latest.get(g.aggregate_id) != g.version]
    if failed:
        raise Changed(failed)


def postgres_check(schema: str, events_table: str) -> Composed:
    """A statement that fails, naming the guards that fail, or returns a row.

    Plain SQL cannot raise an error of its own choosing, but a cast can: a
    text that is not a number, cast to integer, raises "invalid input syntax
    for type integer" quoting the text, which carries `MARKER` and the ids.
    The text is built from the rows, never constant, so PostgreSQL cannot
    evaluate the cast while it plans the statement. The error aborts the
    transaction: the library's recorder then cannot commit it.
    """
    return SQL(
        "SELECT CASE WHEN count(*) = 0 THEN 0 ELSE ("
        "%s || string_agg(g.id::text, ','))::int END AS failed "
        "FROM unnest(%s::uuid[], %s::bigint[]) AS g(id, version) "
        "WHERE g.version IS DISTINCT FROM ("
        "SELECT max(e.originator_version) FROM {}.{} e "
        "WHERE e.originator_id = g.id)"
    ).format(Identifier(schema), Identifier(events_table))


def postgres_params(guards: Sequence[Unchanged]) -> tuple[str, list[UUID], list[int]]:
    return (
        MARKER,
        [g.aggregate_id for g in guards],
        [g.version for g in guards],
    )
