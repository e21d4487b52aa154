"""Hooks for `schemathesis run` over a test server (`tests/e2e/test_fuzz.py`).

Loaded by the command line through `SCHEMATHESIS_HOOKS=tests.e2e.fuzz_hooks`:
- the real ids of the things paths name (`WARROOM_FUZZ_IDS`, JSON), so that
  requests get past "not found"; a case whose path is meant to be invalid
  (negative) keeps the values schemathesis made, as that check needs them;
- one more check: a refused request (any 4xx) stores nothing, read from the
  server's database (`WARROOM_FUZZ_DATABASE_URL`) before and after each call;
- the answers counted by status, written as JSON to `WARROOM_FUZZ_COUNTS`.
"""

from __future__ import annotations

import atexit
import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from schemathesis.core.parameters import ParameterLocation

from warroom.application import WarRoom
from warroom.config import Database

IDS: dict[str, str] = json.loads(os.environ.get("WARROOM_FUZZ_IDS", "{}"))
COUNTS: Counter[str] = Counter()
_log: list[WarRoom] = []
_before: list[tuple[int, int]] = []


def _stored() -> tuple[int, int]:
    if not _log:
        _log.append(WarRoom(Database.from_url(os.environ["WARROOM_FUZZ_DATABASE_URL"])))
    app = _log[0]
    return (app.recorder.max_notification_id() or 0, app.store.documents_held())


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if meta is None or not meta.is_negative_at(ParameterLocation.PATH):
        for name in case.path_parameters or {}:
            if name in IDS:
                case.path_parameters[name] = IDS[name]
    _before[:] = [_stored()]


@schemathesis.hook
def after_call(context: Any, case: Any, response: Any) -> None:
    COUNTS[str(response.status_code)] += 1


@schemathesis.check
def refused_stores_nothing(ctx: Any, response: Any, case: Any) -> bool | None:
    if not 400 <= response.status_code < 500 or not _before:
        return None
    after = _stored()
    if after != _before[0]:
        raise AssertionError(
            f"answered {response.status_code} yet stored something: "
            f"(log position, documents) {_before[0]} -> {after}"
        )
    return None


@atexit.register
def _write_counts() -> None:
    where = os.environ.get("WARROOM_FUZZ_COUNTS")
    if where:
        Path(where).write_text(json.dumps(dict(COUNTS)))
    for app in _log:
        app.close()
