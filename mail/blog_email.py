"""A day's blog as an email: plain text and HTML, with the headers mail
programs and list filters expect, and the day's seal in the footer.

Each recipient gets their audience's copy (issue 24): the war room's own
people everything the day's log tells; partners (police, health, education,
councillors) the headline, the meetings held, tomorrow's schedule and the
seal, never the war room's requests, declines, playbook ticks or notes. A
reader on tomorrow's schedule finds their own meetings first. The HTML part
is one column with inline styles (mail programs drop style sheets), body
text 16 px, readable on a 390 px phone without sideways scrolling.

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

from rendering.when import written_down_words
from warroom.domain.distribution import WAR_ROOM
from warroom.domain.user_name import same_name
from warroom.text import one_line, printable
from warroom.words import value_words, who_words

UNDISCLOSED = "undisclosed-recipients:;"
# Lines up to RFC 5322's limit of 998: a List-Id with an inspection's id in it
# is not folded onto a line of its own, which some parsers read back with a
# leading space.
POLICY = email.policy.default.clone(max_line_length=998)


@dataclass(frozen=True)
class Envelope:
    """Who the message is from and to, and how the list is named.

    Since issue 24 each recipient gets a message of their own (their
    audience's copy, their own meetings first): `recipients` is then one
    address, named in To. `bcc` still hides a list of several."""

    mail_from: str
    recipients: list[str]
    bcc: bool
    inspection_id: str
    inspection_title: str
    attempt: int
    # "war_room" or "partners" (warroom.domain.distribution.AUDIENCES).
    audience: str = WAR_ROOM
    # The recipient's name, to find their own meetings tomorrow (None: nobody's).
    recipient_name: str | None = None
    # Where the war room's page is (WARROOM_PUBLIC_URL); None: no link.
    page_url: str | None = None
    # The moment of sending: meetings held are those ended by then.
    at: datetime | None = None


def compose(blog: Mapping[str, Any], envelope: Envelope) -> EmailMessage:
    """The day's blog as the envelope's audience (and recipient) gets it."""
    title = one_line(envelope.inspection_title)
    message = _message(blog, envelope, kind="blog")
    message["Subject"] = f"{short_day(blog)}: {f'{title} ' if title else ''}daily blog"
    told = Told.of(blog, envelope)
    message.set_content(printable(text(blog, title, told)))
    message.add_alternative(printable(page(blog, title, told)), subtype="html")
    return message


def compose_seal(blog: Mapping[str, Any], envelope: Envelope) -> EmailMessage:
    """The short follow-up that carries a closed day's seal to those whose
    blog went out before the day was closed."""
    title = one_line(envelope.inspection_title)
    message = _message(blog, envelope, kind="seal")
    message["Subject"] = (
        f"{short_day(blog)}: {f'{title} ' if title else ''}daily blog, the day's seal"
    )
    lines = seal_lines(blog)
    intro = (
        f"The blog for {_day_words(blog)} went out before the day was closed. "
        "The day is now closed, and this is its seal."
    )
    link = _link_lines(envelope.page_url)
    message.set_content(printable("\n".join([intro, "", *lines, *link]) + "\n"))
    body = [
        _h1(f"{title}: the day's seal for {_day_words(blog)}"),
        f'<p style="{P}">{html.escape(intro)}</p>',
        f'<p style="{P}">{html.escape(lines[0])}</p>',
        _pre("\n".join(lines[1:])),
        _button(envelope.page_url),
    ]
    message.add_alternative(printable(_document(title, body)), subtype="html")
    return message


def _message(blog: Mapping[str, Any], envelope: Envelope, *, kind: str) -> EmailMessage:
    day = date.fromisoformat(blog["day"])
    domain = _domain(envelope.mail_from)
    title = one_line(envelope.inspection_title)
    message = EmailMessage(policy=POLICY)
    message["From"] = envelope.mail_from
    if envelope.bcc and len(envelope.recipients) != 1:
        # The addresses stay out of the headers: partners do not see each other.
        message["To"] = UNDISCLOSED
    else:
        message["To"] = ", ".join(envelope.recipients)
    message["Date"] = format_datetime(envelope.at or datetime.now(UTC))
    message["Message-ID"] = (
        f"<{kind}.{day.isoformat()}.{envelope.attempt}.{secrets.token_hex(8)}@{domain}>"
    )
    message["List-Id"] = (
        f"{_phrase(title)} daily blog <blog.{envelope.inspection_id}.{domain}>"
    )
    message["Auto-Submitted"] = "auto-generated"
    return message


def short_day(blog: Mapping[str, Any]) -> str:
    """ "Mon 7 Dec": how a subject starts, so a phone's inbox shows the day."""
    day = date.fromisoformat(blog["day"])
    return f"{day:%a} {day.day} {day:%b}"


# --- what the blog says, section by section ---------------------------------


Sections = list[tuple[str, list[str]]]

# The sections only the war room reads: requests, releases, declines and
# their reasons, playbook ticks, the war room's own notes (KIT points, lines
# of enquiry, debriefs, what the inspectors browsed, moves and cancellations
# with their reasons). Partners get the headline (the posts), the meetings
# held, tomorrow's schedule and the seal.
WAR_ROOM_ONLY = frozenset(
    {
        "Meetings moved",
        "Meetings cancelled",
        "Requests in",
        "Released to the inspectors",
        "Case copies released to the inspectors",
        "Declined or pushed back",
        "Requests still open",
        "From the KIT meetings",
        "New lines of enquiry",
        "Cases the inspectors looked at",
        "Playbook tasks done",
        "Debriefs",
    }
)
# Said even when empty: "none" is news there.
ALWAYS_SHOWN = frozenset({"Meetings held", "Tomorrow"})


@dataclass(frozen=True)
class Told:
    """What one message tells: its sections, the reader's own meetings
    tomorrow (told first), the others' person by person (the war room's
    copy only), and where the page is."""

    sections: Sections
    own: list[str]
    people: Sections
    audience: str = WAR_ROOM
    url: str | None = None

    @classmethod
    def of(cls, blog: Mapping[str, Any], envelope: Envelope | None = None) -> Told:
        audience = envelope.audience if envelope else WAR_ROOM
        sections, people = _parts(blog, envelope.at if envelope else None)
        if audience != WAR_ROOM:
            sections = [(h, i) for h, i in sections if h not in WAR_ROOM_ONLY]
        name = same_name(envelope.recipient_name or "") if envelope else ""
        own = [i for p, i in people if name and same_name(p) == name]
        others = [(p, i) for p, i in people if not name or same_name(p) != name]
        return cls(
            sections=sections,
            own=own[0] if own else [],
            people=others if audience == WAR_ROOM else [],
            audience=audience,
            url=envelope.page_url if envelope else None,
        )


def _parts(
    blog: Mapping[str, Any], now: datetime | None = None
) -> tuple[Sections, Sections]:
    """The day's sections, and tomorrow's meetings person by person.

    `now`: the moment of sending; a meeting is held once it has ended."""
    zone = ZoneInfo(blog.get("timezone") or "Europe/London")

    def at(iso: str) -> str:
        return datetime.fromisoformat(iso).astimezone(zone).strftime("%H:%M")

    def meeting(m: Mapping[str, Any]) -> str:
        return f"{at(m['starts_at'])}-{at(m['ends_at'])} {m['title']} ({m['venue']})"

    def with_whom(m: Mapping[str, Any]) -> str:
        people = list(dict.fromkeys(str(p) for p in m.get("attendees", [])))
        return meeting(m) + (f", with {', '.join(people)}" if people else "")

    def ended(m: Mapping[str, Any]) -> bool:
        return now is None or datetime.fromisoformat(m["ends_at"]) <= now

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
        (
            "Meetings held",
            [meeting(m) for m in blog.get("meetings_held", []) if ended(m)],
        ),
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
        ("Tomorrow", [with_whom(m) for m in blog.get("tomorrow", [])]),
    ]
    # A phone's screen is short: a section with nothing to tell is left out.
    sections = [(h, i) for h, i in sections if i or h in ALWAYS_SHOWN]
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


