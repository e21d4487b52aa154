"""Sending a day's blog: claim it, compose it, deliver it (retrying with
backoff), and record what became of it, as events.

Two ways in: `warroom blog send` (the command line), and the server itself at
`WARROOM_BLOG_SEND_AT` in each inspection's zone, for today's blog of every
inspection with someone on its distribution list. The claim (see
`commands.blog_sends`) makes the server's send go out once however many
server processes run; the sending itself (smtplib, which blocks) runs on a
worker thread, never on the event loop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as time_of_day
from email.message import EmailMessage
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from commands import blog_sends
from mail.blog_email import Envelope, compose, compose_seal
from projections.follower import inspection_events
from projections.server import Server
from projections.views import InspectionViews, Views
from warroom.application import WarRoom
from warroom.config import Settings
from warroom.domain.base import Context
from warroom.domain.distribution import Listed
from warroom.mail import Delivery, MailError, Transport, transport

log = logging.getLogger(__name__)

# The blog as the email tells it (its read, plus the position it is true at),
# and the inspection's title.
BlogRead = Callable[[], tuple[Mapping[str, Any], str]]


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent" or "failed"; "skipped" when another process has it
    attempt: int = 0
    message_id: str | None = None
    reason: str | None = None
    recipients: list[str] = field(default_factory=list)
    outbox_file: str | None = None
    # Each recipient's own message: {email, audience, message_id, outbox_file}.
    messages: list[dict[str, Any]] = field(default_factory=list)


class Undelivered(Exception):
    def __init__(self, reason: str, tries: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.tries = tries


@dataclass
class Mailer:
    app: WarRoom
    settings: Settings
    transport: Transport
    sleep: Callable[[float], None] = time.sleep
    # The page's address for the emails' link (WARROOM_PUBLIC_URL, or the
    # address a request from the page came to); None: no link.
    page_url: str | None = None

    @classmethod
    def of(
        cls, app: WarRoom, settings: Settings, page_url: str | None = None
    ) -> Mailer:
        return cls(
            app,
            settings,
            transport(settings),
            page_url=page_url or public_url(settings),
        )

    def envelope(
        self, to: Listed, title: str, inspection_id: str, attempt: int, at: datetime
    ) -> Envelope:
        """One recipient's own message: their audience's copy, their meetings."""
        return Envelope(
            mail_from=self.settings.mail_from,
            recipients=[to.email],
            bcc=self.settings.mail_bcc,
            inspection_id=inspection_id,
            inspection_title=title,
            attempt=attempt,
            audience=to.audience,
            recipient_name=to.name,
            page_url=self.page_url,
            at=at,
        )

    def send(
        self,
        ctx: Context,
        day: date,
        read: BlogRead,
        *,
        again: bool = False,
        scheduled: bool = False,
    ) -> Outcome:
        """Claims the day's next attempt and sends each recipient their copy;
        RuleBroken if the day was sent already (and not `again`) or has no
        one to go to."""
        claim = blog_sends.claim(
            self.app,
            ctx,
            ctx.inspection_id,
            day.isoformat(),
            again=again,
            scheduled=scheduled,
        )
        if claim is None:
            return Outcome("skipped")
        send = claim.send
        try:
            blog, title = read()
            now = datetime.now(UTC)
            messages = [
                (
                    to,
                    compose(
                        blog,
                        self.envelope(to, title, ctx.inspection_id, send.attempt, now),
                    ),
                )
                for to in claim.listed
            ]
        except Exception as error:  # the claim must not be left hanging
            log.exception("the blog for %s could not be composed", day)
            reason = f"the email could not be composed ({type(error).__name__})"
            blog_sends.record_failed(self.app, ctx, send, reason=reason, tries=0)
            return Outcome("failed", send.attempt, reason=reason)
        went: list[dict[str, Any]] = []
        via, tries = "", 0
        for to, message in messages:
            try:
                delivery, tries = self.deliver(message, to.email, day, ctx)
            except Undelivered as failure:
                reason = failure.reason
                if len(messages) > 1:
                    reason = f"to {to.email}: {reason}"
                blog_sends.record_failed(
                    self.app, ctx, send, reason=reason, tries=failure.tries
                )
                return Outcome("failed", send.attempt, reason=reason, messages=went)
            via = delivery.via
            message_id = str(message["Message-ID"])
            blog_sends.record_delivered(
                self.app,
                ctx,
                send,
                to=to,
                message_id=message_id,
                outbox_file=delivery.outbox_file,
                sealed=bool(blog.get("seal")),
                tries=tries,
            )
            went.append(
                {
                    "email": to.email,
                    "audience": to.audience,
                    "message_id": message_id,
                    "outbox_file": delivery.outbox_file,
                }
            )
        last = went[-1]
        blog_sends.record_sent(
            self.app,
            ctx,
            send,
            message_id=last["message_id"],
            recipients=claim.recipients,
            via=via,
            outbox_file=last["outbox_file"],
            tries=tries,
        )
        return Outcome(
            "sent",
            send.attempt,
            message_id=last["message_id"],
            recipients=claim.recipients,
            outbox_file=last["outbox_file"],
            messages=went,
        )

    def deliver(
        self, message: EmailMessage, address: str, day: date, ctx: Context
    ) -> tuple[Delivery, int]:
        """One message, tried again after a pause that doubles; Undelivered
        after the last try."""
        tries, pause = 0, self.settings.mail_retry_seconds
        while True:
            tries += 1
            try:
                return self.transport.deliver(message, [address]), tries
            except (MailError, OSError) as error:
                reason = error.reason if isinstance(error, MailError) else str(error)
            log.warning(
                "the blog for %s (inspection %s) did not go, try %d of %d: %s",
                day,
                ctx.inspection_id,
                tries,
                self.settings.mail_retries + 1,
                reason,
            )
            if tries > self.settings.mail_retries:
                raise Undelivered(reason, tries)
            self.sleep(pause)
            pause *= 2

    def send_seal(self, ctx: Context, day: date, read: BlogRead) -> Outcome:
        """The closed day's seal, to those whose blog went out without it;
        once (a claim, as for the blog). Skipped when not owed or claimed."""
        claim = blog_sends.claim_seal(self.app, ctx, ctx.inspection_id, day.isoformat())
        if claim is None:
            return Outcome("skipped")
        went: list[dict[str, Any]] = []
        via = ""
        try:
            blog, title = read()
            if not blog.get("seal"):
                raise Undelivered("the day has no seal yet", 0)
            now = datetime.now(UTC)
            for to in claim.listed:
                message = compose_seal(
                    blog, self.envelope(to, title, ctx.inspection_id, 1, now)
                )
                delivery, _ = self.deliver(message, to.email, day, ctx)
                via = delivery.via
                went.append(
                    {
                        "email": to.email,
                        "message_id": str(message["Message-ID"]),
                        "outbox_file": delivery.outbox_file,
                    }
                )
        except Exception as error:  # the claim must not be left hanging
            failure = error if isinstance(error, Undelivered) else None
            reason = failure.reason if failure else type(error).__name__
            log.warning("the seal for %s did not go: %s", day, reason)
            blog_sends.record_seal_failed(
                self.app,
                ctx,
                claim.send,
                reason=reason,
                messages=went,
                tries=failure.tries if failure else 0,
            )
            return Outcome("failed", reason=reason, messages=went)
        blog_sends.record_seal_sent(self.app, ctx, claim.send, went, via)
        return Outcome(
            "sent",
            recipients=[m["email"] for m in went],
            messages=went,
            message_id=went[-1]["message_id"] if went else None,
        )


def public_url(settings: Settings) -> str | None:
    """The page's address as people reach it (WARROOM_PUBLIC_URL), if set."""
    url = settings.public_url.strip()
    return url.rstrip("/") + "/" if url else None


