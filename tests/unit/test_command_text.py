"""Every string field of every command refuses a control character, and
every one but the multi-line ones refuses a line break (issue 22, finding 4).

The walk reads the fields off the models themselves: a field added tomorrow
is walked tomorrow, and a plain `str` that forgot the rule fails here.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel, EmailStr, ValidationError

from commands import models
from commands.handlers import COMMAND_HANDLERS

CONTROLS = ["\x00", "\x07", "\r", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\ufffe"]
LINE_BREAKS = ["\n", "\r\n", "\u2028", "\u2029"]


def _models() -> list[type[BaseModel]]:
    found: set[type[BaseModel]] = set(COMMAND_HANDLERS)
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            found.add(value)
    return sorted(found, key=lambda model: model.__name__)


def _parts(annotation: Any) -> Iterator[Any]:
    """The annotation and everything inside it: unions, lists, Annotated."""
    yield annotation
    for arg in typing.get_args(annotation):
        yield from _parts(arg)
    yield from getattr(annotation, "__metadata__", ())


def _text_fields() -> list[tuple[type[BaseModel], str, bool, bool]]:
    """(model, field, is it a list, may it hold line breaks) for each field
    that takes a string."""
    fields = []
    for model in _models():
        for name, info in model.model_fields.items():
            parts = [*_parts(info.annotation), *info.metadata]
            if not any(part is str or part is EmailStr for part in parts):
                continue
            is_list = any(typing.get_origin(part) is list for part in parts)
            multi_line = any(part is models.MULTI_LINE for part in parts)
            fields.append((model, name, is_list, multi_line))
    return fields


TEXT_FIELDS = _text_fields()


def _errors_at(model: type[BaseModel], name: str, value: Any) -> list[str]:
    """The messages of the refusals naming field `name` (others are missing)."""
    try:
        model.model_validate({name: value})
    except ValidationError as error:
        return [e["msg"] for e in error.errors() if e["loc"][:1] == (name,)]
    return []


def _id(field: tuple[type[BaseModel], str, bool, bool]) -> str:
    return f"{field[0].__name__}.{field[1]}"


def test_the_walk_finds_every_kind_of_text_field() -> None:
    named = {_id(field) for field in TEXT_FIELDS}
    assert len(named) >= 60
    assert {
        "RecordRequest.title",
        "RecordRequest.detail",
        "OpenInspection.title",
        "OpenInspection.timezone",
        "AddUser.name",
        "AddOrganisation.name",
        "ScheduleMeeting.attendees",
        "LimitInspections.inspection_ids",
        "AttachDocument.name",
        "AddRecipient.email",
        "AccessRow.item",
    } <= named
    multi_line = {_id(field) for field in TEXT_FIELDS if field[3]}
    assert "RecordRequest.detail" in multi_line
    assert "RecordRequest.title" not in multi_line


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=_id)
def test_every_text_field_refuses_a_control_character(
    field: tuple[type[BaseModel], str, bool, bool],
) -> None:
    model, name, is_list, _ = field
    for control in CONTROLS:
        text = f"a{control}b"
        messages = _errors_at(model, name, [text] if is_list else text)
        assert messages, f"{model.__name__}.{name} took {text!r}"
        assert any("control character" in m for m in messages), messages


@pytest.mark.parametrize("field", TEXT_FIELDS, ids=_id)
def test_every_text_field_but_the_multi_line_ones_refuses_a_line_break(
    field: tuple[type[BaseModel], str, bool, bool],
) -> None:
    model, name, is_list, multi_line = field
    for line_break in LINE_BREAKS:
        text = f"a{line_break}b"
        messages = _errors_at(model, name, [text] if is_list else text)
        if multi_line:
            assert messages == [], f"{model.__name__}.{name}: {messages}"
        else:
            assert messages, f"{model.__name__}.{name} took {text!r}"


def test_a_tab_is_text_and_a_crlf_is_a_newline() -> None:
    note = models.RecordKitNote(text="one\r\ntwo\tthree", actions=["a\tb"])
    assert note.text == "one\ntwo\tthree"
    assert note.actions == ["a\tb"]


def test_the_refusal_says_which_character_and_where() -> None:
    with pytest.raises(ValidationError) as refused:
        models.RaiseLineOfEnquiry(title="vertical\x0btab")
    (problem,) = refused.value.errors()
    assert problem["loc"] == ("title",)
    assert "control character (U+000B at character 9)" in problem["msg"]
    with pytest.raises(ValidationError) as refused:
        models.RaiseLineOfEnquiry(title="two\nlines")
    (problem,) = refused.value.errors()
    assert "must be one line" in problem["msg"]


@pytest.mark.parametrize(
    "text",
    [
        *("plain", "a\tb", "a\nb", "a\r\nb", "a\rb", "a\x0bb", "a\x00b"),
        *("a\u2028b", "a\x85b", "a\ufffeb", "café ☕", "a\x1fb", "a\x7fb", "a\xa0b"),
    ],
)
def test_the_schema_pattern_says_what_the_models_take(text: str) -> None:
    """A client (or a fuzzer) reading the OpenAPI schema is told the rule."""
    schema = models.RecordRequest.model_json_schema()["properties"]
    one_line = schema["title"]["pattern"]
    lines = schema["detail"]["anyOf"][0]["pattern"]
    assert (one_line, lines) == (models.ONE_LINE_PATTERN, models.LINES_PATTERN)
    for pattern, field in ((one_line, "title"), (lines, "detail")):
        body = {"title": "A", "requested_by": "x", "channel": "kit", field: text}
        try:
            models.RecordRequest.model_validate(body)
            taken = True
        except ValidationError:
            taken = False
        assert taken == bool(re.fullmatch(pattern, text)), (field, text)