def text(blog: Mapping[str, Any], title: str, told: Told | None = None) -> str:
    told = told or Told.of(blog)
    lines = [f"{title}: the daily blog for {_day_words(blog)}", ""]
    if told.own:
        lines += _text_section("Your meetings tomorrow", told.own)
    for post in blog.get("posts", []):
        lines += [str(post["title"]), "", str(post["body"]), f"-- {post['by']}", ""]
    for heading, items in told.sections:
        lines += _text_section(heading, items)
    if told.people:
        lines += ["Tomorrow, person by person", "--------------------------"]
        for person, items in told.people:
            lines.append(f"  {person}:")
            lines += [f"    * {item}" for item in items]
        lines.append("")
    lines += [*footer_lines(blog, told.audience), *_link_lines(told.url)]
    return "\n".join(lines) + "\n"


def _text_section(heading: str, items: list[str]) -> list[str]:
    shown = [f"  * {item}" for item in items] or ["  (none)"]
    return [heading, "-" * len(heading), *shown, ""]


def _link_lines(url: str | None) -> list[str]:
    return ["", f"Open the war room: {url}"] if url else []


# --- the HTML part: inline styles, one column, readable at 390 px ------------

FONT = "font-family:Arial,Helvetica,sans-serif"
BODY = f"margin:0;padding:0;background:#f3f4f6;{FONT};color:#1f2937"
SHEET = (
    "max-width:640px;margin:0 auto;padding:16px;background:#ffffff;"
    "box-sizing:border-box;width:100%"
)
P = "margin:0 0 12px;font-size:16px;line-height:1.5"
H1 = "margin:0 0 16px;font-size:22px;line-height:1.3;color:#111827"
H2 = (
    "margin:24px 0 8px;font-size:18px;line-height:1.3;color:#111827;"
    "border-bottom:1px solid #e5e7eb;padding-bottom:4px"
)
UL = "margin:0 0 12px;padding-left:20px;font-size:16px;line-height:1.5"
LI = "margin:0 0 6px;overflow-wrap:anywhere;word-break:break-word"
OWN = (
    "margin:0 0 16px;padding:12px 16px;background:#eff6ff;border-left:4px solid #1d4ed8"
)
OWN_H2 = "margin:0 0 8px;font-size:18px;line-height:1.3;color:#1e3a8a"
MUTED = "margin:0 0 12px;font-size:16px;line-height:1.5;color:#4b5563"
PRE = (
    "margin:0 0 12px;padding:12px;background:#f9fafb;border:1px solid #e5e7eb;"
    "font-family:Consolas,Menlo,monospace;font-size:14px;line-height:1.4;"
    "white-space:pre-wrap;word-break:break-all;overflow-wrap:anywhere"
)
BUTTON = (
    "display:inline-block;padding:12px 20px;background:#1d4ed8;color:#ffffff;"
    "text-decoration:none;border-radius:6px;font-size:16px;font-weight:bold"
)
RULE = "border:0;border-top:1px solid #e5e7eb;margin:24px 0 12px"


