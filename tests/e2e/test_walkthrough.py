"""The curl walk-through (docs/reference/walkthrough.md), run for real against
a real server."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from tests.servers import add_user, running_server

SCRIPT = Path(__file__).parents[2] / "scripts" / "walkthrough"


def test_a_newcomer_can_walk_a_request_to_released_with_curl(database_url: str) -> None:
    admin = add_user(database_url, "Ross Milhench", "admin")
    with running_server(database_url) as base:
        done = subprocess.run(
            ["bash", str(SCRIPT), base, admin],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert '"rule":"release_needs_checked"' in out
    assert "a lead may not do this" in out
    ledger_csv = out[out.index("line,request_id") :]
    lines = list(csv.DictReader(io.StringIO(ledger_csv)))
    assert len(lines) == 1
    assert lines[0]["request"] == "Annex A: Sufficiency Strategy"
    assert lines[0]["document"] == "strategy.txt"
    assert lines[0]["version"] == "2"
    assert (
        lines[0]["approved_by"],
        lines[0]["checked_by"],
        lines[0]["released_by"],
    ) == (
        "Vince Clark",
        "Karen Andrews",
        "Eloise Marsh",
    )
