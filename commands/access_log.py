"""The case recording system's access log: which inspector browsed which case.

`parse` reads the CSV (the header `user,case_ref,item,accessed_at` by
default, or the layout a column map names) and refuses a malformed file with
the line and the reason, before anything is stored. `match` turns each row
into a `CaseBrowsed` event of its case, matched to an inspector on the roster
by name, and reports the rows that matched nothing. Each row carries a key
made from its content, kept by its case: a row imported before is counted as
`already`, never stored twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from commands.models import CLOCK_SKEW, AccessRow
from commands.run import Run
from warroom.domain.case import Case
from warroom.domain.inspection import Inspection
from warroom.domain.window import OutOfWindow
from warroom.text import control_problem, line_break_problem

COLUMNS = ("user", "case_ref", "item", "accessed_at")
# What a pseudonymous case reference looks like (commands.models.CaseRef).
CASE_REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9/_.-]{0,39}$")
# The most rows a log may hold whatever the settings say (the command's own
# bound); `WARROOM_ACCESS_LOG_MAX_ROWS` (default 50,000) sets it lower.
MOST_ROWS = 200_000


class MalformedLog(ValueError):
    """The file cannot be read as an access log: nothing of it is stored."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class TooManyRows(ValueError):
    """The file holds more rows than a log may: nothing of it is stored."""

    def __init__(self, most: int) -> None:
        super().__init__(
            f"an access log holds at most {most:,} rows "
            "(WARROOM_ACCESS_LOG_MAX_ROWS); this one holds more: split it and "
            "import each part (a row imported before is never stored twice)"
        )
        self.most = most


def column_map(text: str | None) -> dict[str, str]:
    """`user=Username,case_ref=Case ID,...`: our column -> the file's header.

    Columns left out keep their own names.
    """
    mapping = {column: column for column in COLUMNS}
    for part in (text or "").split(","):
        if not part.strip():
            continue
        ours, sep, theirs = part.partition("=")
        if not sep or ours.strip() not in COLUMNS or not theirs.strip():
            raise MalformedLog(
                0,
                f"the column map {text!r} must read like "
                "user=Username,case_ref=CaseID,item=Document,accessed_at=Time "
                f"(the columns are {', '.join(COLUMNS)})",
            )
        mapping[ours.strip()] = theirs.strip()
    return mapping


def parse(
    content: bytes, mapping: dict[str, str] | None = None, most: int = MOST_ROWS
) -> list[AccessRow]:
    """Every row of the file, or MalformedLog naming the first bad line, or
    TooManyRows past `most` rows (blank lines are not rows)."""
    mapping = mapping or column_map(None)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise MalformedLog(line, "is not UTF-8 text") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise MalformedLog(1, "the file is empty: expected a header line")
        where = _columns(header, mapping)
        return [
            _row(reader.line_num, fields, where, len(header))
            for fields in _rows(reader, min(most, MOST_ROWS))
        ]
    except csv.Error as error:
        raise MalformedLog(reader.line_num, f"is not CSV ({error})") from None


def _rows(reader: Iterable[list[str]], most: int) -> Iterable[list[str]]:
    count = 0
    for fields in reader:
        if any(field.strip() for field in fields):  # blank lines are skipped
            count += 1
            if count > most:
                raise TooManyRows(most)
            yield fields


def _columns(header: list[str], mapping: dict[str, str]) -> dict[str, int]:
    names = [name.strip() for name in header]
    missing = [theirs for theirs in mapping.values() if theirs not in names]
    if missing:
        raise MalformedLog(
            1,
            f"the header has no column {', '.join(map(repr, missing))} "
            f"(it has {', '.join(map(repr, names))}); pass a column map "
            "for another layout",
        )
    return {ours: names.index(theirs) for ours, theirs in mapping.items()}


def _row(line: int, fields: list[str], where: dict[str, int], width: int) -> AccessRow:
    if len(fields) != width:
        raise MalformedLog(line, f"has {len(fields)} fields, the header {width}")
    value = {ours: fields[index].strip() for ours, index in where.items()}
    for column in COLUMNS:
        if not value[column]:
            raise MalformedLog(line, f"{column} is empty")
    for column in ("user", "item"):
        if len(value[column]) > 200:
            raise MalformedLog(line, f"{column} is over 200 characters")
    for column in ("user", "case_ref", "item"):
        # A quoted field may hold a line break, or any control character.
        problem = control_problem(value[column]) or line_break_problem(value[column])
        if problem is not None:
            raise MalformedLog(line, f"{column} {problem}")
    try:
        accessed_at = datetime.fromisoformat(value["accessed_at"])
    except ValueError:
        raise MalformedLog(
            line,
            f"accessed_at {value['accessed_at'][:40]!r} is not an ISO 8601 time "
            "(e.g. 2026-11-24T10:15:00Z)",
        ) from None
    return AccessRow(
        line=line,
        user=value["user"],
        case_ref=value["case_ref"][:60],
        item=value["item"],
        accessed_at=accessed_at,
    )


def match(
    run: Run, inspection: Inspection, rows: Sequence[AccessRow]
) -> dict[str, Any]:
    """Stages a `CaseBrowsed` for each new matched row; the import's report."""
    inspection_id = str(inspection.id)
    inspectors = {_same(d["name"]): i for i, d in inspection.inspectors.items()}
    zone = ZoneInfo(inspection.timezone)
    cases: dict[str, Case | None] = {}
    events = already = 0
    unmatched: list[dict[str, Any]] = []
    for row in rows:
        inspector = inspectors.get(_same(row.user))
        case = _case(run, inspection_id, row.case_ref, cases)
        at = (
            row.accessed_at
            if row.accessed_at.tzinfo
            else row.accessed_at.replace(tzinfo=zone)
        )
        reason = _unmatched(row, inspector, case, inspection, at)
        if reason is not None:
            unmatched.append({"line": row.line, "reason": reason})
            continue
        assert case is not None and inspector is not None
        key = _key(inspector, row.case_ref, row.item, at)
        if key in case.browse_keys:
            already += 1
            continue
        case.browse(
            inspector, row.item, replace(run.ctx, occurred_at=at, idempotency_key=key)
        )
        run.stage(case)
        events += 1
    return {"events": events, "already": already, "unmatched": unmatched}


def _unmatched(
    row: AccessRow,
    inspector: str | None,
    case: Case | None,
    inspection: Inspection,
    at: datetime,
) -> str | None:
    if inspector is None:
        return f"no inspector named {row.user!r} on the roster"
    if case is None:
        return f"no case {row.case_ref!r} is selected in this inspection"
    if at > datetime.now(UTC) + CLOCK_SKEW:
        return f"accessed_at {at.isoformat()} is in the future"
    try:
        inspection.require_around_start("accessed_at", at)
    except OutOfWindow as error:
        return error.message
    return None


def _case(
    run: Run, inspection_id: str, ref: str, cases: dict[str, Case | None]
) -> Case | None:
    if ref not in cases:
        found = None
        if CASE_REF.match(ref):
            case_id = Case.create_id(inspection_id, ref)
            if run.app.exists(case_id):
                found = run.app.load(Case, case_id)
        cases[ref] = found
    return cases[ref]


def _key(inspector: str, ref: str, item: str, at: datetime) -> str:
    row = "\x1f".join((inspector, ref, item, at.astimezone(UTC).isoformat()))
    return "access-log:" + hashlib.sha256(row.encode()).hexdigest()


def _same(name: str) -> str:
    return " ".join(name.split()).casefold()
