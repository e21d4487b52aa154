"""The saved read models: compressed, and readable as earlier versions saved them."""

from __future__ import annotations

import zlib
from datetime import UTC

import orjson

from projections import saved
from projections.audit import Timeline
from projections.views import Views
from tests.days import moment


def _views() -> tuple[Views, Timeline]:
    views, timeline = Views(), Timeline()
    for position in range(1, 201):
        views.users[f"user-{position}"] = {
            "id": f"user-{position}",
            "name": "Jo Hart",
            "role": "staff",
            "organisation_id": None,
        }
        views.position = position
        timeline.add(position, moment(2, 9, 0, position % 60, tzinfo=UTC))
    return views, timeline


def test_saved_state_loads_as_it_was_saved_and_is_compressed() -> None:
    views, timeline = _views()
    blob = saved.encode(views, timeline)
    decoded = saved.decode(blob)

    assert decoded is not None
    assert decoded[0].to_json() == views.to_json()
    assert decoded[1].to_json() == timeline.to_json()
    plain = orjson.dumps({"views": views.to_json(), "timeline": timeline.to_json()})
    assert len(blob) * 5 < len(plain)


def test_state_saved_by_earlier_versions_with_zlib_still_loads() -> None:
    views, timeline = _views()
    plain = orjson.dumps(
        {
            "version": saved.VIEWS_VERSION,
            "views": views.to_json(),
            "timeline": timeline.to_json(),
        }
    )

    decoded = saved.decode(zlib.compress(plain, level=1))

    assert decoded is not None
    assert decoded[0].to_json() == views.to_json()


def test_state_saved_by_another_version_of_the_read_models_is_not_trusted() -> None:
    views, timeline = _views()
    blob = zlib.compress(
        orjson.dumps({"version": saved.VIEWS_VERSION - 1, "views": {}, "timeline": {}})
    )

    assert saved.decode(blob) is None
    assert saved.decode(saved.encode(views, timeline)) is not None
