"""FastAPI dependencies, as `Annotated` aliases the routes put in their signatures.

They are `async` where they do no blocking work: FastAPI runs a plain `def`
dependency on its threadpool, and that round trip costs more than the work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Query, Request
from pydantic import BeforeValidator, WithJsonSchema

from commands.run import Actor
from web.auth import current_actor, current_actor_of_stream
from web.state import ServerState


async def get_state(request: Request) -> ServerState:
    state: ServerState = request.app.state.warroom
    return state


StateDep = Annotated[ServerState, Depends(get_state)]
ActorDep = Annotated[Actor, Depends(current_actor)]
StreamActorDep = Annotated[Actor, Depends(current_actor_of_stream)]


# A version, as an ETag may quote it (`5`, `"5"`, `W/"5"`); declared in the
# OpenAPI too, so that fuzzers and clients know an empty one is refused.
VERSION_TAG = r'^[ \t]*(W/)?"*([0-9]+)"*[ \t]*$'


async def if_match(
    value: Annotated[
        str | None,
        # A string or absent: never the `null` FastAPI would declare.
        WithJsonSchema({"type": "string", "pattern": VERSION_TAG}),
        Header(
            alias="If-Match",
            description="The version of the thing you change, as last read; "
            "a stale one gets 409 and nothing is stored; one that is not a "
            "version (empty included) gets 422.",
        ),
    ] = None,
) -> int | None:
    if value is None:
        return None
    version = re.match(VERSION_TAG, value)
    if version is None:
        raise HTTPException(
            status_code=422,
            detail=[
                {
                    "loc": ["header", "If-Match"],
                    "msg": "If-Match takes the version number the response gave",
                    "type": "value_error",
                }
            ],
        )
    return int(version.group(2))


IfMatchDep = Annotated[int | None, Depends(if_match)]

IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Send the same command again with the same key: the first "
        "answer comes back and nothing new is stored.",
    ),
]


@dataclass(frozen=True)
class PointInTime:
    """`?happened_by=<instant>`, `?as_of=<instant>` or `?at=<position>`:
    the read models as they were then (`projections.reads.Reader.ask`)."""

    as_of: datetime | None
    at: int | None
    min_position: int
    happened_by: datetime | None = None

    @property
    def is_past(self) -> bool:
        return (
            self.as_of is not None
            or self.at is not None
            or self.happened_by is not None
        )

    def named(self) -> dict[str, str]:
        """`{"happened_by": <instant>}` for an answer asked so; else nothing,
        so that answers not asked by that clock stay as they were."""
        if self.happened_by is None:
            return {}
        return {"happened_by": self.happened_by.isoformat()}

    @property
    def instant(self) -> datetime | None:
        """The instant asked about, by either clock; None for now or a position."""
        return self.happened_by or self.as_of


def _not_a_number(value: object) -> object:
    """Pydantic reads a number as seconds since 1970: `as_of=-5917321` would
    be an instant of 1969, and the caller meant something else."""
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("must be an instant such as 2026-11-25T17:00:00Z")
    return value


# An instant in a query: ISO 8601 text, never a number.
NOT_A_NUMBER = BeforeValidator(_not_a_number)


# Instants a read may ask about: a day inside the era at each end, so that
# the instant is a date in every time zone (9999-12-31T23:59:59-12:00 is not).
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def _instant_problem(as_of: datetime, name: str = "as_of") -> str | None:
    if as_of.tzinfo is None:
        return f"{name} needs a time zone, e.g. 2026-11-25T17:00:00Z"
    try:
        inside = EARLIEST <= as_of.astimezone(UTC) <= LATEST
    except OverflowError:
        inside = False
    if not inside:
        return f"{name} must be between 0001-01-02 and 9999-12-30 (UTC)"
    return None


def _refused(name: str, problem: str) -> HTTPException:
    return HTTPException(
        status_code=422,
        detail=[{"loc": ["query", name], "msg": problem, "type": "value_error"}],
    )


# Two clocks cannot both be asked at once: which one was meant?
BOTH_CLOCKS = (
    "happened_by (what had happened by an instant) cannot be asked together "
    "with as_of (what the log held at an instant) or at (a log position): "
    "give one of them"
)


async def point_in_time(
    request: Request,
    as_of: Annotated[
        datetime | None,
        NOT_A_NUMBER,
        Query(description="An instant with its zone: what the log held then."),
    ] = None,
    happened_by: Annotated[
        datetime | None,
        NOT_A_NUMBER,
        Query(
            description="An instant with its zone: the board as it was by what "
            "had happened by then (each entry at the time it happened, not when "
            "it was written down). Not with `as_of` or `at`."
        ),
    ] = None,
    at: Annotated[
        int | None, Query(ge=0, description="A log position: the log up to it.")
    ] = None,
    min_position: Annotated[
        int,
        Query(
            ge=0,
            description="Wait (up to WARROOM_READ_WAIT_SECONDS) until the read "
            "models include this position (read-your-writes across server "
            "processes). A position beyond the end of the log gets 409 at once.",
        ),
    ] = 0,
) -> PointInTime:
    problem = None if as_of is None else _instant_problem(as_of)
    if problem is not None:
        raise _refused("as_of", problem)
    if happened_by is not None:
        problem = _instant_problem(happened_by, "happened_by")
        if problem is None and (as_of is not None or at is not None):
            problem = BOTH_CLOCKS
        if problem is not None:
            raise _refused("happened_by", problem)
    when = PointInTime(
        as_of=as_of, at=at, min_position=min_position, happened_by=happened_by
    )
    # Awaited here, on the event loop, so that the route's own (threaded)
    # read finds the position reached and holds its thread no longer; this
    # process's own last save included (read-your-writes).
    state: ServerState = request.app.state.warroom
    await state.reader.wait_for_position(max(min_position, state.reader.last_saved))
    return when


WhenDep = Annotated[PointInTime, Depends(point_in_time)]
