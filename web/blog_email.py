"""A day's blog as an email: plain text and HTML, with the headers mail
programs and list filters expect, and the day's seal in the footer.

Everything from the log is escaped for the HTML part; nothing is built from
templates that could run it. A title stored with a line break or a control
character (before commands refused them) is made one line for the headers
and printable for the parts: such a day's email is sent, never refused.
"""

from __future__ import annotations

import email.policy
import html
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from typing import Any
from zoneinfo import ZoneInfo

from warroom.text import one_line, printable
from warroom.words import value_words, who_words
from web.render.when import written_down_words

UNDISCLOSED = "undisclosed-recipients:;"
# Lines up to RFC 5322's limit of 998: a List-Id with an inspection's id in it
# is not folded onto a line of its own, which some parsers read back with a
# leading space.
POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Envelope:
    """Who the message is from and to, and how the list is named."""

    mail_from: str
    recipients: list[str]
    bcc: bool
    inspection_id: str
    inspection_title: str
    attempt: int


def compose(blog: Mapping[str, Any], envelope: Envelope) -> EmailMessage:
    day = date.fromisoformat(blog["day"])
    domain = _domain(envelope.mail_from)
    title = one_line(envelope.inspection_title)
    message = EmailMessage(policy=POLICY)
    message["Subject"] = f"{title}: daily blog for {day:%A} {day.day} {day:%B %Y}"
    message["From"] = envelope.mail_from
    if envelope.bcc:
        # The addresses stay out of the headers: partners do not see each other.
        message["To"] = UNDISCLOSED
    else:
        message["To"] = ", ".join(envelope.recipients)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = (
        f"<blog.{day.isoformat()}.{envelope.attempt}.{secrets.token_hex(8)}@{domain}>"
    )
    message["List-Id"] = (
        f"{_phrase(title)} daily blog <blog.{envelope.inspection_id}.{domain}>"
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(printable(text(blog, title)))
    message.add_alternative(printable(page(blog, title)), subtype="html")
    return message


# --- what the blog says, section by section ---------------------------------


Sections = list[tuple[str, list[str]]]


def _parts(blog: Mapping[str, Any]) -> tuple[Sections, Sections]:
    """The day's sections, and tomorrow's meetings person by person."""
    zone = ZoneInfo(blog.get("timezone") or "Europe/London")

    def at(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M")

    def meeting(m: Mapping[str, Any]) -> str:
        return f"{at(m['starts_at'])}-{at(m['ends_at'])} {m['title']} ({m['venue']})"

    def entry(e: Mapping[str, Any]) -> str:
        told = f"{at(e['at'])} {e['subject']}"
        detail = _detail(e, at)
        # When it happened leads; when it was written down, if much later, follows.
        late = written_down_words(e["at"], e.get("recorded_at"), str(zone))
        by = who_words(str(e["by"]))
        by = f"{by}, {late}" if late else by
        return f"{told}: {detail} ({by})" if detail else f"{told} ({by})"

    def entries(name: str) -> list[str]:
        return [entry(e) for e in blog.get(name, [])]

    sections: Sections = [
        ("Meetings held", [meeting(m) for m in blog.get("meetings_held", [])]),
        ("Meetings moved", entries("meetings_moved")),
        ("Meetings cancelled", entries("meetings_cancelled")),
        ("Requests in", entries("requests_in")),
        ("Released to the inspectors", entries("requests_released")),
        ("Case copies released to the inspectors", entries("case_copies_released")),
        ("Declined or pushed back", entries("requests_declined")),
        (
            "Requests still open",
            [str(r["title"]) for r in blog.get("requests_still_open", [])],
        ),
        ("From the KIT meetings", entries("kit_points")),
        ("New lines of enquiry", entries("lines_of_enquiry_raised")),
        (
            "Cases the inspectors looked at",
            [f"{c['case']} ({c['times']}x)" for c in blog.get("cases_browsed", [])],
        ),
        ("Playbook tasks done", entries("tasks_done")),
        ("Debriefs", entries("debriefs")),
        ("Tomorrow", [meeting(m) for m in blog.get("tomorrow", [])]),
    ]
    people: Sections = [
        (str(p["person"]), [meeting(m) for m in p["meetings"]])
        for p in blog.get("tomorrow_by_person", [])
    ]
    return sections, people


def _detail(entry: Mapping[str, Any], at: Callable[[str], str]) -> str:
    """What changed, in a few words, for the entries that say more than a name."""
    kind, data = entry["type"], entry.get("data", {})
    if "to_name" in entry:  # a case copy: to whom, and how
        return f"to {entry['to_name']}, {value_words(data['medium'])}"
    if kind == "MeetingRescheduled":
        return f"now {at(data['starts_at'])}-{at(data['ends_at'])}"
    if kind == "MeetingMoved":
        return f"now in {data['venue']}"
    if kind in ("MeetingCancelled", "RequestDeclined"):
        return str(data.get("reason") or "")
    if kind == "KitNoteRecorded":
        return str(data.get("text") or "")
    return ""


def text(blog: Mapping[str, Any], title: str) -> str:
    sections, people = _parts(blog)
    lines = [f"{title}: the daily blog for {_day_words(blog)}", ""]
    for post in blog.get("posts", []):
        lines += [str(post["title"]), "", str(post["body"]), f"-- {post['by']}", ""]
    for heading, items in sections:
        lines += [heading, "-" * len(heading)]
        lines += [f"  * {item}" for item in items] or ["  (none)"]
        lines.append("")
    lines += ["Tomorrow, person by person", "--------------------------"]
    for person, items in people:
        lines.append(f"  {person}:")
        lines += [f"    * {item}" for item in items]
    if not people:
        lines.append("  (no meetings)")
    lines += ["", *footer_lines(blog)]
    return "\n".join(lines) + "\n"


def page(blog: Mapping[str, Any], title: str) -> str:
    e = html.escape
    sections, people = _parts(blog)
    body = [f"<h1>{e(title)}: the daily blog for {e(_day_words(blog))}</h1>"]
    for post in blog.get("posts", []):
        body.append(
            f"<h2>{e(str(post['title']))}</h2>"
            + "".join(f"<p>{e(p)}</p>" for p in str(post["body"]).split("\n\n"))
            + f"<p><em>{e(str(post['by']))}</em></p>"
        )
    for heading, items in sections:
        body.append(f"<h2>{e(heading)}</h2>{_list(items)}")
    body.append("<h2>Tomorrow, person by person</h2>")
    if people:
        body.append(
            "<dl>"
            + "".join(f"<dt>{e(p)}</dt><dd>{_list(items)}</dd>" for p, items in people)
            + "</dl>"
        )
    else:
        body.append("<p>(no meetings)</p>")
    footer = "\n".join(footer_lines(blog))
    body.append(f'<hr><pre style="white-space:pre-wrap">{e(footer)}</pre>')
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{e(title)}</title></head><body>" + "\n".join(body) + "</body></html>\n"
    )


def _day_words(blog: Mapping[str, Any]) -> str:
    """The blog's day as people say it: "Monday 7 December 2026"."""
    day = date.fromisoformat(blog["day"])
    return f"{day:%A} {day.day} {day:%B %Y}"


def _list(items: Iterable[str]) -> str:
    shown = "".join(f"<li>{html.escape(item)}</li>" for item in items)
    return f"<ul>{shown}</ul>" if shown else "<p>(none)</p>"


def footer_lines(blog: Mapping[str, Any]) -> list[str]:
    stood_at = blog.get("stood_at")
    if stood_at:
        zone = ZoneInfo(blog.get("timezone") or "Europe/London")
        moment = datetime.fromisoformat(stood_at).astimezone(zone)
        when = f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B}"
        lines = [f"Sent by the war room from its log, as it stood at {when}."]
    else:
        lines = ["Sent by the war room from its log."]
    seal = blog.get("seal")
    if seal:
        lines += ["", "The day's seal (a signed checkpoint of the log):", *_seal(seal)]
    closed = blog.get("closed") or {}
    if closed.get("early_reason"):
        lines += [
            "",
            f"Closed before its last meeting ended, by {closed['by']}: "
            f"{closed['early_reason']}",
        ]
    return lines


def _seal(seal: Any) -> list[str]:
    """The seal as the evidence read gives it: a signed note, or its fields."""
    if isinstance(seal, str):
        return seal.rstrip("\n").split("\n")
    if isinstance(seal, Mapping):
        notes = [k for k in NOTE_KEYS if isinstance(seal.get(k), str)]
        lines = [*str(seal[notes[0]]).rstrip("\n").split("\n")] if notes else []
        return lines + [
            f"{k}: {v}" for k, v in seal.items() if k not in notes[:1] and v is not None
        ]
    return [str(seal)]


# Where a seal given as fields keeps its signed note, whichever it names.
NOTE_KEYS = ("note", "checkpoint", "signed_note", "text")


def _domain(mail_from: str) -> str:
    [(_, address)] = getaddresses([mail_from]) or [("", "")]
    return address.rpartition("@")[2] or "localhost"


def _phrase(text: str) -> str:
    """A display name safe in a header (List-Id's phrase)."""
    return str(Address(display_name=text, addr_spec="x@x")).rpartition(" <")[0]
