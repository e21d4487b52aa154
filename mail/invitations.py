"""Meeting invitations by email (issue 24): each change to a meeting reaches
the council attendees it affects as an iTIP message (RFC 5546) by email (RFC
6047), which their calendar program applies by itself.

Every server process looks, every `WARROOM_INVITE_CHECK_SECONDS`, at its live
read models for a person's changes not yet told whose first is at least
`WARROOM_INVITE_DELAY_SECONDS` old (`projections.invitations`): the changes
made within that delay go as one message. It claims the invitation as an
event (`commands.invitation_sends`: another process claiming the same one
fails, and sends nothing), composes it from the meeting as the read models
hold it, delivers it on a worker thread (SMTP, or the outbox folder; refused
or unreachable: tried again, the pause doubled each time) and records what
became of it. Replays never send (they are other read models); nor do
changes at or before the quiet position (`warroom.quiet`): what `warroom
import` or the demo brought in.

Attendees are people by name, as agendas are: one is told when a user of the
inspection's organisation holds that name and has an email address.
"""

from __future__ import annotations

import asyncio
import email.policy
import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses
from functools import partial
from zoneinfo import ZoneInfo

from commands import invitation_sends
from projections.schedule import MeetingRecord
from projections.server import Server
from projections.views import Views
from rendering import calendar
from warroom.application import WarRoom
from warroom.config import Settings
from warroom.domain.base import Context
from warroom.domain.invitation import CANCEL, REQUEST
from warroom.domain.user_name import same_name
from warroom.mail import MailError, Transport, transport
from warroom.quiet import quiet_position
from warroom.text import one_line, printable

log = logging.getLogger(__name__)

SERVER_ACTOR = ("server", "the war room (invitations)")
POLICY = email.policy.default.clone(max_line_length=998)
# A position no change is after: a person without an address is told nothing.
NEVER = 2**63 - 1


@dataclass(frozen=True)
class Due:
    """One invitation to send, and all it is made from."""

    inspection_id: str
    inspection_title: str
    timezone: str
    inspector_names: dict[str, str]
    meeting: MeetingRecord
    person: str
    user_id: str
    address: str
    number: int
    sequence: int
    method: str
    changes: list[str]


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "failed", or "skipped" (another process has it)
    message_id: str | None = None
    outbox_file: str | None = None
    reason: str | None = None


def due(
    views: Views,
    now: datetime,
    delay: timedelta,
    quiet: int,
    abandoned_after: timedelta = timedelta(minutes=15),
) -> list[Due]:
    """Every invitation to send now, in the inspections not closed whose read
    models this process holds: looking never loads one (a change is made
    through a process that holds its inspection, as its commands read it)."""
    found: list[Due] = []
    for inspection_id, inspection in views.held_open_inspections():
        organisation = views.organisation_of(
            views.inspection_organisations.get(inspection_id)
        )
        addresses = {
            same_name(u["name"]): (u["id"], email, u.get("email_since") or 0)
            for u in views.users_of(organisation)
            if (email := u.get("email"))
        }

        after = partial(_told_after, addresses, quiet)
        summary = inspection.inspection.render()
        for d in inspection.invitations.due(now, delay, after, abandoned_after):
            holder = addresses.get(same_name(d["person"]))
            meeting = inspection.schedule.meetings.get(d["meeting_id"])
            if holder is None or meeting is None:
                continue
            user_id, address, _ = holder
            attending = d["person"] in meeting["attendees"] and not meeting["cancelled"]
            found.append(
                Due(
                    inspection_id=inspection_id,
                    inspection_title=summary["title"],
                    timezone=summary["timezone"],
                    inspector_names=inspection.inspector_names(),
                    meeting=meeting,
                    person=d["person"],
                    user_id=user_id,
                    address=address,
                    number=d["number"],
                    sequence=d["sequence"],
                    method=REQUEST if attending else CANCEL,
                    changes=d["changes"],
                )
            )
    return found


def _told_after(
    addresses: dict[str, tuple[str, str, int]], quiet: int, person: str
) -> int:
    """Nothing for a person without an address; for one with, what changed
    after they had it (and after the quiet position)."""
    holder = addresses.get(same_name(person))
    return NEVER if holder is None else max(quiet, holder[2])


def compose(invite: Due, mail_from: str) -> EmailMessage:
    """The email: a line of words, and the iTIP message as `text/calendar`
    with its method (RFC 6047), which calendar programs act on."""
    [(organizer_name, organizer_address)] = getaddresses([mail_from])
    meeting = invite.meeting
    feed = calendar.Feed(
        invite.inspection_title, invite.timezone, invite.inspector_names
    )
    ics = calendar.invitation(
        feed,
        meeting,
        invite.method,
        calendar.Invitee(
            name=invite.person,
            address=invite.address,
            organizer_name=organizer_name or "War room",
            organizer_address=organizer_address or "warroom@localhost",
        ),
    )
    title = one_line(meeting["title"])
    message = EmailMessage(policy=POLICY)
    message["Subject"] = f"{_headline(invite)}: {title}"
    message["From"] = mail_from
    message["To"] = invite.address
    message["Date"] = format_datetime(datetime.now(UTC))
    domain = organizer_address.rpartition("@")[2] or "localhost"
    message["Message-ID"] = (
        f"<invitation.{meeting['id']}.{invite.number}.{secrets.token_hex(6)}@{domain}>"
    )
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(printable(_words(invite)))
    message.add_alternative(
        ics.decode(), subtype="calendar", params={"method": invite.method}
    )
    # The same, as a file for mail programs that show no calendar part.
    message.add_attachment(
        ics,
        maintype="application",
        subtype="ics",
        filename="invite.ics",
    )
    return message


