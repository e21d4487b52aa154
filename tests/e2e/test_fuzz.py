"""schemathesis over every operation of a real server, as every role.

Generated from `/openapi.json`: no answer is a 5xx, every answer matches the
schema the route declares, and a refused request (any 4xx) stores nothing:
the log's max position and the document table are unchanged after it.

Two ways over the same server: hypothesis driving each operation's strategy
here, with every check schemathesis has; and `schemathesis run --checks all`
itself, once per caller, with `tests/e2e/fuzz_hooks.py` (real ids, and the
check that a refusal stores nothing) and `schemathesis.toml`.

CI runs a reduced size (`WARROOM_FUZZ_EXAMPLES`, 5 by default, derandomized,
so a run is repeatable, and `schemathesis run` without its coverage phase);
the figures in docs/testing.md come from a full run by hand:

    WARROOM_FUZZ_EXAMPLES=100 WARROOM_FUZZ_PHASES=examples,coverage,fuzzing,stateful \
        CI=true .venv/bin/pytest tests/e2e/test_fuzz.py -s -k sqlite

Ids in paths are the real inspection's, request's and meeting's, so that the
fuzzing reaches past "not found". The live stream is left out: a 200 there
never ends (`tests/e2e/test_live_stream.py` covers it).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup

from tests.conftest import postgres_schema
from tests.days import iso_day
from tests.push_service import Browser
from tests.servers import add_user, running_server
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.user import ROLES

EXAMPLES = int(os.environ.get("WARROOM_FUZZ_EXAMPLES", "5"))
# `schemathesis run`'s phases. Its coverage phase (the edges of every
# parameter, about 5,000 requests a caller whatever the size) runs in the
# full run only: `WARROOM_FUZZ_PHASES=examples,coverage,fuzzing,stateful`.
PHASES = os.environ.get("WARROOM_FUZZ_PHASES", "examples,fuzzing")
# Its examples an operation, if not as many as the hypothesis side's.
RUN_EXAMPLES = int(os.environ.get("WARROOM_FUZZ_RUN_EXAMPLES", str(EXAMPLES)))
NOBODY = "nobody"  # no token at all
# Real values for the things paths name (see `_things`).
DAY = iso_day(1)
STAFF = "Fuzz-staff"


@dataclass
class Target:
    """A running server, one token per role, real ids, and the log beside it."""

    base: str
    app: WarRoom
    tokens: dict[str, str]
    ids: dict[str, str]
    sent: Counter[str] = field(default_factory=Counter)
    operations: set[str] = field(default_factory=set)

    def stored(self) -> tuple[int, int]:
        return (
            self.app.recorder.max_notification_id() or 0,
            self.app.store.documents_held(),
        )

    def headers(self, role: str) -> dict[str, str]:
        if role == NOBODY:
            return {}
        return {"Authorization": f"Bearer {self.tokens[role]}"}


@pytest.fixture(
    scope="module",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def database_for_fuzzing(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'warroom.db'}"
        return
    # Module-scoped (one server for every operation), so not the per-test
    # `postgres_schema_url` fixture: the same schema, held longer.
    with postgres_schema("fuzz") as url:
        yield url


@pytest.fixture(scope="module")
def target(database_for_fuzzing: str) -> Iterator[Target]:
    url = database_for_fuzzing
    admin = add_user(url, "Fuzz Admin", "admin")
    app = WarRoom(Database.from_url(url))
    # A read waiting for a position that never comes holds the fuzzing up.
    # No notifications sent: a notice recorded while a refusal is checked
    # would look stored by the refusal (tests/integration/test_push.py).
    quick = {"WARROOM_READ_WAIT_SECONDS": "0.5", "WARROOM_PUSH": "off"}
    with (
        running_server(url, env=quick, timeout=120) as base,
        httpx.Client(base_url=base, timeout=30) as http,
    ):
        tokens = {"admin": admin, **_users(http, admin)}
        ids = _things(http, tokens)
        found = Target(base=base, app=app, tokens=tokens, ids=ids)
        yield found
        total = sum(found.sent.values())
        print(
            f"\nfuzzed {url.split(':')[0]}: {len(found.operations)} operations x "
            f"{len(ROLES) + 1} roles (one with no token), {total} requests, "
            f"by status {dict(sorted(found.sent.items()))}"
        )
    app.close()


def _users(http: httpx.Client, admin: str) -> dict[str, str]:
    tokens = {}
    for role in ROLES:
        if role != "admin":
            added = http.post(
                "/api/users",
                json={"name": f"Fuzz {role}", "role": role},
                headers={"Authorization": f"Bearer {admin}"},
            )
            assert added.status_code == 201, added.text
            tokens[role] = added.json()["token"]
    return tokens


def _things(http: httpx.Client, tokens: dict[str, str]) -> dict[str, str]:
    """A real thing for every parameter a path names, made through the API,
    so that fuzzing reaches past "not found" on every route."""
    lead = {"Authorization": f"Bearer {tokens['lead']}"}
    admin = {"Authorization": f"Bearer {tokens['admin']}"}

    def ok(path: str, body: dict[str, Any], headers: dict[str, str] = lead) -> Any:
        answer = http.post(path, json=body, headers=headers)
        assert answer.status_code in (200, 201), answer.text
        return answer.json()

    def step(path: str, body: dict[str, Any], role: str) -> None:
        ok(path, body, {"Authorization": f"Bearer {tokens[role]}"})

    iid = ok(
        "/api/inspections",
        {"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
    )["id"]
    base = f"/api/inspections/{iid}"
    inspector = ok(f"{base}/inspectors", {"name": "Helen Ward", "lead": True})["id"]
    request = ok(
        f"{base}/requests",
        {"title": "Annex A", "requested_by": inspector, "channel": "email"},
    )["id"]
    meeting = ok(
        f"{base}/meetings",
        {
            "title": "KIT",
            "kind": "kit",
            "starts_at": f"{iso_day(1)}T10:00:00+00:00",
            "ends_at": f"{iso_day(1)}T11:00:00+00:00",
            "venue": "Room 1",
            "attendees": [STAFF],
        },
    )["id"]
    # A KIT note with an action: the meeting's KIT action 0.
    ok(f"{base}/meetings/{meeting}/notes", {"text": "On track", "actions": ["Chase"]})
    # A document released to an inspector: the ledger's line 1 and its bytes.
    released = ok(
        f"{base}/requests",
        {"title": "Supervision", "requested_by": inspector, "channel": "email"},
    )["id"]
    # A second preparer: checking is never checking one's own work.
    preparer = ok(
        "/api/users", {"name": "Fuzz Preparer", "role": "rapid_response"}, admin
    )
    sha256 = _released_document(http, tokens, preparer, base, released, inspector, step)
    ok(
        f"{base}/blog",
        {"day": DAY, "title": "Day 2", "body": "All well"},
        {"Authorization": f"Bearer {tokens['rapid_response']}"},
    )
    link = ok(f"{base}/calendar-links", {"person": STAFF}, admin)
    recipient = "pat@example.org"
    ok(f"{base}/distribution", {"name": "Pat Partner", "email": recipient}, admin)
    # A device to be told on (issue 24): its id for DELETE.
    device = ok(
        "/api/me/push-subscriptions",
        Browser("https://fcm.googleapis.com/fcm/send/fuzz").subscription(),
        admin,
    )
    # Someone whose token the fuzzing may revoke or rotate: not one it uses.
    spare = ok("/api/users", {"name": "Fuzz Spare", "role": "staff"}, admin)["id"]
    # A wall screen connected to the inspection (issue 25): one to disconnect.
    code = http.post("/api/device/codes").json()
    approved = {"user_code": code["user_code"], "inspection_id": iid}
    display = ok("/api/device/approve", approved)["id"]
    token = http.post("/api/device/token", json={"device_code": code["device_code"]})
    assert token.status_code == 200, token.text
    return {
        "inspection_id": iid,
        "request_id": request,
        "meeting_id": meeting,
        "case_id": ok(
            f"{base}/cases", {"ref": "C-001", "selection": "audited", "plan": "CP"}
        )["id"],
        "line_id": ok(f"{base}/lines-of-enquiry", {"title": "Thresholds"})["id"],
        "document_id": ok(f"{base}/annex-a", {"title": "CIN list", "owner": "O"})["id"],
        "task_id": "d1-diary",  # the SIF template's playbook
        "n": "0",
        "line": "1",
        "sha256": sha256,
        "day": DAY,
        "person": STAFF,
        "user_id": spare,
        "link_id": link["id"],
        "secret": link["url"].rsplit("/", 1)[1].removesuffix(".ics"),
        "email": recipient,
        "subscription_id": device["id"],
        "display_id": display,
        # issue 24: someone on the contact list
        "contact_id": ok(
            f"{base}/contacts", {"name": "Pat Partner", "phone": "0161 496 0000"}
        )["id"],
    }


def _released_document(
    http: httpx.Client,
    tokens: dict[str, str],
    preparer: dict[str, str],
    base: str,
    request: str,
    inspector: str,
    step: Callable[[str, dict[str, Any], str], None],
) -> str:
    content = b"%PDF-1.7 fuzz"
    path = f"{base}/requests/{request}"
    step(f"{path}/assign", {"assignee": preparer["id"]}, "gatekeeper")
    attached = http.post(
        f"{path}/documents",
        files={"file": ("d.pdf", content, "application/pdf")},
        data={"version": "1"},
        headers={"Authorization": f"Bearer {preparer['token']}"},
    )
    assert attached.status_code == 201, attached.text
    digest = hashlib.sha256(content).hexdigest()
    step(f"{path}/approve", {"sha256": digest}, "lead")
    step(f"{path}/check", {"sha256": digest}, "rapid_response")
    release = {"sha256": digest, "to": inspector, "medium": "electronic"}
    step(f"{path}/release", release, "gatekeeper")
    return digest


@pytest.fixture(scope="module")
def fuzzed_schema(target: Target) -> Any:
    schema = schemathesis.openapi.from_url(f"{target.base}/openapi.json")
    return schema.exclude(path_regex=r"/stream$")


def test_no_request_is_a_server_error_off_its_schema_or_stored_when_refused(
    target: Target, fuzzed_schema: Any
) -> None:
    operations = [result.ok() for result in fuzzed_schema.get_all_operations()]
    assert len(operations) >= 90
    # A route naming a new kind of id needs a real one, or its fuzzing would
    # stop at "not found".
    named = {name for op in operations for name in re.findall(r"{(\w+)}", op.path)}
    assert named <= set(target.ids), f"add a real {named - set(target.ids)}"
    found: list[str] = []
    for number, operation in enumerate(operations, 1):
        # schemathesis's pytest plugin does not run on this pytest (9.2):
        # hypothesis drives each operation's strategy here instead.
        fuzz = FUZZ_SETTINGS(given(case=operation.as_strategy())(_send_as_every_role))
        try:
            fuzz(target=target)
        except (Exception, FailureGroup) as failure:
            found.append(f"{operation.label}: {_first_line(failure)}")
        # A full-size run takes long: its progress, shown with `pytest -s`.
        print(
            f"fuzzed {number}/{len(operations)} operations, "
            f"{sum(target.sent.values())} requests, {len(found)} failing",
            flush=True,
        )
    assert not found, "\n".join(found)
    every = {f"{op.method.upper()} {op.path}" for op in operations}
    assert every <= target.operations, f"never sent: {every - target.operations}"


def test_schemathesis_run_with_every_check_as_every_caller_finds_nothing(
    target: Target, database_for_fuzzing: str, tmp_path: Path
) -> None:
    """`schemathesis run --checks all`, as a person would run it, once per
    caller: every phase (examples, coverage, fuzzing, stateful), positive and
    negative data, the checks of `schemathesis.toml`, and, from
    `tests/e2e/fuzz_hooks.py`, real ids and "a refusal stores nothing"."""
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.e2e.fuzz_hooks",
        "WARROOM_FUZZ_IDS": json.dumps(target.ids),
        "WARROOM_FUZZ_DATABASE_URL": database_for_fuzzing,
    }
    found: dict[str, str] = {}
    counts: Counter[str] = Counter()
    for role in (*ROLES, NOBODY):
        where = tmp_path / f"{role}.json"
        headers = [f"Authorization: {v}" for v in target.headers(role).values()]
        ran = subprocess.run(
            [
                str(Path(sys.executable).parent / "schemathesis"),
                "run",
                f"{target.base}/openapi.json",
                "--checks=all",
                f"--max-examples={RUN_EXAMPLES}",
                "--workers=1",
                "--generation-deterministic",
                f"--phases={PHASES}",
                "--exclude-path-regex=/stream$",
                "--request-timeout=30",
                "--no-color",
                *(f"--header={h}" for h in headers),
            ],
            capture_output=True,
            text=True,
            env={**env, "WARROOM_FUZZ_COUNTS": str(where)},
            check=False,
        )
        written = where.read_text() if where.exists() else "{}"
        answered = Counter[str](json.loads(written))
        counts.update(answered)
        summary = ran.stdout.strip().splitlines()[-1:] or [ran.stderr[-300:]]
        print(f"schemathesis as {role}: {sum(answered.values())} requests, {summary}")
        if ran.returncode != 0:
            found[role] = ran.stdout[-6000:] + ran.stderr[-2000:]
    print(
        f"\nschemathesis run --checks all on {database_for_fuzzing.split(':')[0]}: "
        f"{sum(counts.values())} requests, by status {dict(sorted(counts.items()))}"
    )
    assert not found, "\n\n".join(f"as {r}:\n{out}" for r, out in found.items())


def _first_line(failure: BaseException) -> str:
    # A schemathesis failure's text says what failed and how to reproduce it.
    text = str(failure).strip()
    return " ".join(text.split())[:800]


FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)


load_all_checks()
# As `schemathesis run --checks all`: status codes, content types, headers and
# bodies as declared, and more (`schemathesis.toml` sets what they expect).
EVERY_CHECK = CHECKS.get_all()


def _send_as_every_role(case: Any, target: Target) -> None:
    for name, real in target.ids.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = real
    for role in (*ROLES, NOBODY):
        before = target.stored()
        response = case.call(base_url=target.base, headers=target.headers(role))
        target.sent[str(response.status_code)] += 1
        target.operations.add(f"{case.method.upper()} {case.path}")
        case.validate_response(response, checks=EVERY_CHECK)
        if 400 <= response.status_code < 500:
            assert target.stored() == before, (
                f"{role}: {case.method} {case.formatted_path} answered "
                f"{response.status_code} yet stored something"
            )