# --- the blog, read by the server or from the log ---------------------------


def blog_of(
    app: WarRoom,
    views: InspectionViews,
    inspection_id: str,
    day: date,
    position: int,
    stood_at: str | None = None,
) -> Mapping[str, Any]:
    """`stood_at`: when the log's newest entry read was written, which the
    email's footer names (a time, never a log position)."""
    return {
        **views.blog.render(day, views.inspector_names()),
        "position": position,
        "stood_at": stood_at,
        "seal": seal_of(app, inspection_id, day, position),
    }


def seal_of(app: WarRoom, inspection_id: str, day: date, position: int) -> str | None:
    """The day's seal (a signed checkpoint, C2SP signed note) once the log up
    to `position` includes its closing, as the blog read answers it."""
    sealed = [
        s.note
        for s in app.evidence.seals(inspection_id)
        if s.day == day.isoformat() and s.position <= position
    ]
    return str(sealed[0]) if sealed else None


def read_from_log(app: WarRoom, inspection_id: str, day: date) -> BlogRead:
    """For the command line: the inspection's read models folded from its log."""

    def read() -> tuple[Mapping[str, Any], str]:
        views = Views()
        for event in inspection_events(app, inspection_id):
            views.apply(event)
        inspection = views.inspections[inspection_id]
        blog = blog_of(
            app, inspection, inspection_id, day, views.position, views.recorded_at
        )
        return blog, inspection.inspection.render()["title"]

    return read


