"""Sending one notification to one device: claimed, encrypted (RFC 8291,
aes128gcm), signed (VAPID, RFC 8292), posted, retried with backoff, and its
fate recorded; a device the push service says is gone (404, 410) is dropped.

Blocking (requests): runs on the notifier's threads, never the event loop.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPushException, webpush

from commands import push
from commands.push import Notice
from push.endpoints import Prefix, check_endpoint
from push.keys import OpenDevice
from warroom.application import WarRoom
from warroom.config import Settings

log = logging.getLogger(__name__)

# The push service forgot the device: it was unsubscribed, or expired.
GONE = frozenset({404, 410})
# Worth trying again: throttled, or the service is unwell.
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


class NoRedirects(requests.Session):
    """A push service never redirects: following one would let it send the
    server to an address nobody allowed."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


@dataclass
class Sender:
    app: WarRoom
    settings: Settings
    key: ec.EllipticCurvePrivateKey
    allowed: list[Prefix]
    session: requests.Session = field(default_factory=NoRedirects)
    # Set when the server stops: a notice waiting to be tried again ends.
    stopping: threading.Event = field(default_factory=threading.Event)

    def payload(self, notice: Notice) -> str:
        return json.dumps(
            {"title": notice.title, "body": notice.body, "url": notice.url},
            ensure_ascii=False,
        )

    def send(self, notice: Notice, device: OpenDevice) -> str:
        """ "sent", "failed", "dropped" or "skipped" (claimed by another)."""
        # The allowed services may have changed since it subscribed.
        check_endpoint(device.endpoint, self.allowed)
        claimed = push.claim(self.app, notice, device.id)
        if claimed is None:
            return "skipped"
        tries, pause = 0, self.settings.push_retry_seconds
        while True:
            tries += 1
            status, reason = self._post(notice, device)
            if status is not None and 200 <= status < 300:
                push.record_sent(self.app, notice, claimed, status, tries)
                return "sent"
            if status in GONE:
                push.record_failed(
                    self.app, notice, claimed, reason=reason, status=status, tries=tries
                )
                push.drop(self.app, device.user_id, device.id, status)
                return "dropped"
            transient = status is None or status in TRANSIENT
            if not transient or tries > self.settings.push_retries:
                push.record_failed(
                    self.app, notice, claimed, reason=reason, status=status, tries=tries
                )
                return "failed"
            log.warning("a notification did not go (try %d): %s", tries, reason)
            if self.stopping.wait(pause):
                push.record_failed(
                    self.app,
                    notice,
                    claimed,
                    reason=f"{reason}; the server stopped before it tried again",
                    status=status,
                    tries=tries,
                )
                return "failed"
            pause *= 2

    def _post(self, notice: Notice, device: OpenDevice) -> tuple[int | None, str]:
        url = urlsplit(device.endpoint)
        claims: dict[str, str | int] = {
            "sub": self.settings.vapid_subject,
            "aud": f"{url.scheme}://{url.netloc}",
            "exp": int(time.time()) + 12 * 60 * 60,
        }
        try:
            response = webpush(
                {
                    "endpoint": device.endpoint,
                    "keys": {"p256dh": device.p256dh, "auth": device.auth},
                },
                data=self.payload(notice),
                vapid_private_key=Vapid02(private_key=self.key),
                vapid_claims=claims,
                content_encoding="aes128gcm",
                timeout=self.settings.push_timeout_seconds,
                ttl=self.settings.push_ttl_seconds,
                headers={"Urgency": "high"},
                requests_session=self.session,
            )
        except WebPushException as error:
            status = error.response.status_code if error.response is not None else None
            return status, f"the push service answered {status}"
        except (requests.RequestException, OSError) as error:
            return (
                None,
                f"the push service could not be reached ({type(error).__name__})",
            )
        return int(response.status_code), ""
