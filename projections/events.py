"""The log as read models, the events API and the live stream see it.

The `LoggedEvent` lives in `warroom.logged`, below every layer, because the
Merkle tree's leaves are its canonical JSON (`warroom.evidence.leaf`): one
definition, so `/events` and the leaves cannot disagree.
"""

from __future__ import annotations

from warroom.logged import INTERNAL_TYPES, LoggedEvent

__all__ = ["INTERNAL_TYPES", "LoggedEvent"]
