"""A busy day in the war room, told through the real HTTP API.

At least 60 requests (some overdue), 40 cases, 30 hand-overs in the ledger,
20 meetings today and 15 KIT notes: the volume at which a wall that fits the
demo starts to clip (issue 25). Other tests load it to check a view at volume:

    tokens = busy_day_users(database_url)   # before the server starts
    server = Server(database_url).start()
    day = load_busy_day(server.base, tokens)

Each thing is named with its number ("Request 07: ..."), so a test can tell
which one it sees. It takes a few hundred HTTP calls.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.e2e.browser import TIMEOUT, Api, add_user

ZONE = ZoneInfo("Europe/London")
REQUESTS = 60
HANDED_OVER = 30
OVERDUE = 12
CASES = 40
MEETINGS = 20
KIT_NOTES = 15

# key -> (name, role); "preparer" is a second rapid response member, so no
# one approves or checks their own work.
PEOPLE = {
    "admin": ("Ada Admin", "admin"),
    "lead": ("Lena Lead", "lead"),
    "gatekeeper": ("Gail Gatekeeper", "gatekeeper"),
    "rapid_response": ("Rory Rapid", "rapid_response"),
    "preparer": ("Rita Rapid", "rapid_response"),
    "staff": ("Sam Staff", "staff"),
    "auditor": ("Audrey Auditor", "auditor"),
}


@dataclass(frozen=True)
class BusyDay:
    inspection: str
    # The request of the newest hand-over (the ledger's last line).
    newest_hand_over: str
    # The title of an open request that is overdue.
    overdue_request: str
    tokens: dict[str, str]


def busy_day_users(database_url: str) -> dict[str, str]:
    """Adds the day's people with the command line; answers their tokens by key."""
    return {key: add_user(database_url, *who) for key, who in PEOPLE.items()}


def at(day: date, hour: int, minute: int = 0) -> str:
    return datetime.combine(day, time(hour, minute), ZONE).isoformat()


def load_busy_day(base: str, tokens: dict[str, str]) -> BusyDay:
    """Opens an inspection and fills its day; answers what a test looks for."""
    lead = Api(base, tokens["lead"])
    today = datetime.now(ZONE).date()
    iid = str(
        lead.post(
            "/inspections",
            {
                "title": "Busy day inspection",
                "framework": "SIF",
                "starts_on": (today - timedelta(days=2)).isoformat(),
            },
        )["id"]
    )
    path = f"/inspections/{iid}"
    helen = str(
        lead.post(f"{path}/inspectors", {"name": "Helen Ward", "lead": True})["id"]
    )
    team = str(lead.post(f"{path}/inspectors", {"name": "Tom Reed"})["id"])
    meetings = _meetings(Api(base, tokens["gatekeeper"]), path, today, [helen, team])
    _kit_notes(lead, path, meetings)
    _cases(Api(base, tokens["rapid_response"]), path, helen)
    titles = _requests(base, tokens, path, team, today)
    return BusyDay(
        inspection=iid,
        newest_hand_over=titles[HANDED_OVER - 1],
        overdue_request=titles[HANDED_OVER],
        tokens=tokens,
    )


