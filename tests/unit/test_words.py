"""Stored values as people say them (issue 23): the print pages' and the
email's words, and the email's footer naming a time, never a log position."""

from __future__ import annotations

from typing import Any

import pytest

from mail.blog_email import SEAL_TO_FOLLOW, footer_lines, text
from tests.days import iso_day, long_day
from warroom.words import value_words, version_words, who_words


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("hard_copy", "hard copy"),
        ("packet", "compressed packet"),
        ("iro", "IRO"),
        ("parents_carers", "parents and carers"),
        ("requires_improvement", "requires improvement"),
        ("kit", "KIT meeting"),
        ("case_discussion", "case discussion"),
        ("monitoring_visit", "monitoring visit"),
        ("SIF", "SIF"),
        (None, ""),
    ],
)
def test_a_stored_value_reads_as_words(value: object, said: str) -> None:
    assert value_words(value) == said


@pytest.mark.parametrize(
    ("version", "said"), [("3", "v3"), ("v3", "v3"), ("V2", "V2"), (4, "v4")]
)
def test_a_version_has_one_v(version: object, said: str) -> None:
    assert version_words(version) == said


def test_the_command_line_is_named_for_what_it_is() -> None:
    assert who_words("console") == "the war room (command line)"
    assert who_words("Linda Evans") == "Linda Evans"


def _blog(**more: Any) -> dict[str, Any]:
    return {
        "day": iso_day(1),
        "timezone": "Europe/London",
        "position": 223,
        **more,
    }


def test_the_emails_footer_names_the_time_the_log_stood_at_not_its_position() -> None:
    line, _, follows = footer_lines(_blog(stood_at=f"{iso_day(1)}T17:59:30+00:00"))
    assert line == (
        f"Sent by the war room from its log, as it stood at 17:59 on {long_day(1)}."
    )
    assert "223" not in text(_blog(stood_at=f"{iso_day(1)}T17:59:30+00:00"), "SIF")
    assert footer_lines(_blog())[0] == "Sent by the war room from its log."
    # Not closed yet when sent: the seal follows (issue 24).
    assert follows == SEAL_TO_FOLLOW


def test_the_emails_lines_name_the_command_line_and_the_medium_in_words() -> None:
    copy = {
        "type": "CaseCopyReleased",
        "at": f"{iso_day(1)}T10:00:00+00:00",
        "subject": "C-01",
        "to_name": "Helen Ward",
        "by": "console",
        "data": {"medium": "hard_copy"},
    }
    said = text(_blog(case_copies_released=[copy]), "SIF")
    assert "10:00 C-01: to Helen Ward, hard copy (the war room (command line))" in said
    assert "console" not in said and "hard_copy" not in said
