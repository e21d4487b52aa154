"""An old day's blog tells that day's story, whatever happened after it."""

from __future__ import annotations

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient


def test_a_request_open_at_the_end_of_a_day_stays_open_in_that_days_blog(
    client: WarRoomClient, inspection: Inspection
) -> None:
    rid = client.ok(
        "gatekeeper",
        f"{inspection.path}/requests",
        {
            "title": "Annex A: Sufficiency Strategy",
            "requested_by": inspection.lead_inspector,
            "channel": "kit",
            "occurred_at": f"{iso_day(-145)}T10:00:00+01:00",
        },
    )["id"]
    client.ok(
        "gatekeeper",
        f"{inspection.path}/requests/{rid}/decline",
        {"reason": "out of scope", "occurred_at": f"{iso_day(-144)}T09:00:00+01:00"},
    )

    first = client.get("staff", f"{inspection.path}/blog/{iso_day(-145)}").json()
    second = client.get("staff", f"{inspection.path}/blog/{iso_day(-144)}").json()

    assert [r["id"] for r in first["requests_still_open"]] == [rid]
    assert [e["subject"] for e in first["requests_in"]] == [
        "Annex A: Sufficiency Strategy"
    ]
    assert second["requests_still_open"] == []
    assert [e["subject"] for e in second["requests_declined"]] == [
        "Annex A: Sufficiency Strategy"
    ]
