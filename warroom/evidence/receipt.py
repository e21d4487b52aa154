"""Checking a receipt offline: the leaf is in the log the verifier key signed.

A receipt is `{"leaf": base64 leaf bytes, "index", "inclusion": {"index",
"size", "hashes": [hex...]}, "checkpoint": signed note, "names": [{"leaf",
"index", "inclusion"}...]}`. It proves one event (a release: its document's
SHA-256, the inspector, the time) is in the signed log without showing any
other entry but those that name its inspector, actor and request
(`warroom.evidence.names`), each proven against the same checkpoint.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from warroom.evidence import merkle
from warroom.evidence.names import words
from warroom.evidence.notes import Checkpoint, NoteError, Verifier


class BadReceipt(ValueError):
    pass


def verify_receipt(receipt: Mapping[str, Any], verifier: Verifier) -> dict[str, Any]:
    """The event the receipt proves, if the proof holds; BadReceipt if not."""
    return verify_receipt_names(receipt, verifier)[0]


def verify_receipt_names(
    receipt: Mapping[str, Any], verifier: Verifier
) -> tuple[dict[str, Any], dict[str, str]]:
    """The event the receipt proves and what its names say of it (`to`,
    `by`, `request`: words, from leaves proven in the same signed tree);
    BadReceipt if the hand-over or any name does not hold."""
    try:
        checkpoint = Checkpoint.verified(receipt["checkpoint"], verifier)
    except NoteError as error:
        raise BadReceipt(f"the checkpoint: {error}") from None
    except (KeyError, TypeError) as error:
        raise BadReceipt(f"not a receipt: {error!r}") from None
    event = _proven(receipt, checkpoint, "the hand-over")
    if not isinstance(receipt.get("names", []), list):
        raise BadReceipt("not a receipt: its names are not a list")
    naming = [
        _proven(entry, checkpoint, f"name {n}")
        for n, entry in enumerate(receipt.get("names", []), 1)
    ]
    try:
        return event, words(event, naming)
    except (KeyError, ValueError) as error:
        raise BadReceipt(str(error)) from None


def _proven(entry: Any, checkpoint: Checkpoint, what: str) -> dict[str, Any]:
    """One leaf's JSON, if its inclusion proof leads to the checkpoint's root."""
    try:
        leaf = base64.b64decode(entry["leaf"], validate=True)
        proof = entry["inclusion"]
        index, size = int(proof["index"]), int(proof["size"])
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
        stated = int(entry.get("index", index))
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as error:
        raise BadReceipt(f"not a receipt ({what}): {error!r}") from None
    if stated != index or size != checkpoint.size:
        raise BadReceipt(f"{what}: the proof is not of the checkpoint's tree")
    if not merkle.verify_inclusion(
        merkle.leaf_hash(leaf), index, size, hashes, checkpoint.root
    ):
        raise BadReceipt(
            f"{what}: the inclusion proof does not lead to the signed root"
        )
    try:
        event: dict[str, Any] = json.loads(leaf)
    except ValueError:
        raise BadReceipt(f"{what}: the leaf is not JSON") from None
    if not isinstance(event, dict):
        raise BadReceipt(f"{what}: the leaf is not an event")
    return event
