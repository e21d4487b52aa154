"""The plan's reads (playbook, Annex A, debriefs, the case board's audits, the
blog's tasks and debriefs) answer exactly what their answer types say, with
every kind of record in them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter

from projections.annex_a import AnnexAAnswer
from projections.cases import CasesAnswer
from projections.debriefs import DebriefsAnswer
from projections.playbook import PlaybookAnswer
from tests.helpers import WarRoomClient
from tests.integration.story import WHEN_ASKED, without
from web.answers import SealedBlogAnswer


def test_the_plans_reads_answer_what_their_types_say(client: WarRoomClient) -> None:
    today = datetime.now(ZoneInfo("Europe/London")).date()
    iid = client.ok(
        "lead",
        "/api/inspections",
        {
            "title": "SIF",
            "framework": "SIF",
            "starts_on": (today - timedelta(days=1)).isoformat(),
            "template": "SIF",
        },
    )["id"]
    path = f"/api/inspections/{iid}"
    inspector = client.ok("lead", f"{path}/inspectors", {"name": "H", "lead": True})
    client.ok("lead", f"{path}/playbook/tasks/d1-diary/done", {"note": "n"})
    client.ok("lead", f"{path}/playbook/tasks/d1-leadership/assign", {"owner": "V"})
    client.ok("lead", f"{path}/playbook/responsibilities", {"role": "R", "person": "P"})
    did = client.ok("lead", f"{path}/annex-a", {"title": "T", "owner": "O"})["id"]
    client.ok("lead", f"{path}/annex-a/{did}/rate", {"rag_complete": "amber"})
    client.ok("gatekeeper", f"{path}/annex-a/{did}/submitted")
    client.ok("lead", f"{path}/annex-a/summary", {"text": "good"})
    cid = client.ok(
        "lead", f"{path}/cases", {"ref": "C-1", "selection": "audited", "plan": "CP"}
    )["id"]
    case = f"{path}/cases/{cid}"
    client.ok("lead", f"{case}/auditor", {"auditor": "A"})
    client.ok("lead", f"{case}/multi-agency-review", {})
    client.ok("lead", f"{case}/audit-form")
    client.ok("lead", f"{case}/judgement", {"judgement": "good", "reason": "r"})
    client.ok("lead", f"{case}/judgement-seen", {"by": "team_manager"})
    client.ok("lead", f"{case}/copies", {"copy_for": "inspector"})
    client.ok(
        "gatekeeper",
        f"{case}/copies/release",
        {"to": inspector["id"], "medium": "packet"},
    )
    ends = datetime.now(UTC) - timedelta(minutes=5)
    mid = client.ok(
        "lead",
        f"{path}/meetings",
        {
            "title": "M",
            "kind": "kit",
            "starts_at": (ends - timedelta(hours=1)).isoformat(),
            "ends_at": ends.isoformat(),
            "venue": "V",
            "attendees": ["A staff"],
        },
    )["id"]
    client.ok(
        "staff",
        f"{path}/meetings/{mid}/debriefs",
        {"asked": "a", "follow_ups": ["f"]},
    )

    answers: dict[str, tuple[str, Any]] = {
        "playbook": (f"{path}/playbook", PlaybookAnswer),
        "annex-a": (f"{path}/annex-a", AnnexAAnswer),
        "debriefs": (f"{path}/debriefs", DebriefsAnswer),
        "cases": (f"{path}/cases", CasesAnswer),
        "blog": (f"{path}/blog/{today.isoformat()}", SealedBlogAnswer),
    }
    for name, (route, answer_type) in answers.items():
        response = client.get("auditor", route)
        assert response.status_code == 200, (name, response.text)
        body = without(response.json(), WHEN_ASKED)
        adapter: TypeAdapter[Any] = TypeAdapter(answer_type)
        checked = adapter.validate_python(body, strict=True)
        assert adapter.dump_python(checked) == body, name
    blog = client.get("auditor", answers["blog"][0]).json()
    assert (len(blog["tasks_done"]), len(blog["debriefs"])) == (1, 1)
