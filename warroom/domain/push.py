"""Notifications on a person's phone (Web Push): the devices they asked to be
told on, and each notification's claim and fate.

`PushDevices` is one per user (its id derived from theirs), so the devices of
a person are found in one read. A device's address and keys (`endpoint`,
`p256dh`, `auth`) are the person's secrets: these events hold them only
sealed (AES-GCM, under a key only the server holds: `push.keys`), so an
organisation's export, which its auditor may download, holds ciphertext;
and the events belong to no inspection (no `inspection_id`), so no
inspection's events, stream, blog or read model shows even that.

`PushNotice` is one notification to one device: its id is derived from what
it tells (`key`) and the device, so two server processes that both see the
same change both try to save the claim, and the second fails on the
library's optimistic concurrency and sends nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, NotFound, derived_id

# What a claim may be left in, and what it ends in.
SENDING, SENT, FAILED = "sending", "sent", "failed"


class PushDevices(Aggregate):
    @staticmethod
    def create_id(user_id: str) -> UUID:
        return derived_id("push-devices", user_id)

    @event("PushDevicesStarted")
    def __init__(self, user_id: str, meta: dict[str, Any]) -> None:
        self.user_id = user_id
        # By the subscription's id: {"endpoint_tag", "keys_tag", "sealed"}.
        self.devices: dict[str, dict[str, str]] = {}

    def subscribe(
        self,
        subscription_id: str,
        endpoint_tag: str,
        keys_tag: str,
        sealed: str,
        ctx: Context,
    ) -> str:
        """The subscription's id. The device's address and keys come sealed
        (only the server opens them), with a tag of each that tells the same
        one again: an address already held with the same keys keeps its id
        and records nothing new; with new keys, it replaces the old one."""
        for held_id, held in list(self.devices.items()):
            if held["endpoint_tag"] != endpoint_tag:
                continue
            if held["keys_tag"] == keys_tag:
                return held_id
            self._unsubscribed(subscription_id=held_id, meta=ctx.meta())
        self._subscribed(
            subscription_id=subscription_id,
            endpoint_tag=endpoint_tag,
            keys_tag=keys_tag,
            sealed=sealed,
            meta=ctx.meta(),
        )
        return subscription_id

    def unsubscribe(self, subscription_id: str, ctx: Context) -> None:
        self._require_held(subscription_id)
        self._unsubscribed(subscription_id=subscription_id, meta=ctx.meta())

    def drop(self, subscription_id: str, status: int, ctx: Context) -> None:
        """The push service said the device is gone (404 or 410)."""
        self._require_held(subscription_id)
        self._dropped(subscription_id=subscription_id, status=status, meta=ctx.meta())

    def _require_held(self, subscription_id: str) -> None:
        if subscription_id not in self.devices:
            raise NotFound(f"no device with id {subscription_id}")

    @event("PushSubscribed")
    def _subscribed(
        self,
        subscription_id: str,
        endpoint_tag: str,
        keys_tag: str,
        sealed: str,
        meta: dict[str, Any],
    ) -> None:
        self.devices[subscription_id] = {
            "endpoint_tag": endpoint_tag,
            "keys_tag": keys_tag,
            "sealed": sealed,
        }

    @event("PushUnsubscribed")
    def _unsubscribed(self, subscription_id: str, meta: dict[str, Any]) -> None:
        self.devices.pop(subscription_id, None)

    @event("PushSubscriptionDropped")
    def _dropped(self, subscription_id: str, status: int, meta: dict[str, Any]) -> None:
        self.devices.pop(subscription_id, None)


class PushNotice(Aggregate):
    @staticmethod
    def create_id(key: str, subscription_id: str) -> UUID:
        return derived_id("push-notice", key, subscription_id)

    @event("PushClaimed")
    def __init__(
        self,
        key: str,
        user_id: str,
        subscription_id: str,
        title: str,
        body: str,
        url: str,
        meta: dict[str, Any],
    ) -> None:
        self.key = key
        self.user_id = user_id
        self.subscription_id = subscription_id
        self.status = SENDING

    def sent(self, status: int, tries: int, ctx: Context) -> None:
        self._sent(status=status, tries=tries, meta=ctx.meta())

    def failed(self, reason: str, status: int | None, tries: int, ctx: Context) -> None:
        self._failed(reason=reason, status=status, tries=tries, meta=ctx.meta())

    @event("PushSent")
    def _sent(self, status: int, tries: int, meta: dict[str, Any]) -> None:
        self.status = SENT

    @event("PushFailed")
    def _failed(
        self, reason: str, status: int | None, tries: int, meta: dict[str, Any]
    ) -> None:
        self.status = FAILED
