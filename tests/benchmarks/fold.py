"""Issue 22's fold: browses of one case beside the same number over thirty.

One log holds two inspections: in the first every `CaseBrowsed` names one
case, in the second the same number fall on thirty cases; each browse names
an item never browsed before (as an access log naming each document does).
A fresh read side folds the whole log in, as a server does (each event also
encoded as the live stream sends it), and the time each inspection's events
took is summed. Before the fix the one-case fold grew with the square of its
browses (10,000 took 28.4 s against 7.2 s over thirty cases).
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from projections.events import LoggedEvent
from projections.follower import ReadSide, read_events
from projections.views import Changes
from tests.benchmarks.databases import fresh_database
from tests.benchmarks.logbuilder import Cast, add_users, open_inspection
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.base import Context
from warroom.domain.case import Case
from web.catchup import encode

if TYPE_CHECKING:
    from tests.benchmarks.runner import Run

# Events saved per transaction while building.
BATCH = 5000


def browse(app: WarRoom, cast: Cast, *, cases: int, browses: int, seed: str) -> str:
    """An inspection whose `browses` CaseBrowsed fall on `cases` cases, each
    naming an item never browsed before; its id."""
    inspection = open_inspection(app, cast, f"Fold {seed}")
    actor = cast.actors["rapid_response"]
    start = datetime.combine(inspection.starts_on, datetime.min.time(), UTC)

    def ctx(n: int) -> Context:
        return Context(
            actor=actor.id,
            actor_name=actor.name,
            occurred_at=start + timedelta(seconds=n),
            inspection_id=inspection.id,
        )

    selected = [
        Case(
            inspection_id=inspection.id,
            ref=f"C-{n:04d}",
            selection="audited",
            plan="CP",
            social_worker=None,
            team_manager=None,
            iro=None,
            meta=ctx(0).meta(),
        )
        for n in range(cases)
    ]
    app.save(*selected)
    for first in range(0, browses, BATCH):
        for n in range(first, min(first + BATCH, browses)):
            case = selected[n % cases]
            case.browse(inspection.inspectors[n % 3], f"Case note {seed}-{n}", ctx(n))
        app.save(*selected)
    return inspection.id


def two_inspections(app: WarRoom, browses: int) -> tuple[str, str]:
    """The one-case inspection and the thirty-case one, in one log."""
    cast = add_users(app)
    one = browse(app, cast, cases=1, browses=browses, seed="one")
    thirty = browse(app, cast, cases=30, browses=browses, seed="thirty")
    return one, thirty


def fold_seconds(app: WarRoom) -> dict[str, float]:
    """How long a fresh read side takes to fold each inspection's events in
    (reading the log not counted), each also encoded for the live stream."""
    read_side = ReadSide(app, save_every=10**12, save_seconds=3600)
    sent = [0]

    def publish(event: LoggedEvent, changes: Changes) -> None:
        sent[0] += len(encode(event, changes))

    read_side.add_listener(publish)
    took: dict[str, float] = defaultdict(float)
    for event in read_events(app, 0, None, batch=BATCH):
        started = time.perf_counter()
        read_side.apply(event)
        took[event.inspection_id] += time.perf_counter() - started
    return took


def fold_browses(run: Run) -> None:
    browses = run.plan.fold_browses
    with (
        run.measuring("fold_browses") as m,
        fresh_database(run.kind, "fold", run.workdir) as url,
    ):
        app = WarRoom(Database.from_url(url))
        try:
            built = time.perf_counter()
            one, thirty = two_inspections(app, browses)
            built = time.perf_counter() - built
            one_s, thirty_s = (
                m.figure("one_case_s", "s"),
                m.figure("thirty_cases_s", "s"),
            )
            one_rate = m.figure(
                "one_case_events_per_s", "events/s", higher_is_better=True
            )
            thirty_rate = m.figure(
                "thirty_cases_events_per_s", "events/s", higher_is_better=True
            )
            paired = m.figure("one_over_thirty", "x")
            for _ in range(run.plan.replay_runs):
                gc.collect()
                took = fold_seconds(app)
                one_s.add(took[one])
                thirty_s.add(took[thirty])
                one_rate.add(browses / took[one])
                thirty_rate.add(browses / took[thirty])
                paired.add(took[one] / took[thirty])
        finally:
            app.close()
        m.ratio(
            "one_case_vs_thirty_cases",
            "one_case_events_per_s",
            m,
            "thirty_cases_events_per_s",
            1 / 1.5,
            "one case folds at least 1/1.5 as fast as thirty",
        )
        m.goal_at_most("one_over_thirty", 1.5, "one case within 1.5 x thirty's time")
        m.params = {
            "browses_per_inspection": browses,
            "runs": run.plan.replay_runs,
            "build_seconds": round(built, 1),
            "what": "a fresh ReadSide folds a log of two inspections, each of "
            f"{browses} CaseBrowsed naming a new item each: on one case, and "
            "over thirty cases; every event also encoded as the live stream "
            "sends it; the seconds each inspection's events took (the log's "
            "reading not counted)",
        }
