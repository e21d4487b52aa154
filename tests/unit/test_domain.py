"""The aggregates alone: no database, no server."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.days import iso_day
from warroom.domain.base import Context, RuleBroken
from warroom.domain.case import Case
from warroom.domain.inspection import Inspection
from warroom.domain.meeting import Meeting, Slot, find_warnings
from warroom.domain.request import DocumentRequest

A, B = "a" * 64, "b" * 64


def ctx(actor: str = "someone") -> Context:
    return Context(actor=actor, actor_name=actor, occurred_at=datetime.now(UTC))


def request(channel: str = "kit") -> DocumentRequest:
    return DocumentRequest(
        inspection_id="i",
        title="Annex A",
        requested_by="insp",
        channel=channel,
        due_at=None,
        detail=None,
        line_of_enquiry=None,
        meta=ctx().meta(),
    )


def attached(sha: str = A, by: str = "preparer") -> DocumentRequest:
    r = request()
    r.assign("preparer", ctx())
    r.attach(sha, "doc.pdf", "1", 3, ctx(by))
    return r


def rule_of(error: pytest.ExceptionInfo[RuleBroken]) -> str:
    return error.value.rule


# --- document requests ------------------------------------------------------


def test_a_request_walks_to_released_and_records_one_event_per_step() -> None:
    r = attached()
    r.approve(A, ctx("lead"))
    r.check(A, ctx("checker"))
    r.release(A, "insp", "electronic", ctx("gatekeeper"))
    assert r.state == "released"
    assert [type(e).__name__ for e in r.collect_events()] == [
        "DocumentRequested",
        "RequestAssigned",
        "DocumentAttached",
        "DocumentApproved",
        "FinalCheckPassed",
        "DocumentReleased",
    ]


def test_a_document_cannot_be_attached_before_the_request_is_assigned() -> None:
    with pytest.raises(RuleBroken) as error:
        request().attach(A, "doc.pdf", "1", 3, ctx())
    assert rule_of(error) == "assign_before_attach"


def test_the_attacher_may_not_approve() -> None:
    with pytest.raises(RuleBroken) as error:
        attached(by="pat").approve(A, ctx("pat"))
    assert rule_of(error) == "approver_is_not_preparer"


def test_only_the_current_version_is_approved() -> None:
    r = attached(A)
    r.attach(B, "doc.pdf", "2", 3, ctx("preparer"))
    with pytest.raises(RuleBroken) as error:
        r.approve(A, ctx("lead"))
    assert rule_of(error) == "current_version_only"


def test_a_new_version_voids_the_approval_and_the_check() -> None:
    r = attached(A)
    r.approve(A, ctx("lead"))
    r.check(A, ctx("checker"))
    r.attach(B, "doc.pdf", "2", 3, ctx("preparer"))
    assert (r.state, r.approved_sha256, r.checked_sha256) == ("attached", None, None)
    with pytest.raises(RuleBroken):
        r.release(A, "insp", "packet", ctx("gatekeeper"))


def test_a_release_must_name_the_checked_sha256() -> None:
    r = attached(A)
    r.approve(A, ctx("lead"))
    r.check(A, ctx("checker"))
    with pytest.raises(RuleBroken) as error:
        r.release(B, "insp", "packet", ctx("gatekeeper"))
    assert rule_of(error) == "release_what_was_approved"


@pytest.mark.parametrize("close", ["decline", "withdraw"])
def test_a_closed_request_takes_no_further_step(close: str) -> None:
    r = attached()
    getattr(r, close)("reason", ctx())
    steps: tuple[Callable[[], None], ...] = (
        lambda: r.assign("x", ctx()),
        lambda: r.attach(B, "d", "2", 1, ctx()),
        lambda: r.decline("again", ctx()),
        lambda: r.withdraw("again", ctx()),
        lambda: r.escalate("lead", "again", ctx()),
    )
    for step in steps:
        with pytest.raises(RuleBroken) as error:
            step()
        assert rule_of(error) == "request_is_open"


def test_a_request_is_escalated_once() -> None:
    r = request()
    r.escalate("lead", "asked directly", ctx())
    assert r.escalated_to == "lead"
    with pytest.raises(RuleBroken) as error:
        r.escalate("lead", "again", ctx())
    assert rule_of(error) == "escalate_once"


def test_a_request_is_filed_under_a_line_and_may_move_but_not_onto_the_same() -> None:
    r = request()
    r.link_to_line_of_enquiry("line-1", "Thresholds", ctx())
    r.link_to_line_of_enquiry("line-2", "Supervision", ctx())
    with pytest.raises(RuleBroken) as error:
        r.link_to_line_of_enquiry("line-2", "Supervision", ctx())
    assert rule_of(error) == "link_to_another_line"
    assert "Supervision" in str(error.value)
    # Replayed, it is under the line it was last linked to.
    copy: DocumentRequest | None = None
    for e in r.collect_events():
        copy = e.mutate(copy)
    assert copy is not None and copy.line_of_enquiry == "line-2"


def test_a_request_replayed_from_its_events_is_the_same_request() -> None:
    r = attached()
    r.approve(A, ctx("lead"))
    events = r.collect_events()
    copy: DocumentRequest | None = None
    for e in events:
        copy = e.mutate(copy)
    assert copy is not None
    assert (copy.state, copy.approved_sha256, copy.current) == (
        r.state,
        r.approved_sha256,
        r.current,
    )


# --- inspections ------------------------------------------------------------


def inspection() -> Inspection:
    return Inspection(
        title="SIF",
        framework="SIF",
        starts_on=iso_day(0),
        timezone="Europe/London",
        meta=ctx().meta(),
    )


def test_phases_only_move_forward() -> None:
    i = inspection()
    i.enter_phase("day3_on_site", ctx())
    for phase in ("day1_notification", "day2_kick_off", "day3_on_site"):
        with pytest.raises(RuleBroken) as error:
            i.enter_phase(phase, ctx())
        assert rule_of(error) == "phase_moves_forward"
    i.enter_phase("closed", ctx())
    assert i.is_closed


def test_the_lead_inspector_is_found_on_the_roster() -> None:
    i = inspection()
    assert i.lead_inspector() is None
    team = i.add_inspector("Tom", False, None, ctx())
    lead = i.add_inspector("Helen", True, None, ctx())
    assert i.lead_inspector() == lead
    i.require_inspector(team, "to")
    with pytest.raises(RuleBroken) as error:
        i.require_inspector("stranger", "to")
    assert rule_of(error) == "inspector_on_roster"


# --- cases ------------------------------------------------------------------


def case(selection: str) -> Case:
    return Case(
        inspection_id="i",
        ref="CP-1",
        selection=selection,
        plan="CP",
        social_worker=None,
        team_manager=None,
        iro=None,
        meta=ctx().meta(),
    )


def test_only_an_audited_case_is_judged() -> None:
    audited = case("audited")
    audited.judge("good", ctx())
    assert audited.judgement == "good"
    with pytest.raises(RuleBroken) as error:
        case("tracked").judge("good", ctx())
    assert rule_of(error) == "audit_audited_cases"


def test_a_party_is_notified_once() -> None:
    c = case("tracked")
    c.notify("iro", ctx())
    with pytest.raises(RuleBroken) as error:
        c.notify("iro", ctx())
    assert rule_of(error) == "notify_once"


def test_a_copy_of_a_case_costs_the_same_however_many_rows_it_holds() -> None:
    # The library hands each command a deep copy of the case it caches: the
    # keys of its access-log rows are shared, not copied (issue 22), and a
    # row added to the copy is not in the cached case.
    c = case("tracked")
    for n in range(2000):
        key = f"access-log:{n}"
        c.browse("inspector", "chronology", replace(ctx(), idempotency_key=key))
    copied = copy.deepcopy(c)
    assert copied.browse_keys is c.browse_keys
    copied.browse("inspector", "plan", replace(ctx(), idempotency_key="access-log:new"))
    assert "access-log:new" in copied.browse_keys
    assert "access-log:new" not in c.browse_keys
    assert "access-log:1999" in c.browse_keys and len(c.browse_keys) == 2000


def test_one_reference_gets_one_id_per_inspection() -> None:
    assert Case.create_id("i", "CP-1") == Case.create_id("i", "CP-1")
    assert Case.create_id("i", "CP-1") != Case.create_id("j", "CP-1")


# --- meetings ---------------------------------------------------------------


def meeting(**changes: object) -> Meeting:
    fields: dict[str, object] = {
        "inspection_id": "i",
        "title": "KIT",
        "kind": "kit",
        "starts_at": f"{iso_day(1)}T10:00:00+00:00",
        "ends_at": f"{iso_day(1)}T11:00:00+00:00",
        "venue": "Room 1",
        "attendees": ["Ann"],
        "inspectors": [],
        "topics": [],
        "meta": ctx().meta(),
        **changes,
    }
    return Meeting(**fields)  # type: ignore[arg-type]


def test_a_cancelled_meeting_refuses_changes() -> None:
    m = meeting()
    m.cancel("unwell", ctx())
    with pytest.raises(RuleBroken) as error:
        m.move("Room 2", None, ctx())
    assert rule_of(error) == "meeting_not_cancelled"


def test_only_attendees_can_be_removed_and_nothing_changes_if_one_is_not() -> None:
    m = meeting(attendees=["Ann", "Bo"])
    with pytest.raises(RuleBroken):
        m.change_attendees(["Cy"], ["Bo", "Di"], ctx())
    assert m.attendees == ["Ann", "Bo"]
    m.change_attendees(["Cy"], ["Bo"], ctx())
    assert m.attendees == ["Ann", "Cy"]


def test_someone_already_attending_is_not_added_again() -> None:
    m = meeting(attendees=["Ann"])
    with pytest.raises(RuleBroken) as error:
        m.change_attendees(["Bo", "Ann"], [], ctx())
    assert rule_of(error) == "add_only_newcomers"
    assert m.attendees == ["Ann"]


def slot(mid: str, start: str, end: str, **kw: object) -> Slot:
    return Slot.of(
        meeting_id=mid,
        starts_at=f"{iso_day(1)}T{start}:00+00:00",
        ends_at=f"{iso_day(1)}T{end}:00+00:00",
        venue=str(kw.get("venue", "Room 1")),
        people=kw.get("people", []),  # type: ignore[arg-type]
        inspectors=kw.get("inspectors", []),  # type: ignore[arg-type]
    )


def test_clashes_are_found_for_a_venue_a_person_and_an_inspector() -> None:
    new = slot("new", "10:00", "11:00", people=["Ann"], inspectors=["h"])
    old = slot("old", "10:30", "11:30", people=["Ann"], inspectors=["h"])
    found = find_warnings(new, [old], {"h": "Helen"})
    assert sorted((w["kind"], w["who"]) for w in found) == [
        ("inspector_double_booked", "Helen"),
        ("person_double_booked", "Ann"),
        ("venue_double_booked", "Room 1"),
    ]


@pytest.mark.parametrize(
    ("start", "warned"), [("11:00", True), ("11:14", True), ("11:15", False)]
)
def test_an_inspector_needs_fifteen_minutes_between_meetings(
    start: str, warned: bool
) -> None:
    new = slot("new", start, "12:30", venue="Room 2", inspectors=["h"])
    old = slot("old", "10:00", "11:00", inspectors=["h"])
    kinds = [w["kind"] for w in find_warnings(new, [old], {})]
    assert kinds == (["inspector_no_breathing_space"] if warned else [])


def test_a_meeting_does_not_clash_with_itself() -> None:
    same = slot("m", "10:00", "11:00", people=["Ann"])
    assert find_warnings(same, [same], {}) == []