def read_from_server(state: Server, inspection_id: str, day: date) -> BlogRead:
    def read() -> tuple[Mapping[str, Any], str]:
        answer, _ = state.reader.ask(
            inspection_id,
            lambda i, v: (
                blog_of(state.app, i, inspection_id, day, v.position, v.recorded_at),
                i.inspection.render()["title"],
            ),
        )
        return answer

    return read


# --- the server's own send, at the hour --------------------------------------

SERVER_ACTOR = ("server", "the war room (daily send)")


def send_at(settings: Settings) -> time_of_day:
    return time_of_day.fromisoformat(settings.blog_send_at)


def _due(now: datetime, at: time_of_day, views: Views) -> list[tuple[str, date]]:
    return list(due(views, now, at))


def due(views: Views, now: datetime, at: time_of_day) -> Iterator[tuple[str, date]]:
    """Today's blog of each open inspection with a list, once its hour came,
    unless this process already saw it claimed (the claim checks the log)."""
    for inspection_id in views.open_inspection_ids():  # closed ones stay unloaded
        inspection = views.inspections[inspection_id]
        if not inspection.blog.recipients:
            continue
        summary = inspection.inspection.render()
        local = now.astimezone(ZoneInfo(summary["timezone"]))
        today = local.date()
        if (
            local.time() >= at
            and summary["phase"] != "closed"
            and date.fromisoformat(summary["starts_on"]) <= today
            and today.isoformat() not in inspection.blog.sends
        ):
            yield inspection_id, today


async def send_at_the_hour(state: Server) -> None:
    """Runs while the server does: looks every so often for a blog due."""
    settings = state.settings
    at = send_at(settings)
    mailer = Mailer.of(state.app, settings)
    while True:
        try:
            now = datetime.now(UTC)
            for inspection_id, day in state.read_side.read(partial(_due, now, at)):
                ctx = Context(
                    *SERVER_ACTOR, occurred_at=now, inspection_id=inspection_id
                )
                read = read_from_server(state, inspection_id, day)
                outcome = await asyncio.to_thread(
                    mailer.send, ctx, day, read, scheduled=True
                )
                log.info(
                    "the blog for %s (inspection %s): %s",
                    day,
                    inspection_id,
                    outcome.status,
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad round must not end the daily send
            log.exception("the daily blog send failed this round")
        await asyncio.sleep(settings.blog_send_check_seconds)


# --- the day's seal, after the evening's closing (issue 24) -------------------

SEAL_ACTOR = ("server", "the war room (the day's seal)")


def seals_due(views: Views) -> list[tuple[str, date]]:
    """Each open inspection's closed days whose blog went out without the seal,
    in the inspections this process holds: looking never loads one (the day is
    closed through a process that holds its inspection; after a restart, the
    seal goes once something reads it)."""
    return [
        (inspection_id, date.fromisoformat(day))
        for inspection_id, inspection in views.held_open_inspections()
        for day in inspection.blog.seal_due()
    ]


async def send_seals(state: Server) -> None:
    """Runs while the server does: a day closed after its blog went out gets
    its seal by email, once across every server process."""
    mailer = Mailer.of(state.app, state.settings)
    while True:
        try:
            for inspection_id, day in state.read_side.read(seals_due):
                ctx = Context(
                    *SEAL_ACTOR,
                    occurred_at=datetime.now(UTC),
                    inspection_id=inspection_id,
                )
                read = read_from_server(state, inspection_id, day)
                outcome = await asyncio.to_thread(mailer.send_seal, ctx, day, read)
                log.info(
                    "the seal for %s (inspection %s): %s",
                    day,
                    inspection_id,
                    outcome.status,
                )
        except asyncio.CancelledError:
            raise
        except Exception:  # one bad round must not end the seals
            log.exception("sending the day's seal failed this round")
        await asyncio.sleep(state.settings.blog_send_check_seconds)


def start_seals(state: Server) -> asyncio.Task[None]:
    return asyncio.create_task(send_seals(state), name="blog-seal-after-closing")


def start(state: Server) -> asyncio.Task[None] | None:
    """The server's own send; none with WARROOM_BLOG_SEND_AT=off."""
    if state.settings.blog_send_at.strip().lower() in ("", "off"):
        return None
    return asyncio.create_task(send_at_the_hour(state), name="blog-send-at-the-hour")
