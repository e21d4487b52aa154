"""Every read route answers as the log stood at a past position or instant."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient
from tests.integration.story import (
    WHEN_ASKED,
    act_one,
    act_two,
    read_everything,
    read_routes,
    without,
    without_ages,
)

AGED = ("requests", "open requests")


def test_at_an_earlier_position_every_route_answers_what_it_answered_then(
    client: WarRoomClient, inspection: Inspection
) -> None:
    then = act_one(client, inspection)
    answered_then = read_everything(client, inspection)
    replayed_then = read_everything(client, inspection, at=then)
    act_two(client, inspection)

    now = read_everything(client, inspection)
    replayed_later = read_everything(client, inspection, at=then)

    for name, answer in answered_then.items():
        assert without(now[name], WHEN_ASKED) != without(answer, WHEN_ASKED), name
        # Asked about the same position, before and after: the same answer.
        assert replayed_later[name] == replayed_then[name], name
        expected, replayed = answer, replayed_later[name]
        if name in AGED:  # ages are reckoned at the moment asked about
            expected, replayed = without_ages(expected), without_ages(replayed)
        assert without(replayed, WHEN_ASKED) == without(expected, WHEN_ASKED), name
        if name != "ledger csv":
            assert answer["past"] is False, name
            assert replayed_later[name]["past"] is True, name
            assert replayed_later[name]["position"] == then, name
            assert replayed_later[name]["as_of"] is None, name


def test_as_of_an_instant_every_route_answers_what_the_log_held_then(
    client: WarRoomClient, inspection: Inspection
) -> None:
    then = act_one(client, inspection)
    answered_then = read_everything(client, inspection)
    # Only ordering matters: the instant falls after act one, before act two.
    time.sleep(0.01)
    instant = datetime.now(UTC)
    time.sleep(0.01)
    act_two(client, inspection)

    as_of = read_everything(client, inspection, as_of=instant.isoformat())

    for name, answer in answered_then.items():
        replayed = as_of[name]
        if name in AGED:
            answer, replayed = without_ages(answer), without_ages(replayed)
        assert without(replayed, WHEN_ASKED) == without(answer, WHEN_ASKED), name
        if name != "ledger csv":
            assert as_of[name]["past"] is True, name
            assert as_of[name]["position"] == then, name
            assert datetime.fromisoformat(as_of[name]["as_of"]) == instant, name


def test_as_of_before_the_inspection_was_opened_finds_no_inspection(
    client: WarRoomClient, inspection: Inspection
) -> None:
    response = client.get("auditor", inspection.path, as_of="2000-01-01T00:00:00+00:00")

    assert response.status_code == 404


@pytest.mark.parametrize("name", [*read_routes(Inspection("x", "y", "z")), "csv"])
def test_as_of_without_a_time_zone_is_refused_by_every_route(
    client: WarRoomClient, inspection: Inspection, name: str
) -> None:
    routes = read_routes(inspection)
    path, query = routes.get(name, (f"{inspection.path}/ledger", {"format": "csv"}))

    response = client.get("auditor", path, **query, as_of=f"{iso_day(2)}T17:00:00")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "as_of"]
