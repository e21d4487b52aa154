"""A real SMTP server in the test process (aiosmtpd), on a free port."""

from __future__ import annotations

import email
import email.policy
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.servers import free_port


@dataclass
class Inbox:
    """What the server received; `answer` (e.g. "451 ...") refuses every DATA."""

    answer: str | None = None
    # The password it accepts; any other login is refused with 535.
    password: str | None = None
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    tries: int = 0
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries += 1
        if self.answer is not None:
            return self.answer
        message = email.message_from_bytes(
            envelope.content, policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.password.decode() == (
            self.password
        )
        return AuthResult(success=ok, handled=False)

    def env(self) -> dict[str, str]:
        """The war room's variables to send through this server."""
        return {
            "WARROOM_SMTP_HOST": "127.0.0.1",
            "WARROOM_SMTP_PORT": str(self.port),
            "WARROOM_SMTP_TLS": "none",
            "WARROOM_MAIL_FROM": "War room <warroom@council.example>",
            "WARROOM_MAIL_RETRY_SECONDS": "0.01",
        }


@contextmanager
def smtp_server(
    inbox: Inbox | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
) -> Iterator[Inbox]:
    """`starttls`: offers STARTTLS and requires it (and TLS before AUTH);
    `implicit_tls`: TLS from the first byte (port 465 style)."""
    inbox = inbox or Inbox()
    inbox.port = free_port()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=inbox.port,
        # (With implicit TLS aiosmtpd does not see the session as TLS: the
        # whole connection is, so AUTH is offered at once.)
        auth_require_tls=starttls is not None,
        authenticator=inbox.authenticate,
        tls_context=starttls,
        require_starttls=starttls is not None,
        ssl_context=implicit_tls,
    )
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key, made with openssl."""
    cert, key = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context
