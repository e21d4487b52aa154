"""An event is recorded on the clock of its context: the server's, unless a
loader of a scripted history (the demo) sets its own for its work alone."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from tests.days import iso_day, moment
from warroom.domain.aggregate import recorded_on
from warroom.domain.base import Context
from warroom.domain.blog import BlogPost

SCRIPTED = moment(0, 9, 40, tzinfo=UTC)


def written() -> BlogPost:
    ctx = Context(actor="a", actor_name="A", occurred_at=SCRIPTED)
    return BlogPost(
        inspection_id="i",
        day=iso_day(0),
        title="Day 1",
        body="The call came.",
        meta=ctx.meta(),
    )


def test_within_recorded_on_events_are_recorded_at_the_clocks_time() -> None:
    with recorded_on(lambda: SCRIPTED):
        post = written()
    (event,) = post.collect_events()
    assert event.timestamp == SCRIPTED


def test_outside_it_and_in_other_threads_events_are_recorded_now() -> None:
    before = datetime.now(UTC)
    elsewhere: list[datetime] = []

    def server_thread() -> None:
        elsewhere.extend(e.timestamp for e in written().collect_events())

    with recorded_on(lambda: SCRIPTED):
        thread = threading.Thread(target=server_thread)
        thread.start()
        thread.join()
    after = [e.timestamp for e in written().collect_events()]
    for when in (*elsewhere, *after):
        assert before <= when <= datetime.now(UTC) + timedelta(seconds=1)
