"""Checking a receipt offline: the leaf is in the log the verifier key signed.

A receipt is `{"leaf": base64 leaf bytes, "index", "inclusion": {"index",
"size", "hashes": [hex...]}, "checkpoint": signed note}`. It proves one event
(a release: its document's SHA-256, the inspector, the time) is in the signed
log without showing any other entry.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from warroom.evidence import merkle
from warroom.evidence.notes import Checkpoint, NoteError, Verifier


class BadReceipt(ValueError):
    pass


def verify_receipt(receipt: Mapping[str, Any], verifier: Verifier) -> dict[str, Any]:
    """The event the receipt proves, if the proof holds; BadReceipt if not."""
    try:
        checkpoint = Checkpoint.verified(receipt["checkpoint"], verifier)
        leaf = base64.b64decode(receipt["leaf"], validate=True)
        proof = receipt["inclusion"]
        index, size = int(proof["index"]), int(proof["size"])
        hashes = [bytes.fromhex(h) for h in proof["hashes"]]
    except NoteError as error:
        raise BadReceipt(f"the checkpoint: {error}") from None
    except (KeyError, TypeError, ValueError, binascii.Error) as error:
        raise BadReceipt(f"not a receipt: {error!r}") from None
    if int(receipt.get("index", index)) != index or size != checkpoint.size:
        raise BadReceipt("the proof is not of the checkpoint's tree")
    if not merkle.verify_inclusion(
        merkle.leaf_hash(leaf), index, size, hashes, checkpoint.root
    ):
        raise BadReceipt("the inclusion proof does not lead to the signed root")
    try:
        event: dict[str, Any] = json.loads(leaf)
    except ValueError:
        raise BadReceipt("the leaf is not JSON") from None
    return event
