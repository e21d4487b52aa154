"""Every read route answers exactly what its read model's answer type says.

mypy holds the read models to their row types, but not the event payloads
they copy values from (`LoggedEvent.data` is loosely typed): this holds the
types to what the routes really send, so that they can be response models.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from projections.cases import CasesAnswer
from projections.kit_notes import KitNotesAnswer
from projections.ledger import LedgerAnswer
from projections.lines_of_enquiry import LinesOfEnquiryAnswer
from projections.requests import RequestsAnswer
from projections.schedule import DayAnswer
from tests.helpers import Inspection, WarRoomClient
from tests.integration.story import (
    WHEN_ASKED,
    act_one,
    act_two,
    read_everything,
    read_routes,
    without,
)
from web.answers import BriefedAgendaAnswer, InspectionOffered, SealedBlogAnswer

# By the names `read_routes` gives the routes.
ANSWER_TYPES: dict[str, Any] = {
    "inspection": InspectionOffered,
    "schedule": DayAnswer,
    "agenda": BriefedAgendaAnswer,
    "inspector agenda": BriefedAgendaAnswer,
    "ledger": LedgerAnswer,
    "requests": RequestsAnswer,
    "open requests": RequestsAnswer,
    "cases": CasesAnswer,
    "blog": SealedBlogAnswer,  # the read model's answer, and the day's seal
    "lines of enquiry": LinesOfEnquiryAnswer,
    "kit notes": KitNotesAnswer,
}


def test_every_read_route_answers_what_its_answer_type_says(
    client: WarRoomClient, inspection: Inspection
) -> None:
    act_one(client, inspection)
    act_two(client, inspection)
    answers = read_everything(client, inspection)

    assert ANSWER_TYPES.keys() == read_routes(inspection).keys()
    for name, answer_type in ANSWER_TYPES.items():
        adapter: TypeAdapter[Any] = TypeAdapter(answer_type)
        body = without(answers[name], WHEN_ASKED)
        # Strict: nothing is coerced. A key the type does not name is dropped
        # on the way through, so the answer would not come back the same.
        checked = adapter.validate_python(body, strict=True)
        assert adapter.dump_python(checked) == body, name
