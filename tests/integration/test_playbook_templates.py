"""The ILACS, JTAI and monitoring-visit templates hold only what the council's
aide-memoire says (issue 15): it was written for the SIF, so each of the
others keeps the aide-memoire's own tasks, in its words, that do not hang on
the SIF's timetable, plus what it says of a joint team for the JTAI, and says
in its own header that the aide-memoire is silent on the rest."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.days import iso_day
from tests.helpers import WarRoomClient
from warroom.playbook_templates import DEFAULT_DIR, Template

OTHERS = ("ILACS", "JTAI", "monitoring_visit")
# What the aide-memoire ties to the SIF's own timetable and its numbers.
SIF_ONLY = (
    "ADCS",
    "Annex M",
    "presentation",
    "18 ",
    "12 ",
    "30",
    "start of day 2",
    "week 2",
    "weeks 3 and 4",
)


def read(name: str) -> tuple[Template, str]:
    path: Path = DEFAULT_DIR / f"{name}.toml"
    text = path.read_text(encoding="utf-8")
    return Template.model_validate(tomllib.loads(text)), text


@pytest.mark.parametrize("name", OTHERS)
def test_each_template_holds_only_the_aide_memoires_own_work(name: str) -> None:
    sif, _ = read("SIF")
    template, text = read(name)
    assert (template.name, template.framework) == (name, name)
    sif_titles = {task.id: task.title for task in sif.tasks}
    for task in template.tasks:
        # Each task is one of the aide-memoire's, under the same id.
        assert task.id in sif_titles, task.id
        for words in SIF_ONLY:
            assert words not in task.title, (task.id, words)
    sif_roles = {r.role for r in sif.responsibilities}
    extra = [r.role for r in template.responsibilities if r.role not in sif_roles]
    # Only the JTAI adds a role: the aide-memoire's contact list of partners.
    if name == "JTAI":
        (contacts,) = extra
        assert contacts.startswith("Contact for each partner agency, with a substitute")
        assert "police" in contacts and "probation" in contacts
    else:
        assert extra == []
    # The template says, in its own comments, where the aide-memoire is silent.
    header = " ".join(
        line.lstrip("#").strip() for line in text.split("\nname =", 1)[0].splitlines()
    )
    assert "says nothing of" in header and "SIF.toml" in header


def test_only_the_sif_has_a_case_sample_the_aide_memoire_gives_no_other() -> None:
    """The aide-memoire's 18 audited and 12 tracked cases are the SIF's; it
    gives no sample for any other framework, and none is made up: each other
    template says so where its sample would be."""
    sif, _ = read("SIF")
    assert sif.sample_as_logged() == {"audited": 18, "tracked": 12}
    for name in OTHERS:
        template, text = read(name)
        assert template.sample is None, name
        assert "[sample]" not in text.replace("# No [sample]", "")
        assert "# No [sample]:" in text, name


def test_the_jtai_template_keeps_what_the_aide_memoire_says_of_a_joint_team() -> None:
    template, _ = read("JTAI")
    titles = {task.id: task.title for task in template.tasks}
    assert "a lead for each agency" in titles["d2-meet-lead-inspector"]
    assert "multi-agency" in titles["d2-kit-members"]
    assert {"d2-audit-multi-agency", "d2-notify-partners", "w3-partners-kit"} <= set(
        titles
    )


def test_the_templates_keep_the_aide_memoires_words_where_they_share_a_task() -> None:
    sif, _ = read("SIF")
    sif_titles = {task.id: task.title for task in sif.tasks}
    for name in ("ILACS", "monitoring_visit"):
        template, _ = read(name)
        for task in template.tasks:
            # Word for word, or the SIF's title with its joint-team aside left out.
            assert sif_titles[task.id].startswith(task.title), (name, task.id)


@pytest.mark.parametrize("name", OTHERS)
def test_each_template_opens_an_inspection_with_every_task_it_holds(
    client: WarRoomClient, name: str
) -> None:
    template, _ = read(name)
    body: dict[str, Any] = {
        "title": f"{name} 2026",
        "framework": name,
        "starts_on": iso_day(0),
        "template": name,
    }
    iid = client.ok("lead", "/api/inspections", body)["id"]
    shown = client.get("staff", f"/api/inspections/{iid}/playbook").json()
    assert shown["template"] == name
    assert [t["id"] for t in shown["tasks"]] == [t.id for t in template.tasks]
    assert [t["title"] for t in shown["tasks"]] == [t.title for t in template.tasks]
    assert [r["role"] for r in shown["responsibilities"]] == [
        r.role for r in template.responsibilities
    ]
    assert all(t["done"] is False for t in shown["tasks"])