def page(blog: Mapping[str, Any], title: str, told: Told | None = None) -> str:
    e = html.escape
    told = told or Told.of(blog)
    body = [_h1(f"{title}: the daily blog for {_day_words(blog)}")]
    if told.own:
        body.append(
            f'<div style="{OWN}"><h2 style="{OWN_H2}">Your meetings tomorrow</h2>'
            f"{_list(told.own)}</div>"
        )
    for post in blog.get("posts", []):
        paragraphs = str(post["body"]).split("\n\n")
        body.append(
            f'<h2 style="{H2}">{e(str(post["title"]))}</h2>'
            + "".join(f'<p style="{P}">{e(p)}</p>' for p in paragraphs)
            + f'<p style="{MUTED}"><em>{e(str(post["by"]))}</em></p>'
        )
    for heading, items in told.sections:
        body.append(f'<h2 style="{H2}">{e(heading)}</h2>{_list(items)}')
    if told.people:
        body.append(f'<h2 style="{H2}">Tomorrow, person by person</h2>')
        body.extend(
            f'<p style="{P};margin-bottom:4px"><strong>{e(p)}</strong></p>{_list(i)}'
            for p, i in told.people
        )
    body.append(_button(told.url))
    body.append(_footer_html(blog, told.audience))
    return _document(title, body)


