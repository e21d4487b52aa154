"""The playbook: an inspection opened from a template, its tasks done and
assigned, overdue ones flagged, and templates that stay data."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from commands.models import AssignPlaybookTask, CompletePlaybookTask
from tests.days import date_on, iso_day
from tests.helpers import WarRoomClient, refused, refused_roles
from warroom.playbook_templates import DEFAULT_DIR

# The aide-memoire's table of who leads what, word for word where it can be.
RESPONSIBILITIES = [
    "Guardian of Annex A",
    "Owner/moderator for Annex A documents",
    "case audits",
    "tracked cases",
    "Communication lead",
    "IT and logistics",
    "Key point of contact for the lead inspector",
    "War room and KIT location",
    "Rapid response team",
]

# Each task of the aide-memoire, by the words that name it, and its phase.
TASKS = {
    "day1_notification": [
        "ADCS",
        "leadership team",
        "Activate the implementation plan",
        "Staff briefing",
        "Cascade debriefing forms",
        "diary management",
        "Annex A reports ready for submission by the start of day 2",
    ],
    "day2_kick_off": [
        "Meet the lead inspector",
        "members of the KIT",
        "presentation 1: Annex A",
        "presentation 2: Annex M",
        "presentation 3: Service plan",
        "presentation 4: SMART action plan",
        "presentation 5: Balanced scorecard",
        "presentation 6: Senior leadership team",
        "presentation 7: Serious incident",
        "presentation 8: Teams with current difficulties",
        "what Annex A tells us about performance",
        "key lines of enquiry",
        "18 cases to be audited and the 12 to be tracked",
        "management scrutiny of all 30",
        "IROs/CP chairs",
        "Education, health and other key partners",
        "Parents and carers",
        "Multi-agency review",
        "Three copies of each case",
        "understand its judgement",
    ],
    "day3_on_site": [
        "Brief staff about the meetings",
        "Debrief staff",
        "Brief our own staff",
        "Plan the next KIT",
    ],
    "day4_feedback": [
        "feedback",
        "further key lines of enquiry",
        "timescales",
        "follow up any issues or concerns",
        "Plan for week 2",
    ],
    "week2_off_site": [
        "File auditing",
        "folders for each of the 12 tracked cases",
        "ducks in a row",
        "Nurture staff",
        "Tidy up case files",
        "meetings of weeks 3 and 4",
    ],
    "weeks3_4_on_site": [
        "meetings schedule",
        "End-of-day meeting",
        "Daily blog",
        "leader, the lead member and the chief executive",
        "Debrief key partners",
        "Rapid response team",
    ],
}


@pytest.fixture
def templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The council's own copy of the templates, as an admin would make it."""
    folder = tmp_path / "our-playbooks"
    shutil.copytree(DEFAULT_DIR, folder)
    monkeypatch.setenv("WARROOM_PLAYBOOK_DIR", str(folder))
    return folder


def open_from(
    client: WarRoomClient,
    template: str | None = "SIF",
    starts_on: date | None = None,
    framework: str = "SIF",
) -> str:
    body: dict[str, Any] = {
        "title": "SIF 2026",
        "framework": framework,
        "starts_on": (starts_on or date_on(0)).isoformat(),
    }
    if template is not None:
        body["template"] = template
    iid: str = client.ok("lead", "/api/inspections", body)["id"]
    return iid


def playbook(client: WarRoomClient, iid: str, **params: Any) -> dict[str, Any]:
    response = client.get("staff", f"/api/inspections/{iid}/playbook", **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def tasks(client: WarRoomClient, iid: str, **params: Any) -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in playbook(client, iid, **params)["tasks"]}


def test_a_sif_inspection_from_the_template_has_all_the_aide_memoires_work(
    client: WarRoomClient,
) -> None:
    body = playbook(client, open_from(client))

    assert body["template"] == "SIF"
    roles = [r["role"] for r in body["responsibilities"]]
    assert len(roles) == len(RESPONSIBILITIES)
    for words in RESPONSIBILITIES:
        assert any(words.lower() in role.lower() for role in roles), words
    for phase, named in TASKS.items():
        titles = [t["title"].lower() for t in body["tasks"] if t["phase"] == phase]
        for words in named:
            assert any(words.lower() in title for title in titles), (phase, words)
    for task in body["tasks"]:
        assert set(task) >= {"id", "title", "phase", "owner", "due", "done"}
        assert task["done"] is False
    due = {t["id"]: t["due"] for t in body["tasks"]}
    # Day 1 is the day of the notification call; times are in its zone.
    assert due["d1-staff-briefing"] == f"{iso_day(0)}T17:00:00+00:00"
    assert due["d1-annex-a-ready"] == f"{iso_day(1)}T09:00:00+00:00"


