"""Which copies of a case the blog tells: those that went to the inspectors.

The API hands over only ours and the social worker's copy as
`CaseCopyHandedOver`; the domain would hand over the inspector's copy so too,
and the blog tells it as it tells a release (the HTTP tests are in
tests/integration/test_blog_case_copies.py).
"""

from __future__ import annotations

from datetime import UTC

from projections.blog import Blog
from projections.events import LoggedEvent
from tests.days import date_on, moment
from tests.unit.logged import logged_event

CASE = "case-1"
TEAM_INSPECTOR = "inspector-1"


def _event(position: int, type_: str, **data: object) -> LoggedEvent:
    return logged_event(
        position,
        type_,
        data,
        at=moment(1, 14, tzinfo=UTC),
        inspection_id="iid",
        aggregate_id=CASE,
        actor_name="A gatekeeper",
        aggregate_version=position,
    )


def _told(*events: LoggedEvent) -> list[tuple[str, str, str, str]]:
    blog = Blog()
    for event in events:
        fold = blog.folder(event.type)
        assert fold is not None, event.type
        fold(event)
    answer = blog.render(date_on(1), {TEAM_INSPECTOR: "Tom Bright"})
    return [
        (e["type"], e["subject"], e["to_name"], e["data"]["medium"])
        for e in answer["case_copies_released"]
    ]


def _selected() -> LoggedEvent:
    return _event(1, "CaseSelected", ref="LAC-7")


def test_the_inspectors_copy_handed_over_is_told_like_a_release() -> None:
    handed = _event(
        2, "CaseCopyHandedOver", copy="inspector", to=TEAM_INSPECTOR, medium="packet"
    )

    assert _told(_selected(), handed) == [
        ("CaseCopyHandedOver", "LAC-7", "Tom Bright", "packet")
    ]


def test_ours_and_the_social_workers_copy_handed_over_are_not_told() -> None:
    ours = _event(
        2, "CaseCopyHandedOver", copy="council", to="War room file", medium="hard_copy"
    )
    theirs = _event(
        3, "CaseCopyHandedOver", copy="social_worker", to="Sam", medium="electronic"
    )

    assert _told(_selected(), ours, theirs) == []


def test_a_copy_to_someone_not_on_the_roster_is_told_under_the_name_given() -> None:
    handed = _event(
        2, "CaseCopyHandedOver", copy="inspector", to="Ofsted office", medium="packet"
    )

    assert _told(_selected(), handed)[0][2] == "Ofsted office"