def _headline(invite: Due) -> str:
    if invite.method == CANCEL:
        return "Cancelled" if invite.meeting["cancelled"] else "You are no longer at"
    if invite.changes == ["scheduled"] or invite.changes == ["added"]:
        return "Invitation"
    return "Changed"


CHANGE_WORDS = {
    "scheduled": "it was arranged",
    "time": "its time changed",
    "room": "its room changed",
    "cancelled": "it was cancelled",
    "added": "you were added to it",
    "removed": "you were taken off it",
}


def _words(invite: Due) -> str:
    m = invite.meeting
    zone = ZoneInfo(invite.timezone)
    starts = datetime.fromisoformat(m["starts_at"]).astimezone(zone)
    ends = datetime.fromisoformat(m["ends_at"]).astimezone(zone)
    what = [CHANGE_WORDS[c] for c in invite.changes if c in CHANGE_WORDS]
    lines = [
        f"{invite.inspection_title}: {m['title']}",
        f"When: {starts:%A %-d %B %Y, %H:%M}-{ends:%H:%M}",
        f"Where: {m['venue']}",
        "",
        f"Since you were last told: {', '.join(what) or 'details changed'}.",
    ]
    if invite.method == CANCEL:
        lines.append("Your calendar will cross it out when you open this message.")
    else:
        lines.append("Your calendar will show it as it now stands.")
    return "\n".join(lines) + "\n"


@dataclass
class Inviter:
    app: WarRoom
    settings: Settings
    transport: Transport
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def of(cls, app: WarRoom, settings: Settings) -> Inviter:
        return cls(app, settings, transport(settings))

    def send(self, invite: Due) -> Outcome:
        """Claims the invitation, then delivers it and records its fate."""
        ctx = Context(
            *SERVER_ACTOR,
            occurred_at=datetime.now(UTC),
            inspection_id=invite.inspection_id,
        )
        claimed = invitation_sends.claim(
            self.app,
            ctx,
            meeting_id=invite.meeting["id"],
            person=invite.person,
            user_id=invite.user_id,
            number=invite.number,
            method=invite.method,
            sequence=invite.sequence,
            changes=invite.changes,
        )
        if claimed is None:
            return Outcome("skipped")
        try:
            message = compose(invite, self.settings.mail_from)
        except Exception as error:  # the claim must not be left hanging
            log.exception("an invitation could not be composed")
            reason = f"the email could not be composed ({type(error).__name__})"
            invitation_sends.record_failed(
                self.app, ctx, claimed, reason=reason, tries=0
            )
            return Outcome("failed", reason=reason)
        tries, pause = 0, self.settings.mail_retry_seconds
        while True:
            tries += 1
            try:
                delivery = self.transport.deliver(message, [invite.address])
                break
            except (MailError, OSError) as error:
                reason = error.reason if isinstance(error, MailError) else str(error)
            log.warning(
                "an invitation to %s did not go, try %d of %d: %s",
                invite.person,
                tries,
                self.settings.mail_retries + 1,
                reason,
            )
            if tries > self.settings.mail_retries:
                invitation_sends.record_failed(
                    self.app, ctx, claimed, reason=reason, tries=tries
                )
                return Outcome("failed", reason=reason)
            self.sleep(pause)
            pause *= 2
        message_id = str(message["Message-ID"])
        invitation_sends.record_sent(
            self.app,
            ctx,
            claimed,
            message_id=message_id,
            via=delivery.via,
            outbox_file=delivery.outbox_file,
            tries=tries,
        )
        return Outcome("sent", message_id, delivery.outbox_file)

    def round(self, state: Server) -> list[Outcome]:
        """Sends every invitation due now (blocking: run on a worker thread)."""
        now = datetime.now(UTC)
        delay = timedelta(seconds=self.settings.invite_delay_seconds)
        quiet = quiet_position(self.app)
        abandoned = timedelta(seconds=self.settings.invite_abandoned_seconds)
        found = state.read_side.read(
            partial(due, now=now, delay=delay, quiet=quiet, abandoned_after=abandoned)
        )
        outcomes = []
        for invite in found:
            outcome = self.send(invite)
            outcomes.append(outcome)
            log.info(
                "invitation %d to %s about meeting %s: %s",
                invite.number,
                invite.person,
                invite.meeting["id"],
                outcome.status,
            )
        if found:
            # What this round claimed is folded in before the next one looks.
            state.reader.catch_up()
        return outcomes


async def send_as_changes_come(state: Server) -> None:
    """Runs while the server does."""
    inviter = Inviter.of(state.app, state.settings)
    while True:
        try:
            await asyncio.to_thread(inviter.round, state)
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad round must not end the sending
            log.exception("the invitations round failed")
        await asyncio.sleep(state.settings.invite_check_seconds)


def start(state: Server) -> asyncio.Task[None] | None:
    """The invitations' sender; none with WARROOM_INVITE_CHECK_SECONDS=0."""
    if state.settings.invite_check_seconds <= 0:
        return None
    return asyncio.create_task(send_as_changes_come(state), name="invitations")
