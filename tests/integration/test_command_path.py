"""The command path at the speed of the database (issue 14, items 5 and 6).

- A command reads its inspection from this process's copy and the save
  checks, in its own transaction, that the copy was the latest: a command
  racing the move to `closed` is refused and stores nothing; a stale copy
  (another process changed the roster) makes the command run again.
- Group commit: commands saving at the same moment share one transaction,
  each with its own concurrency check, idempotency record and answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from commands.executor import execute
from commands.models import AddInspector
from commands.run import Actor
from tests.helpers import Inspection, WarRoomClient, logged_events, new_request
from warroom.application import WarRoom
from warroom.config import Database

RECORD = {"title": "Supervision notes", "channel": "email"}


def _record(client: WarRoomClient, inspection: Inspection, **headers: str) -> Any:
    return client.post(
        "gatekeeper",
        f"{inspection.path}/requests",
        {**RECORD, "requested_by": inspection.team_inspector},
        **headers,
    )


def test_a_command_racing_the_move_to_closed_is_refused_and_stores_nothing(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    save = client.app.save_and_position
    closing = threading.Event()

    def close_first(*aggregates: Any, **kwargs: Any) -> int:
        # The request has passed its checks (the inspection was open); the
        # lead closes the inspection before the request's save begins.
        if not closing.is_set():
            closing.set()
            client.ok("lead", f"{inspection.path}/phase", {"phase": "closed"})
        return save(*aggregates, **kwargs)

    monkeypatch.setattr(client.app, "save_and_position", close_first)
    before = client.stored()
    refused = _record(client, inspection)

    assert refused.status_code == 409, refused.text
    assert refused.json()["rule"] == "inspection_closed"
    assert client.stored() == before + 1  # the close, and nothing else
    assert [e["type"] for e in logged_events(client, inspection)][-1] == (
        "PhaseEntered"
    )


def test_a_command_on_a_stale_copy_of_the_inspection_runs_again_and_is_stored(
    client: WarRoomClient, inspection: Inspection, database_url: str
) -> None:
    assert _record(client, inspection).status_code == 201  # the copy is cached
    other_process = WarRoom(Database.from_url(database_url))
    try:
        lead = Actor(id=client.user_ids["lead"], name="A lead", role="lead")
        added = execute(
            other_process,
            lead,
            AddInspector(name="Sam Newcome"),
            inspection_id=inspection.id,
        ).body
    finally:
        other_process.close()

    answer = client.post(
        "gatekeeper",
        f"{inspection.path}/requests",
        {**RECORD, "requested_by": added["id"]},
    )

    assert answer.status_code == 201, answer.text
    (stored,) = [
        e
        for e in logged_events(client, inspection)
        if e["aggregate_id"] == answer.json()["id"]
    ]
    assert stored["position"] == answer.json()["position"]


def _in_one_group(
    client: WarRoomClient,
    first: Callable[[], Any],
    together: list[Callable[[], Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, list[Any], list[int]]:
    """`first` saves and is held in its transaction until every command of
    `together` has checked and queued its save: they then go in one group."""
    commits = client.app.commits
    sizes: list[int] = []
    commits.batch_listeners.append(sizes.append)
    save = client.app.save
    held = threading.Event()

    def hold_the_first(*events: Any, **kwargs: Any) -> Any:
        if not held.is_set():
            held.set()
            deadline = time.monotonic() + 60
            while commits.waiting < len(together) and time.monotonic() < deadline:
                time.sleep(0.005)
        return save(*events, **kwargs)

    monkeypatch.setattr(client.app, "save", hold_the_first)
    with ThreadPoolExecutor(max_workers=len(together) + 1) as pool:
        first_answer = pool.submit(first)
        assert held.wait(60)
        answers = [pool.submit(command) for command in together]
        results = [a.result() for a in answers]
        first_result = first_answer.result()
    commits.batch_listeners.remove(sizes.append)
    monkeypatch.undo()
    return first_result, results, sizes


def test_commands_saved_together_keep_their_own_checks_and_answers(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    rid = new_request(client, inspection)
    replayed = _record(client, inspection, **{"Idempotency-Key": "sent-before"})
    assert replayed.status_code == 201
    before = client.stored()
    assign = f"{inspection.path}/requests/{rid}/assign"

    def assign_to(role: str) -> Callable[[], Any]:
        return lambda: client.post(
            "gatekeeper", assign, {"assignee": client.user_ids[role]}
        )

    fresh = [lambda: _record(client, inspection) for _ in range(5)]
    replay = lambda: _record(client, inspection, **{"Idempotency-Key": "sent-before"})  # noqa: E731
    twins = [
        lambda: _record(client, inspection, **{"Idempotency-Key": "sent-twice"})
        for _ in range(2)
    ]
    # Loads the request before the first command's assignment is stored:
    # its own version check fails, and only it is refused.
    conflicting = assign_to("rapid_response")
    first, answers, sizes = _in_one_group(
        client,
        assign_to("preparer"),
        [*fresh, replay, *twins, conflicting],
        monkeypatch,
    )

    assert first.status_code == 200, first.text
    assert sizes[:2] == [1, 9], sizes  # the nine checked and queued together
    *fresh_answers, replay_answer, twin_a, twin_b, conflict = answers
    assert conflict.status_code == 409, conflict.text
    assert conflict.json()["rule"] == "concurrent_change"
    assert all(a.status_code == 201 for a in fresh_answers), [a.text for a in answers]
    assert replay_answer.status_code == 201 and replay_answer.json() == replayed.json()
    assert twin_a.status_code == twin_b.status_code == 201
    assert twin_a.json() == twin_b.json()
    # Stored: the assignment, five requests, one of the twins (and its
    # idempotency record, which /events does not show); nothing else.
    # (PostgreSQL: the rolled-back tries leave gaps in the positions.)
    assert len(client.app.recorder.select_notifications(before + 1, 100)) == 8
    log = {e["aggregate_id"]: e for e in logged_events(client, inspection)}
    for answer in [*fresh_answers, twin_a]:
        body = answer.json()
        assert log[body["id"]]["position"] == body["position"]
    assert len({a.json()["position"] for a in [*fresh_answers, twin_a]}) == 6
    request_events = [
        e for e in logged_events(client, inspection) if e["aggregate_id"] == rid
    ]
    assert [e["type"] for e in request_events][-1] == "RequestAssigned"
    assert request_events[-1]["data"]["assignee"] == client.user_ids["preparer"]


def test_metrics_count_the_commands_each_transaction_saved(
    client: WarRoomClient, inspection: Inspection, monkeypatch: pytest.MonkeyPatch
) -> None:
    def group_sizes() -> tuple[float, float]:
        text = client.http.get("/metrics").text
        found = {
            line.split()[0]: float(line.split()[1])
            for line in text.splitlines()
            if line.startswith("warroom_group_commit_commands_")
        }
        return (
            found["warroom_group_commit_commands_count"],
            found["warroom_group_commit_commands_sum"],
        )

    transactions, commands = group_sizes()
    fresh = [lambda: _record(client, inspection) for _ in range(4)]
    _in_one_group(client, lambda: _record(client, inspection), fresh, monkeypatch)

    after_transactions, after_commands = group_sizes()
    assert after_transactions - transactions == 2  # one alone, then four together
    assert after_commands - commands == 5
    text = client.http.get("/metrics").text
    assert 'warroom_group_commit_commands_bucket{le="2.0"}' in text
