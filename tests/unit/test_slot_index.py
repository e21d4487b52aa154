"""Clash warnings found through the slot index equal those found by checking
every meeting against every other."""

from __future__ import annotations

from datetime import UTC, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.days import moment
from warroom.domain.meeting import Slot, SlotIndex, find_warnings

START = moment(-7, 8, 0, tzinfo=UTC)
PEOPLE = ("Jo Hart", "Linda Evans", "Mark Leaver")
INSPECTORS = ("i1", "i2")
NAMES = {"i1": "Helen", "i2": "Sam"}


# The strategies are made once, not at each draw: building (and validating) a
# strategy per draw cost most of this test's two minutes.
COUNTS = st.integers(min_value=0, max_value=25)
# Five-minute steps over two days, up to six hours long: clashes, tight gaps
# and meetings far apart all turn up.
FIVE_MINUTE_STARTS = st.integers(0, 2 * 24 * 12)
FIVE_MINUTE_LENGTHS = st.integers(1, 72)
VENUES = st.sampled_from(("War room", "Room 1.02", "Teams"))
SOME_PEOPLE = st.sets(st.sampled_from(PEOPLE))
SOME_INSPECTORS = st.sets(st.sampled_from(INSPECTORS))


@st.composite
def slots(draw: st.DrawFn) -> list[Slot]:
    count = draw(COUNTS)
    made = []
    for number in range(count):
        starts = START + timedelta(minutes=5 * draw(FIVE_MINUTE_STARTS))
        length = timedelta(minutes=5 * draw(FIVE_MINUTE_LENGTHS))
        made.append(
            Slot(
                meeting_id=f"m{number}",
                starts_at=starts,
                ends_at=starts + length,
                venue=draw(VENUES),
                people=frozenset(draw(SOME_PEOPLE)),
                inspectors=frozenset(draw(SOME_INSPECTORS)),
            )
        )
    return made


@settings(max_examples=300, deadline=None)
@given(slots())
def test_the_index_finds_every_warning_a_full_scan_finds(all_slots: list[Slot]) -> None:
    index = SlotIndex(all_slots)
    for slot in all_slots:
        assert find_warnings(slot, index.near(slot), NAMES) == find_warnings(
            slot, all_slots, NAMES
        )


def test_the_index_leaves_out_meetings_far_away() -> None:
    def slot(name: str, hour: int) -> Slot:
        starts = START + timedelta(hours=hour)
        return Slot(
            name,
            starts,
            starts + timedelta(hours=1),
            "War room",
            frozenset(),
            frozenset(),
        )

    morning, noon, evening = slot("a", 0), slot("b", 4), slot("c", 10)
    index = SlotIndex([evening, noon, morning])

    assert index.near(noon) == [noon]
    assert index.near(slot("d", 4)) == [noon]
    assert index.near(slot("e", 1)) == [morning]
