"""The words people read for the names clients use.

A refusal is read by a person at the war-room screen, not by a program:
it says "the end time", not `ends_at`, and "a member of staff", not
`staff`. The machine-readable names stay in the answer beside it (a 409's
`rule`, a 422's `loc`), unchanged, for clients to act on.
"""

from __future__ import annotations

FIELDS = {
    "starts_at": "the start time",
    "ends_at": "the end time",
    "due_at": "the due time",
    "occurred_at": "when it happened",
    "accessed_at": "when it was opened",
    "expires_at": "the expiry time",
    "starts_on": "the first day",
    "day": "the day",
    "requested_by": "the inspector who asked",
    "to": "the inspector it goes to",
    "inspectors": "the inspectors",
    "inspector": "the inspector",
    "sha256": "the document's fingerprint",
    "up_to": "how far you have read",
    "assignee": "the person it is given to",
    "line_of_enquiry": "the line of enquiry",
    "lines_of_enquiry": "the lines of enquiry",
    "iro": "the IRO or CP chair",
    "ref": "the case reference",
    "party": "who was told",
    "item": "what was looked at",
    "body": "the text",
    "add": "those to add",
    "remove": "those to remove",
    "response": "the answer",
    "inspection_ids": "the inspections",
    "timezone": "the time zone",
    "file": "the file",
    "If-Match": "the version you changed",
    "Idempotency-Key": "the retry key",
}

ROLES = {
    "admin": "an admin",
    "lead": "a lead",
    "gatekeeper": "a gatekeeper",
    "rapid_response": "a member of the rapid response team",
    "staff": "a member of staff",
    "auditor": "an auditor",
    # Not a person: a wall screen signed in as a device (issue 25).
    "display": "a wall screen",
}


def field(name: str) -> str:
    """A field of a command or a query, as a person calls it."""
    return FIELDS.get(name, "the " + name.replace("_", " "))


def role(name: str) -> str:
    """A role, with its article: "a member of staff"."""
    return ROLES.get(name, "a " + name.replace("_", " "))


def either(names: list[str]) -> str:
    """ "a, b or c"."""
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} or {names[-1]}"


PHASES = {
    "day1_notification": "day 1 (notification)",
    "day2_kick_off": "day 2 (kick-off)",
    "day3_on_site": "day 3 (on site)",
    "day4_feedback": "day 4 (feedback)",
    "week2_off_site": "week 2 (off site)",
    "weeks3_4_on_site": "weeks 3-4 (on site)",
}


def phase(name: str) -> str:
    """A phase: "day3_on_site" as "day 3 (on site)"."""
    return PHASES.get(name, name.replace("_", " "))
