"""Every refusal the write side can raise is worded for people.

Walks the source of `warroom/` and `commands/` for each refusal raised
(`RuleBroken`, `Forbidden`, `NotFound`, `VersionMismatch`, `OutOfWindow`, and
the `ValueError`s of the command models) and reads the words of its message:
none names a field of the API (`ends_at`) or a position in the log. The
machine-readable names (a rule, a field's `loc`) are not its message.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from commands import models
from warroom.domain import words

ROOT = Path(__file__).resolve().parents[2]
SOURCES = [*sorted((ROOT / "warroom").rglob("*.py")), *(ROOT / "commands").glob("*.py")]
REFUSALS = {"RuleBroken", "Forbidden", "NotFound", "OutOfWindow", "ValueError"}


def _api_names() -> set[str]:
    """Every field name of every command that is not also a plain word."""
    names = {"sha256", "position", "Idempotency-Key", "If-Match", "min_position"}
    for value in vars(models).values():
        if isinstance(value, type) and issubclass(value, models.Command):
            names |= {name for name in value.model_fields if "_" in name}
    return names


def _message_words(call: ast.Call) -> str:
    """The literal words of a refusal's message (values put in are left out)."""
    name = call.func.id if isinstance(call.func, ast.Name) else ""
    # RuleBroken and OutOfWindow take (rule or field, message).
    args = call.args[1:] if name in {"RuleBroken", "OutOfWindow"} else call.args[:1]
    parts: list[str] = []
    for arg in args:
        for node in ast.walk(arg):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                parts.append(node.value)
    return " ".join(parts)


def _refusals() -> list[tuple[str, int, str]]:
    found = []
    for path in SOURCES:
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in REFUSALS
            ):
                where = str(path.relative_to(ROOT))
                found.append((where, node.lineno, _message_words(node)))
    return found


def test_the_walk_finds_the_refusals_of_the_domain_and_the_commands() -> None:
    found = _refusals()
    assert len(found) >= 30
    places = {where for where, _, _ in found}
    assert {"warroom/domain/request.py", "commands/handlers.py"} <= places
    assert "commands/models.py" in places


def test_no_refusal_names_a_field_of_the_api_or_a_log_position() -> None:
    names = _api_names()
    assert {"ends_at", "occurred_at", "requested_by", "up_to"} <= names
    for where, line, message in _refusals():
        for name in names:
            assert not re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", message), (
                f"{where}:{line} names {name!r}: {message!r}"
            )
        assert "position" not in message, f"{where}:{line}: {message!r}"


def test_fields_and_roles_have_words_for_people() -> None:
    assert words.field("ends_at") == "the end time"
    assert words.field("line_of_enquiry") == "the line of enquiry"
    assert words.field("social_worker") == "the social worker"
    assert words.role("rapid_response") == "a member of the rapid response team"
    assert words.either(["a lead", "a gatekeeper", "an admin"]) == (
        "a lead, a gatekeeper or an admin"
    )
    assert words.phase("weeks3_4_on_site") == "weeks 3-4 (on site)"
    assert words.phase("closed") == "closed"
