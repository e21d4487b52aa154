"""A push service for the tests: a real HTTP server that takes Web Push
messages as Mozilla's, Google's or Apple's would, and a browser's side of a
subscription (its key pair and auth secret), to decrypt what arrives.

Every message is checked as a push service checks it: the VAPID JWT (RFC 8292)
signed ES256 by the key the war room publishes, for this service's origin,
not expired; then decrypted (RFC 8291, aes128gcm) with the subscription's
private key and secret, as the browser would.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Browser:
    """One browser's subscription: its endpoint, key pair and secret."""

    endpoint: str
    private: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: os.urandom(16))

    def subscription(self) -> dict[str, Any]:
        point = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> dict[str, Any]:
        plain = http_ece.decrypt(
            body,
            private_key=self.private,
            auth_secret=self.auth,
            version="aes128gcm",
        )
        told: dict[str, Any] = json.loads(plain)
        return told


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """Answers 201 to every message, or what `answers` holds for a path (a
    list: one answer per message, the last one kept)."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.answers: dict[str, list[int]] = {}
        self._changed = threading.Condition()
        self.base = ""

    def browser(self, name: str) -> Browser:
        return Browser(f"{self.base}/push/{name}")

    def answer(self, path: str) -> int:
        with self._changed:
            planned = self.answers.get(path)
            if not planned:
                return 201
            return planned.pop(0) if len(planned) > 1 else planned[0]

    def take(self, received: Received) -> None:
        with self._changed:
            self.received.append(received)
            self._changed.notify_all()

    def to(self, browser: Browser) -> list[Received]:
        path = browser.endpoint.removeprefix(self.base)
        with self._changed:
            return [r for r in self.received if r.path == path]

    def wait_for(self, browser: Browser, count: int, timeout: float = 20.0) -> bool:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.to_unlocked(browser)) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._changed.wait(left)
        return True

    def to_unlocked(self, browser: Browser) -> list[Received]:
        path = browser.endpoint.removeprefix(self.base)
        return [r for r in self.received if r.path == path]


def _handler(service: PushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            status = service.answer(self.path)
            service.take(
                Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()}, body
                )
            )
            self.send_response(status)
            if (
                300 <= status < 400
            ):  # a push service never does: it must not be followed
                self.send_header("Location", f"{service.base}/push/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def push_service() -> Iterator[PushService]:
    service = PushService()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(service))
    service.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def check_vapid(received: Received, server_key: str, origin: str) -> dict[str, Any]:
    """The JWT's claims, once its ES256 signature checks out against the
    war room's published key, for this origin, not expired; else AssertionError."""
    scheme, _, params = received.headers["authorization"].partition(" ")
    assert scheme == "vapid", received.headers["authorization"]
    fields = dict(p.strip().split("=", 1) for p in params.split(","))
    assert fields["k"] == server_key  # the key it says it signed with
    header_b64, claims_b64, signature_b64 = fields["t"].split(".")
    header = json.loads(unb64url(header_b64))
    assert header["alg"] == "ES256"
    signature = unb64url(signature_b64)
    assert len(signature) == 64
    der = encode_dss_signature(
        int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    )
    public = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), unb64url(server_key)
    )
    # Raises InvalidSignature unless the war room's key signed it.
    public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    claims: dict[str, Any] = json.loads(unb64url(claims_b64))
    assert claims["aud"] == origin
    assert claims["exp"] > time.time()
    assert claims["exp"] <= time.time() + 24 * 60 * 60  # RFC 8292: at most a day
    assert claims["sub"].startswith(("mailto:", "https:"))
    assert received.headers["content-encoding"] == "aes128gcm"
    assert int(received.headers["ttl"]) > 0
    return claims
