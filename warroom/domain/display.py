"""A wall screen signed in as a device, not a person (issue 25).

The screen asks for a code (`web.device_codes`: kept beside the log, never in
it, since nobody is signed in yet); a lead or an admin types the code on
their own page and chooses the inspection: the display is approved. The
screen then collects its token, once: it is connected. The lead can
disconnect it, for good.

The display's id is derived from the hash of the screen's secret device
code, so the screen's poll finds its approval in one read; its token, like
a user's, is kept only as a hash, and `DisplayToken` finds the display by
that hash in one read. A display belongs to the organisation of whoever
approved it and may only read and stream its one inspection (`web.display`).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from warroom.domain.aggregate import Aggregate
from warroom.domain.base import Context, RuleBroken, derived_id

# The role a display signs in with: no person holds it, and no command takes it.
DISPLAY_ROLE = "display"


class Display(Aggregate):
    @staticmethod
    def create_id(device_code_sha256: str) -> UUID:
        return derived_id("display", device_code_sha256)

    @event("DisplayApproved")
    def __init__(
        self,
        device_code_sha256: str,
        inspection_id: str,
        organisation_id: str | None,
        name: str,
        meta: dict[str, Any],
    ) -> None:
        self.inspection_id = inspection_id
        self.organisation_id = organisation_id
        self.name = name
        self.connected = False
        self.disconnected = False

    def connect(self, ctx: Context) -> None:
        """The screen collected its token: only once, and never after it
        was disconnected."""
        if self.connected or self.disconnected:
            raise RuleBroken(
                "display_connected_once", "this code was already used to connect"
            )
        self._connected(meta=ctx.meta())

    def disconnect(self, ctx: Context) -> None:
        if self.disconnected:
            raise RuleBroken(
                "display_disconnected_once", "this wall screen is already disconnected"
            )
        self._disconnected(meta=ctx.meta())

    @property
    def signs_in(self) -> bool:
        return self.connected and not self.disconnected

    @event("DisplayConnected")
    def _connected(self, meta: dict[str, Any]) -> None:
        self.connected = True

    @event("DisplayDisconnected")
    def _disconnected(self, meta: dict[str, Any]) -> None:
        self.disconnected = True


class DisplayToken(Aggregate):
    """Finds a display by the hash of its token in one read."""

    @staticmethod
    def create_id(token_sha256: str) -> UUID:
        return derived_id("display-token", token_sha256)

    @event("DisplayTokenIssued")
    def __init__(
        self, token_sha256: str, display_id: str, meta: dict[str, Any]
    ) -> None:
        self.display_id = display_id
