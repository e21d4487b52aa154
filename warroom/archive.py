"""`warroom export` and `warroom import`: the whole log in one zip file, and
back into an empty database, checked before anything is stored.

The file (format 1):
- `log.jsonl`: one line per event, in log order, each line exactly the event's
  leaf bytes (its canonical JSON, `warroom.evidence.leaf`): what the Merkle
  tree hashes, readable by anyone;
- `stored.jsonl`: the same events as the library stores them (position,
  aggregate id and version, topic, and the payload in clear, base64), so that
  an import re-creates each event exactly, at its own position, whatever class
  version it was stored at;
- `documents/<sha256>`: every stored document's bytes;
- `checkpoints/<inspection>/<day>.txt`: each closed day's signed checkpoint
  (the day's seal), and `checkpoints/head.txt`, one of the exported log's head
  when a signing key was configured;
- `manifest.json`: the format, the counts, the tree's size and root.

An import recomputes every leaf from `stored.jsonl` and compares it with
`log.jsonl`, the root of those leaves with the manifest's and with each
checkpoint's, and each document's SHA-256 with its name; given the verifier
key, it checks the checkpoints' signatures too. Any difference refuses the
whole file, and nothing is stored: the events, their leaves and the documents
go in one transaction, through the recorder, into a database that must be
empty. The payloads are in clear in the file: keep it as the database is kept.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, Notification, StoredEvent

from warroom.application import WarRoom
from warroom.decoding import logged_event
from warroom.evidence import merkle
from warroom.evidence.leaf import leaf_bytes
from warroom.evidence.notes import Checkpoint, NoteError, Signer, Verifier
from warroom.storage import Document

FORMAT = "warroom-export"
VERSION = 1
PAGE = 2000


class Refused(ValueError):
    """An import that would not give back the log it claims to hold."""


@dataclass
class Manifest:
    events: int = 0
    documents: int = 0
    root: bytes = merkle.EMPTY_ROOT
    first_position: int | None = None
    last_position: int | None = None
    checkpoints: dict[str, int] = field(default_factory=dict)  # file -> size

    def to_json(self, exported_at: datetime) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": exported_at.isoformat(),
            "events": self.events,
            "tree_size": self.events,
            "root": self.root.hex(),
            "first_position": self.first_position,
            "last_position": self.last_position,
            "documents": self.documents,
            "checkpoints": self.checkpoints,
        }


# --- export --------------------------------------------------------------------


def export_log(app: WarRoom, out: Path, signer: Signer | None = None) -> Manifest:
    """Writes the whole log, its documents and checkpoints to `out` (a zip).

    Refuses a log whose stored tree does not match its events (`warroom
    verify` says where): an export is a copy of a log that verifies.
    """
    manifest = Manifest()
    compact = merkle.CompactRange()
    # The log as it stands now: a server may go on appending meanwhile.
    head = app.evidence.head()
    upto = head.last_position
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        # One file open for writing at a time: the log is read twice.
        with packed.open("log.jsonl", "w") as log:
            for notification in _all_notifications(app, upto):
                leaf = leaf_bytes(logged_event(app.mapper, notification))
                compact.append(merkle.leaf_hash(leaf))
                log.write(leaf + b"\n")
                manifest.first_position = manifest.first_position or notification.id
                manifest.last_position = notification.id
        with packed.open("stored.jsonl", "w") as raw:
            for notification in _all_notifications(app, upto):
                raw.write(_stored_line(app.mapper, notification) + b"\n")
        manifest.events, manifest.root = compact.size, compact.root()
        if (head.size, head.root) != (compact.size, manifest.root):
            raise Refused(
                "the log's stored tree does not match its events (root "
                f"{head.root.hex()} of {head.size}, recomputed "
                f"{manifest.root.hex()} of {compact.size}): run `warroom verify`"
            )
        for sha256, content in app.store.each_document():
            packed.writestr(f"documents/{sha256}", content)
            manifest.documents += 1
        for name, note, size in _checkpoints(app, signer, compact):
            packed.writestr(name, note)
            manifest.checkpoints[name] = size
        packed.writestr(
            "manifest.json",
            orjson.dumps(
                manifest.to_json(datetime.now(UTC)), option=orjson.OPT_INDENT_2
            ),
        )
    return manifest


def _all_notifications(app: WarRoom, upto: int) -> Iterator[Notification]:
    start = 1
    while upto and (page := app.recorder.select_notifications(start, PAGE, upto)):
        yield from page
        start = page[-1].id + 1


def _stored_line(mapper: Mapper[Any], notification: Notification) -> bytes:
    state = notification.state
    if mapper.cipher is not None:
        state = mapper.cipher.decrypt(state)
    if mapper.compressor is not None:
        state = mapper.compressor.decompress(state)
    return orjson.dumps(
        {
            "position": notification.id,
            "originator_id": str(notification.originator_id),
            "originator_version": notification.originator_version,
            "topic": notification.topic,
            "state": base64.b64encode(state).decode(),
        }
    )


def _checkpoints(
    app: WarRoom, signer: Signer | None, compact: merkle.CompactRange
) -> Iterator[tuple[str, str, int]]:
    with app.evidence.datastore.transaction(commit=False) as c:
        seals = list(app.evidence.tree.all_seals(c))
    for seal in seals:
        yield f"checkpoints/{seal.inspection_id}/{seal.day}.txt", seal.note, seal.size
    if signer is not None:
        note = Checkpoint(signer.name, compact.size, compact.root()).signed(signer)
        yield "checkpoints/head.txt", note, compact.size


# --- import --------------------------------------------------------------------


@dataclass
class _Loaded:
    manifest: dict[str, Any]
    leaves: list[bytes]
    positions: list[int]
    events: list[StoredEvent]  # payloads in clear
    documents: list[Document]
    checkpoints: dict[str, str]


def import_log(app: WarRoom, source: Path, verifier: Verifier | None = None) -> int:
    """Loads an export into `app`'s empty database; the number of events.

    Refused (nothing stored) if the database holds anything, or if the file
    does not prove itself: leaves, root, checkpoints and document hashes.
    """
    if app.recorder.max_notification_id() or app.store.documents_held():
        raise Refused(
            "the database is not empty: an export is imported into an empty one"
        )
    loaded = _load(source)
    _check(loaded, app.mapper, verifier)
    if not loaded.events:
        return 0
    cipher = app.mapper.cipher
    stored = [
        StoredEvent(
            originator_id=e.originator_id,
            originator_version=e.originator_version,
            topic=e.topic,
            state=cipher.encrypt(e.state) if cipher else e.state,
        )
        for e in loaded.events
    ]
    # One transaction: the events at their positions, their leaves (the
    # recorder's tree), the documents.
    app.recorder.insert_events(
        stored, positions=loaded.positions, documents=loaded.documents
    )
    head = app.evidence.head()
    if head.root.hex() != loaded.manifest["root"]:  # cannot happen: checked above
        raise RuntimeError("the imported tree's root differs from the export's")
    return len(stored)


def _load(source: Path) -> _Loaded:
    try:
        with zipfile.ZipFile(source) as packed:
            manifest = orjson.loads(packed.read("manifest.json"))
            if (manifest.get("format"), manifest.get("version")) != (FORMAT, VERSION):
                raise Refused(f"not a {FORMAT} file of version {VERSION}")
            leaves = _lines(packed, "log.jsonl")
            records = [orjson.loads(line) for line in _lines(packed, "stored.jsonl")]
            names = packed.namelist()
            documents = [
                Document(name.removeprefix("documents/"), packed.read(name))
                for name in names
                if name.startswith("documents/")
            ]
            checkpoints = {
                name: packed.read(name).decode()
                for name in names
                if name.startswith("checkpoints/")
            }
    except (OSError, KeyError, zipfile.BadZipFile, orjson.JSONDecodeError) as error:
        raise Refused(f"not a readable export: {error}") from None
    if len(records) != len(leaves):
        raise Refused(
            f"log.jsonl holds {len(leaves)} events, stored.jsonl {len(records)}"
        )
    try:
        positions = [int(r["position"]) for r in records]
        events = [_stored_event(r) for r in records]
    except (KeyError, TypeError, ValueError) as error:
        raise Refused(f"stored.jsonl holds a malformed event: {error}") from None
    if any(b <= a for a, b in pairwise(positions)):
        raise Refused("stored.jsonl is not in log order (positions must increase)")
    return _Loaded(manifest, leaves, positions, events, documents, checkpoints)


def _lines(packed: zipfile.ZipFile, name: str) -> list[bytes]:
    return packed.read(name).splitlines()


def _stored_event(record: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(record["originator_id"]),
        originator_version=int(record["originator_version"]),
        topic=str(record["topic"]),
        state=base64.b64decode(record["state"], validate=True),
    )


def _check(loaded: _Loaded, mapper: Mapper[Any], verifier: Verifier | None) -> None:
    """Every leaf, the root, each checkpoint, each document: or Refused."""
    # The payloads are in clear in the file, whatever the target's cipher.
    in_clear: Mapper[Any] = Mapper(transcoder=mapper.transcoder)
    compact = merkle.CompactRange()
    roots: dict[int, bytes] = {0: compact.root()}
    for position, event, leaf in zip(
        loaded.positions, loaded.events, loaded.leaves, strict=True
    ):
        notification = Notification(
            id=position,
            originator_id=event.originator_id,
            originator_version=event.originator_version,
            topic=event.topic,
            state=event.state,
        )
        try:
            recomputed = leaf_bytes(logged_event(in_clear, notification))
        except Exception as error:
            raise Refused(
                f"the event at position {position} cannot be read: {error}"
            ) from None
        if recomputed != leaf:
            raise Refused(
                f"the event at position {position} does not match its line in "
                "log.jsonl (altered content)"
            )
        compact.append(merkle.leaf_hash(leaf))
        roots[compact.size] = compact.root()
    _check_root(loaded.manifest, compact)
    sizes = _check_checkpoints(loaded.checkpoints, roots, verifier)
    if verifier is not None and compact.size not in sizes:
        # Else an export rewritten whole, its checkpoints left out, would pass.
        raise Refused(
            f"no checkpoint signed by {verifier.name} covers the whole export "
            f"({compact.size} events)"
        )
    _check_documents(loaded.manifest, loaded.documents)


def _check_root(manifest: dict[str, Any], compact: merkle.CompactRange) -> None:
    if manifest.get("events") != compact.size:
        raise Refused(
            f"the manifest counts {manifest.get('events')} events, the file holds "
            f"{compact.size}"
        )
    if manifest.get("root") != compact.root().hex():
        raise Refused(
            f"the recomputed root {compact.root().hex()} does not match the "
            f"manifest's {manifest.get('root')}"
        )


def _check_checkpoints(
    checkpoints: dict[str, str], roots: dict[int, bytes], verifier: Verifier | None
) -> set[int]:
    """The sizes of the trees the checkpoints sign, each checked against the
    leaves (and, given the verifier key, its signature)."""
    sizes: set[int] = set()
    for name, note in sorted(checkpoints.items()):
        try:
            checkpoint = (
                Checkpoint.verified(note, verifier)
                if verifier is not None
                else Checkpoint.from_text(note.partition("\n\n")[0] + "\n")
            )
        except NoteError as error:
            raise Refused(f"{name}: {error}") from None
        if roots.get(checkpoint.size) != checkpoint.root:
            raise Refused(
                f"{name}: the log is not the one this checkpoint signed "
                f"(tree of {checkpoint.size})"
            )
        sizes.add(checkpoint.size)
    return sizes


def _check_documents(manifest: dict[str, Any], documents: list[Document]) -> None:
    for document in documents:
        if hashlib.sha256(document.content).hexdigest() != document.sha256:
            raise Refused(f"document {document.sha256} does not match its SHA-256")
    if manifest.get("documents") != len(documents):
        raise Refused(
            f"the manifest counts {manifest.get('documents')} documents, the file "
            f"holds {len(documents)}"
        )
