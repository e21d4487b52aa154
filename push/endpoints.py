"""Which push services the server may call, and what a subscription must hold.

A subscription names the address the server will POST to: taken from anyone
signed in, so it is checked against `WARROOM_PUSH_ALLOWED` before anything is
stored. Prefixes are compared as parsed URLs (scheme, host, port, then the
path's start), never as bare strings, so `https://fcm.googleapis.com.evil/`
or `https://fcm.googleapis.com@evil/` match nothing. `https://*.host/` takes
any name below `host` (Windows gives each device a host of its own under
notify.windows.com).
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec

from push.keys import b64url_decode

# Browsers' endpoints are a few hundred characters.
ENDPOINT_MOST = 2000


@dataclass(frozen=True)
class Prefix:
    scheme: str
    host: str  # lower case; without the `*.` of a wildcard
    any_below: bool
    port: int
    path: str

    @classmethod
    def parse(cls, text: str) -> Prefix:
        wildcard = "://*." in text
        parts = _split(text.replace("://*.", "://", 1))
        if parts is None or parts.hostname is None:
            raise ValueError(f"WARROOM_PUSH_ALLOWED: {text!r} is not a URL prefix")
        return cls(
            scheme=parts.scheme,
            host=parts.hostname,
            any_below=wildcard,
            port=_port(parts),
            path=parts.path or "/",
        )

    def takes(self, url: SplitResult) -> bool:
        host = url.hostname or ""
        host_ok = (
            host.endswith("." + self.host) if self.any_below else host == self.host
        )
        return (
            url.scheme == self.scheme
            and host_ok
            and _port(url) == self.port
            and (url.path or "/").startswith(self.path)
        )


def allowed(setting: str) -> list[Prefix]:
    return [Prefix.parse(p.strip()) for p in setting.split(",") if p.strip()]


class Refused(ValueError):
    """A subscription the server will not store: `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_endpoint(endpoint: str, prefixes: list[Prefix]) -> None:
    url = _split(endpoint) if len(endpoint) <= ENDPOINT_MOST else None
    if url is None or url.username is not None or url.password is not None:
        raise Refused("endpoint", "this is not a push service's address")
    if url.fragment or not any(p.takes(url) for p in prefixes):
        raise Refused(
            "endpoint",
            "this server does not send to that push service; ask the war room's "
            "administrator to add it to the services it trusts",
        )


def check_keys(p256dh: str, auth: str) -> None:
    """A P-256 public point (65 bytes, uncompressed) and a 16-byte secret."""
    try:
        point = b64url_decode(p256dh)
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
        if len(point) != 65:
            raise ValueError("not an uncompressed point")
    except (ValueError, binascii.Error):
        raise Refused("keys.p256dh", "the device's key is not a P-256 key") from None
    try:
        secret = b64url_decode(auth)
    except (ValueError, binascii.Error):
        secret = b""
    if len(secret) != 16:
        raise Refused("keys.auth", "the device's secret is not 16 bytes")


def _split(text: str) -> SplitResult | None:
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (a bad port raises here)
    except ValueError:
        return None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return None
    return parts


def _port(url: SplitResult) -> int:
    return url.port or (443 if url.scheme == "https" else 80)
