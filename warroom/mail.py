"""Where an email goes: an SMTP server, or, with none set, the outbox folder.

The SMTP password is never put in a log or an error: a failure is told by its
kind and the server's answer, with anything that could carry the password
(the password itself, or the base64 an AUTH exchange sends it in) blanked.
"""

from __future__ import annotations

import base64
import os
import re
import smtplib
import socket
import ssl
import tempfile
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

from warroom.config import Database, Settings

DEFAULT_PORTS = {"none": 25, "starttls": 587, "tls": 465}


class MailError(Exception):
    """A message did not go; `reason` says why in words fit for the page."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Delivery:
    via: str  # "smtp" or "outbox"
    outbox_file: str | None = None


class Transport(Protocol):
    def deliver(self, message: EmailMessage, recipients: list[str]) -> Delivery: ...


@dataclass(frozen=True)
class Smtp:
    host: str
    port: int
    user: str
    password: str
    tls: str
    timeout: float
    ca_file: str = ""

    def deliver(self, message: EmailMessage, recipients: list[str]) -> Delivery:
        try:
            self._send(message, recipients)
        except (smtplib.SMTPException, OSError) as error:
            raise MailError(self._scrub(_describe(error))) from None
        return Delivery(via="smtp")

    def _send(self, message: EmailMessage, recipients: list[str]) -> None:
        context = ssl.create_default_context(cafile=self.ca_file or None)
        client: smtplib.SMTP
        if self.tls == "tls":
            client = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        with client:
            if self.tls == "starttls":
                client.starttls(context=context)
            if self.user:
                client.login(self.user, self.password)
            # Refused recipients (if some were accepted) are not a failure:
            # telling it as one would send it to everyone again.
            client.send_message(message, to_addrs=recipients)

    def _scrub(self, text: str) -> str:
        if not self.password:
            return text
        secrets = {
            self.password,
            _b64(self.password),
            _b64(f"\0{self.user}\0{self.password}"),
            _b64(f"{self.user}\0{self.user}\0{self.password}"),
        }
        for secret in sorted(secrets, key=len, reverse=True):
            text = text.replace(secret, "[password hidden]")
        return text


@dataclass(frozen=True)
class Outbox:
    """Each message as one .eml file, which any mail program opens."""

    folder: Path

    def deliver(self, message: EmailMessage, recipients: list[str]) -> Delivery:
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^A-Za-z0-9.@-]+", "-", str(message["Message-ID"]).strip("<>"))
        path = self.folder / f"{stem}.eml"
        # Written whole, then renamed: a mail program never opens half a file.
        fd, temporary = tempfile.mkstemp(dir=self.folder, suffix=".part")
        with os.fdopen(fd, "wb") as file:
            file.write(message.as_bytes())
        os.replace(temporary, path)
        return Delivery(via="outbox", outbox_file=path.name)


def transport(settings: Settings) -> Transport:
    """SMTP when a host is set; otherwise the outbox folder."""
    if settings.smtp_host:
        return Smtp(
            host=settings.smtp_host,
            port=settings.smtp_port or DEFAULT_PORTS[settings.smtp_tls],
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            tls=settings.smtp_tls,
            timeout=settings.smtp_timeout_seconds,
            ca_file=settings.smtp_ca_file,
        )
    return Outbox(outbox_folder(settings))


def outbox_folder(settings: Settings) -> Path:
    if settings.mail_dir:
        return Path(settings.mail_dir)
    database = Database.from_url(settings.database_url)
    if database.kind == "sqlite":
        return Path(database.sqlite_path).resolve().parent / "outbox"
    return Path("outbox").resolve()


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        answer = error.smtp_error
        text = answer.decode(errors="replace") if isinstance(answer, bytes) else answer
        return f"the mail server answered {error.smtp_code} {text}"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        refused = ", ".join(
            f"{address} ({code})" for address, (code, _) in error.recipients.items()
        )
        return f"the mail server refused every recipient: {refused}"
    if isinstance(error, socket.timeout | TimeoutError):
        return "the mail server did not answer in time"
    if isinstance(error, ConnectionRefusedError):
        return "the mail server refused the connection (is it running?)"
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"the mail server's certificate is not trusted ({error.verify_message}): "
            "set WARROOM_SMTP_CA_FILE to the CA that signed it"
        )
    if isinstance(error, ssl.SSLError):
        return f"TLS with the mail server failed: {error.reason or error}"
    return f"{type(error).__name__}: {error}"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()