def _document(title: str, body: list[str]) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{html.escape(title)}</title></head><body style="{BODY}">'
        f'<div style="{SHEET}">' + "\n".join(b for b in body if b) + "</div>"
        "</body></html>\n"
    )


def _h1(words: str) -> str:
    return f'<h1 style="{H1}">{html.escape(words)}</h1>'


def _pre(words: str) -> str:
    return f'<pre style="{PRE}">{html.escape(words)}</pre>'


def _button(url: str | None) -> str:
    if not url:
        return ""
    return (
        f'<p style="{P};margin-top:24px"><a href="{html.escape(url, quote=True)}" '
        f'style="{BUTTON}">Open the war room</a></p>'
    )


def _footer_html(blog: Mapping[str, Any], audience: str) -> str:
    """The footer's words as paragraphs, the seal as the block it is."""
    e = html.escape
    seal = seal_lines(blog) if blog.get("seal") else []
    shown = []
    for line in footer_lines(blog, audience):
        if line and line not in seal[1:]:
            shown.append(f'<p style="{MUTED}">{e(line)}</p>')
        if seal and line == seal[0]:
            shown.append(_pre("\n".join(seal[1:])))
    return f'<hr style="{RULE}">' + "".join(shown)


def _day_words(blog: Mapping[str, Any]) -> str:
    """The blog's day as people say it: "Monday 7 December 2026"."""
    day = date.fromisoformat(blog["day"])
    return f"{day:%A} {day.day} {day:%B %Y}"


def _list(items: Iterable[str]) -> str:
    shown = "".join(f'<li style="{LI}">{html.escape(item)}</li>' for item in items)
    return (
        f'<ul style="{UL}">{shown}</ul>' if shown else f'<p style="{MUTED}">None.</p>'
    )


SEAL_TO_FOLLOW = (
    "The day is not closed yet: its seal (a signed checkpoint of the log) "
    "will follow by email when it is."
)


def footer_lines(blog: Mapping[str, Any], audience: str = WAR_ROOM) -> list[str]:
    stood_at = blog.get("stood_at")
    if stood_at:
        zone = ZoneInfo(blog.get("timezone") or "Europe/London")
        moment = datetime.fromisoformat(stood_at).astimezone(zone)
        when = f"{moment:%H:%M} on {moment:%A} {moment.day} {moment:%B}"
        lines = [f"Sent by the war room from its log, as it stood at {when}."]
    else:
        lines = ["Sent by the war room from its log."]
    lines += ["", *seal_lines(blog)] if blog.get("seal") else ["", SEAL_TO_FOLLOW]
    closed = blog.get("closed") or {}
    if closed.get("early_reason") and audience == WAR_ROOM:
        lines += [
            "",
            f"Closed before its last meeting ended, by {closed['by']}: "
            f"{closed['early_reason']}",
        ]
    return lines


def seal_lines(blog: Mapping[str, Any]) -> list[str]:
    """The seal with its heading, as the footer and the follow-up print it."""
    return ["The day's seal (a signed checkpoint of the log):", *_seal(blog["seal"])]


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