def _meetings(
    gatekeeper: Api, path: str, today: date, inspectors: list[str]
) -> list[str]:
    """Twenty meetings today, every 40 minutes, about now where the day
    allows (some over, some ahead); every fourth a KIT."""
    ids = []
    day_start = datetime.combine(today, time(0, 5), ZONE)
    latest_first = datetime.combine(today, time(23, 0), ZONE) - timedelta(
        minutes=40 * MEETINGS
    )
    first = max(day_start, min(datetime.now(ZONE) - timedelta(hours=5), latest_first))
    first = first.replace(minute=first.minute // 5 * 5, second=0, microsecond=0)
    for n in range(MEETINGS):
        start = first + timedelta(minutes=40 * n)
        kit = n % 4 == 0
        ids.append(
            str(
                gatekeeper.post(
                    f"{path}/meetings",
                    {
                        "title": f"Meeting {n + 1:02}: "
                        + ("KIT" if kit else "Case discussion, North team"),
                        "kind": "kit" if kit else "case_discussion",
                        "starts_at": start.isoformat(),
                        "ends_at": (start + timedelta(minutes=30)).isoformat(),
                        "venue": f"Room 2.{n + 10}",
                        "attendees": ["Sam Staff", "Mo Manager"],
                        "inspectors": inspectors[: 1 + n % 2],
                        "topics": ["Supervision records"],
                    },
                )["id"]
            )
        )
    return ids


def _kit_notes(lead: Api, path: str, meetings: list[str]) -> None:
    for n in range(KIT_NOTES):
        lead.post(
            f"{path}/meetings/{meetings[n % len(meetings)]}/notes",
            {
                "text": f"KIT note {n + 1:02}: the inspectors asked about "
                "supervision in the North team",
                "actions": [f"Send the supervision audit {n + 1:02}"],
            },
        )


def _cases(rapid: Api, path: str, inspector: str) -> None:
    for n in range(CASES):
        selection = "audited" if n % 2 == 0 else "tracked"
        case = rapid.post(
            f"{path}/cases",
            {
                "ref": f"C-{n + 1:03}",
                "selection": selection,
                "plan": ("CIN", "CP", "LAC")[n % 3],
                # Past the template's sample, a case needs its reason.
                "over_reason": "The inspectors asked for more",
            },
        )["id"]
        if n % 5 == 0:  # some browsed by an inspector, the last the latest
            rapid.post(
                f"{path}/cases/{case}/browsed",
                {"inspector": inspector, "item": "chronology"},
            )


def _requests(
    base: str, tokens: dict[str, str], path: str, inspector: str, today: date
) -> list[str]:
    """Sixty requests: the first thirty handed over in order, the next
    twelve overdue, the rest due tonight. Answers their titles in order."""
    gatekeeper = Api(base, tokens["gatekeeper"])
    preparer = Api(base, tokens["preparer"])
    preparer_id = preparer.me()
    titles = []
    for n in range(REQUESTS):
        title = f"Request {n + 1:02}: supervision records, North team"
        overdue = HANDED_OVER <= n < HANDED_OVER + OVERDUE
        due = (
            datetime.now(ZONE) - timedelta(hours=1)
            if overdue
            else datetime.combine(today, time(23, 0), ZONE) + timedelta(days=1)
        )
        rid = str(
            gatekeeper.post(
                f"{path}/requests",
                {
                    "title": title,
                    "requested_by": inspector,
                    "channel": "kit",
                    "due_at": due.isoformat(),
                },
            )["id"]
        )
        titles.append(title)
        if n < HANDED_OVER:
            _hand_over(base, tokens, path, rid, inspector, preparer_id, n)
    return titles


def _hand_over(
    base: str,
    tokens: dict[str, str],
    path: str,
    rid: str,
    inspector: str,
    preparer: str,
    n: int,
) -> None:
    content = f"%PDF-1.7 supervision records {n}".encode()
    digest = hashlib.sha256(content).hexdigest()
    at_request = f"{path}/requests/{rid}"
    Api(base, tokens["gatekeeper"]).post(f"{at_request}/assign", {"assignee": preparer})
    with httpx.Client(base_url=base, timeout=TIMEOUT) as http:
        attached = http.post(
            f"/api{at_request}/documents",
            files={"file": (f"supervision-{n:02}.pdf", content, "application/pdf")},
            data={"version": "1"},
            headers={"Authorization": f"Bearer {tokens['preparer']}"},
        )
    assert attached.status_code == 201, attached.text
    Api(base, tokens["lead"]).post(f"{at_request}/approve", {"sha256": digest})
    Api(base, tokens["rapid_response"]).post(f"{at_request}/check", {"sha256": digest})
    Api(base, tokens["gatekeeper"]).post(
        f"{at_request}/release",
        {"sha256": digest, "to": inspector, "medium": "electronic"},
    )
