"""Stored events turned straight into `LoggedEvent`s: see `warroom.decoding`,
shared with the Merkle tree's leaves."""

from __future__ import annotations

from warroom.decoding import logged_event

__all__ = ["logged_event"]
