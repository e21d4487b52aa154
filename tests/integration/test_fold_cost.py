"""A fold costs the same per event whatever the history of its aggregate.

Issue 22: an access log of 200,000 rows naming one case made the read side
fold ever slower (each `CaseBrowsed` cost more than the one before: the
case's map of items browsed was copied, and sent on the stream whole, once
per event). Here one inspection's browses all name one case, another's the
same number spread over thirty, each a different item; a read side folds
both, as a server does (every event also encoded for the live stream), and
the first may take at most 1.5 times as long as the second.

20,000 events each, not the issue's 200,000, to keep the suite quick: before
the fix the one-case fold took over twenty times as long already. The
benchmark's `fold_browses` (`--only fold`) runs the full size.
"""

from __future__ import annotations

from tests.benchmarks.fold import fold_seconds, two_inspections
from warroom.application import WarRoom
from warroom.config import Database

BROWSES = 20_000
ROUNDS = 3


def test_browses_of_one_case_fold_as_fast_as_browses_of_thirty(
    database_url: str,
) -> None:
    app = WarRoom(Database.from_url(database_url))
    try:
        one, thirty = two_inspections(app, BROWSES)
        # Each round folds both; the best round of each: load hits both alike.
        rounds = [fold_seconds(app) for _ in range(ROUNDS)]
    finally:
        app.close()
    one_case = min(r[one] for r in rounds)
    thirty_cases = min(r[thirty] for r in rounds)
    assert one_case <= 1.5 * thirty_cases, (
        f"{BROWSES} browses of one case folded in {one_case:.2f} s, "
        f"of thirty cases in {thirty_cases:.2f} s"
    )