def test_editing_the_template_afterwards_leaves_an_inspection_opened_from_it_unchanged(
    client: WarRoomClient, templates: Path
) -> None:
    first = open_from(client)
    before = playbook(client, first)
    sif = templates / "SIF.toml"
    text = sif.read_text()
    edited = text.replace("Staff briefing", "All-staff briefing in the town hall")
    edited = edited.replace(
        'role = "Guardian of Annex A reports"',
        'role = "Guardian of Annex A reports"\nperson = "Someone New"',
    )
    assert edited != text
    sif.write_text(edited)

    after = playbook(client, first)
    later = open_from(client)

    assert {k: after[k] for k in ("responsibilities", "tasks")} == {
        k: before[k] for k in ("responsibilities", "tasks")
    }
    titles = {t["id"]: t["title"] for t in playbook(client, later)["tasks"]}
    assert titles["d1-staff-briefing"] == "All-staff briefing in the town hall"
    people = {
        r["role"]: r["person"] for r in playbook(client, later)["responsibilities"]
    }
    assert people["Guardian of Annex A reports"] == "Someone New"
    assert tasks(client, first)["d1-staff-briefing"]["title"] == "Staff briefing"


def test_an_admins_own_template_in_their_folder_opens_an_inspection(
    client: WarRoomClient, templates: Path
) -> None:
    (templates / "our_SIF.toml").write_text(
        'name = "our SIF"\nframework = "SIF"\n'
        '[[responsibilities]]\nrole = "Gatekeeper"\nperson = "Gail Keeper"\n'
        '[[tasks]]\nid = "kettle"\ntitle = "Put the kettle on"\n'
        'phase = "day1_notification"\ndue_day = 1\ndue_time = "08:00"\n'
        'owner = "Ross"\n'
    )
    body = playbook(client, open_from(client, "our_SIF"))
    assert body["responsibilities"][0]["person"] == "Gail Keeper"
    assert [(t["id"], t["owner"]) for t in body["tasks"]] == [("kettle", "Ross")]


def test_an_unknown_template_is_refused_naming_the_field_and_nothing_is_stored(
    client: WarRoomClient,
) -> None:
    body = {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)}
    for template in ("NOPE", "../SIF", "SIF.toml"):
        answer = refused(
            client, 422, "lead", "/api/inspections", {**body, "template": template}
        )
        assert answer["detail"][0]["loc"] == ["body", "template"], answer


def test_a_template_for_another_framework_is_refused_and_nothing_is_stored(
    client: WarRoomClient,
) -> None:
    answer = refused(
        client,
        422,
        "lead",
        "/api/inspections",
        {
            "title": "ILACS",
            "framework": "ILACS",
            "starts_on": iso_day(0),
            "template": "SIF",
        },
    )
    assert "SIF" in answer["detail"][0]["msg"]


def test_a_broken_template_is_refused_with_its_problem_and_nothing_is_stored(
    client: WarRoomClient, templates: Path
) -> None:
    (templates / "broken.toml").write_text(
        'name = "b"\nframework = "SIF"\nresponsibilities = []\n'
        '[[tasks]]\nid = "x"\ntitle = "t"\nphase = "day9"\ndue_day = 1\n'
    )
    answer = refused(
        client,
        422,
        "lead",
        "/api/inspections",
        {
            "title": "S",
            "framework": "SIF",
            "starts_on": iso_day(0),
            "template": "broken",
        },
    )
    assert "phase" in answer["detail"][0]["msg"]


def test_every_template_in_the_repository_opens_an_inspection_of_its_framework(
    client: WarRoomClient,
) -> None:
    for name in ("SIF", "ILACS", "JTAI", "monitoring_visit"):
        body = playbook(client, open_from(client, name, framework=name))
        assert body["template"] == name
        assert body["tasks"] and body["responsibilities"], name


def test_an_inspection_opened_without_a_template_has_an_empty_playbook(
    client: WarRoomClient,
) -> None:
    iid = open_from(client, None)
    body = playbook(client, iid)
    assert (body["template"], body["tasks"], body["responsibilities"]) == (None, [], [])
    refused(client, 404, "lead", f"/api/inspections/{iid}/playbook/tasks/x/done")


def test_a_task_marked_done_keeps_its_note_and_who_did_it(
    client: WarRoomClient,
) -> None:
    iid = open_from(client)
    path = f"/api/inspections/{iid}/playbook/tasks/d1-staff-briefing"
    answer = client.ok("rapid_response", f"{path}/done", {"note": "Briefed 60 staff"})
    assert answer["id"] == "d1-staff-briefing"
    task = tasks(client, iid)["d1-staff-briefing"]
    assert (task["done"], task["note"], task["done_by"]) == (
        True,
        "Briefed 60 staff",
        "A rapid_response",
    )
    assert task["overdue"] is False
    again = refused(client, 409, "lead", f"{path}/done")
    assert again["rule"] == "task_done_once"


def test_a_task_is_assigned_to_a_person_and_reassigned(client: WarRoomClient) -> None:
    iid = open_from(client)
    path = f"/api/inspections/{iid}/playbook/tasks/d2-pick-cases/assign"
    client.ok("lead", path, {"owner": "Amanda Amesbury"})
    assert tasks(client, iid)["d2-pick-cases"]["owner"] == "Amanda Amesbury"
    client.ok("admin", path, {"owner": "Linda Evans"})
    assert tasks(client, iid)["d2-pick-cases"]["owner"] == "Linda Evans"
    assert refused(client, 409, "lead", path, {"owner": "Linda Evans"})["rule"] == (
        "assign_someone_new"
    )


def test_a_responsibility_is_given_to_a_person(client: WarRoomClient) -> None:
    iid = open_from(client)
    client.ok(
        "lead",
        f"/api/inspections/{iid}/playbook/responsibilities",
        {"role": "Guardian of Annex A reports", "person": "Vince Clark"},
    )
    people = {r["role"]: r for r in playbook(client, iid)["responsibilities"]}
    assert people["Guardian of Annex A reports"]["person"] == "Vince Clark"
    assert people["Guardian of Annex A reports"]["assigned_by"] == "A lead"


def test_playbook_commands_refuse_other_roles_and_unknown_tasks_storing_nothing(
    client: WarRoomClient,
) -> None:
    iid = open_from(client)
    task = f"/api/inspections/{iid}/playbook/tasks/d1-diary"
    for role in refused_roles(CompletePlaybookTask):
        refused(client, 403, role, f"{task}/done")
    for role in refused_roles(AssignPlaybookTask):
        refused(client, 403, role, f"{task}/assign", {"owner": "X"})
    refused(client, 404, "lead", f"/api/inspections/{iid}/playbook/tasks/nope/done")
    refused(client, 422, "lead", f"{task}/assign", {"owner": ""})
    refused(client, 422, "lead", f"{task}/done", {"note": "x", "extra": 1})


def test_overdue_tasks_are_flagged_by_their_due_time_and_by_the_phase_moving_on(
    client: WarRoomClient,
) -> None:
    today = datetime.now(UTC).date()
    iid = open_from(client, starts_on=today - timedelta(days=3))
    now = tasks(client, iid)
    # Day 1's tasks were due three days ago; week 2's are a week away.
    assert now["d1-diary"]["overdue"] is True
    assert now["w2-tidy-case-files"]["overdue"] is False
    assert now["d4-plan-week2"]["overdue"] is False  # due day 5, tomorrow
    client.ok("lead", f"/api/inspections/{iid}/phase", {"phase": "week2_off_site"})
    assert tasks(client, iid)["d4-plan-week2"]["overdue"] is True
    client.ok("lead", f"/api/inspections/{iid}/playbook/tasks/d1-diary/done")
    body = playbook(client, iid)
    assert {t["id"]: t for t in body["tasks"]}["d1-diary"]["overdue"] is False
    assert body["overdue"] == sum(1 for t in body["tasks"] if t["overdue"])
    assert body["today"] == _london_today()


def test_overdue_is_reckoned_at_the_instant_a_past_read_asks_about(
    client: WarRoomClient,
) -> None:
    today = datetime.now(UTC).date()
    iid = open_from(client, starts_on=today)
    opened = datetime.now(UTC)
    # A read as of a month on sees day 1's tasks late; one as of the opening
    # does not see a task done after it.
    assert tasks(client, iid, as_of=opened.isoformat())["d1-diary"]["done"] is False
    later = (opened + timedelta(days=30)).isoformat()
    assert tasks(client, iid, as_of=later)["d1-diary"]["overdue"] is True
    client.ok("lead", f"/api/inspections/{iid}/playbook/tasks/d1-diary/done")
    assert tasks(client, iid, as_of=opened.isoformat())["d1-diary"]["done"] is False
    assert tasks(client, iid)["d1-diary"]["done"] is True


def test_the_days_blog_tells_the_tasks_completed_that_day(
    client: WarRoomClient,
) -> None:
    iid = open_from(client, starts_on=datetime.now(UTC).date())
    client.ok(
        "lead",
        f"/api/inspections/{iid}/playbook/tasks/d1-staff-briefing/done",
        {"note": "done at 4pm"},
    )
    blog = client.get("staff", f"/api/inspections/{iid}/blog/{_london_today()}").json()
    assert [e["subject"] for e in blog["tasks_done"]] == ["Staff briefing"]
    assert blog["tasks_done"][0]["data"]["note"] == "done at 4pm"


def _london_today() -> str:
    return datetime.now(ZoneInfo("Europe/London")).date().isoformat()


def test_the_templates_an_inspection_may_be_opened_from_are_listed(
    client: WarRoomClient, templates: Path
) -> None:
    (templates / "broken.toml").write_text("name = ")
    body = client.get("staff", "/api/playbook-templates").json()
    listed = {t["name"]: t for t in body["templates"]}
    assert set(listed) == {"SIF", "ILACS", "JTAI", "monitoring_visit"}
    assert (listed["SIF"]["framework"], listed["SIF"]["responsibilities"]) == (
        "SIF",
        9,
    )
    (problem,) = body["problems"]
    assert "broken.toml" in problem
    assert client.http.get("/api/playbook-templates").status_code == 401
