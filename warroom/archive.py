"""`warroom export` and `warroom import`: one organisation's whole record in
one zip file, and back into an empty database, checked before anything is
stored.

An export is of one organisation's tree (`warroom.evidence.tree`): its own
events, in its tree's leaf order, the documents they name, its seals and a
checkpoint of its tree; nothing of another council's that shares the
database, not even how many events it stored. A database of one council
exports exactly as before organisations had trees of their own.

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
  (the day's seal), and `checkpoints/head.txt`, one of the exported tree's
  head when a signing key was configured (its origin names the tree);
- `manifest.json`: the format, the counts, the tree's size and root, and
  `tree` (`""`: the first organisation's; another's id).

An import recomputes every leaf from `stored.jsonl` and compares it with
`log.jsonl`, the root of those leaves with the manifest's and with each
checkpoint's, and each document's SHA-256 with its name; given the verifier
key, it checks the checkpoints' signatures too. Any difference refuses the
whole file, and nothing is stored: the events, their leaves and the documents
go in one transaction, through the recorder, into a database that must be
empty: there they are the first organisation's tree (the council imported is
that database's first), with the same leaves and root, so the export's
checkpoints still hold. Into a database holding other councils an import is
refused: their positions are the same log's, and would collide. The file
is read as a stream, twice (to check it, then to store it in batches of
`PAGE` events), so an import holds one batch in memory, never the file; the
transaction commits only if the tree its batches made has the root that was
checked. The payloads are in clear in the file: keep it as the
database is kept.

Memory stays bounded whatever the zip declares (issue 22: a 2.2 MB file that
inflated to 2 GiB took 2 GB before it was refused): the lines are read in
blocks, and one longer than `MAX_LINE_BYTES` (no event comes near it) is
refused when reached, not held; a member is refused by its declared size
before it is read (a member never inflates past it: `zipfile` stops there),
`manifest.json` at `MAX_MANIFEST_BYTES`, each checkpoint (only its size and
root are kept) at `MAX_NOTE_BYTES`, each document at the
largest body a server takes (`WARROOM_MAX_BODY_BYTES`: no upload was larger);
and a file of more than `MAX_MEMBERS` members is refused before its directory
is read.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import orjson
from eventsourcing.persistence import Mapper, Notification, StoredEvent

from warroom.application import WarRoom
from warroom.decoding import logged_event
from warroom.evidence import merkle
from warroom.evidence.leaf import V2, LeafVersions, leaf_in, leaf_version
from warroom.evidence.notes import Checkpoint, NoteError, Signer, Verifier
from warroom.evidence.tree import FIRST, signer_for
from warroom.quiet import keep_quiet_up_to
from warroom.storage import Batch, Document

FORMAT = "warroom-export"
VERSION = 1
PAGE = 2000
# What an import holds of the file at most (see the module's docstring). An
# event's line is a few KB; the longest a command can make (a debrief's long
# texts, in base64) is under 1 MB. A line is decoded into objects, which can
# take many times its bytes: this keeps even a crafted one to tens of MB.
MAX_LINE_BYTES = 4 * 1024 * 1024
# A checkpoint is a few hundred bytes; the manifest names each of them.
MAX_NOTE_BYTES = 16 * 1024
MAX_MANIFEST_BYTES = 8 * 1024 * 1024
MAX_MEMBERS = 200_000
DEFAULT_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
BLOCK = 64 * 1024


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
    tree: str = FIRST

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
            "tree": self.tree,
        }


# --- export --------------------------------------------------------------------


def export_log(
    app: WarRoom, out: Path, signer: Signer | None = None, tree: str = FIRST
) -> Manifest:
    """Writes one organisation's whole log (`tree`: its tree's key; the
    first's by default), the documents its events name, and its checkpoints
    to `out` (a zip).

    Refuses a log whose stored tree does not match its events (`warroom
    verify` says where): an export is a copy of a log that verifies.
    """
    manifest = Manifest(tree=tree)
    compact = merkle.CompactRange()
    named: set[str] = set()
    # The tree as it stands now: a server may go on appending meanwhile.
    head = app.evidence.head(tree)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        # One file open for writing at a time: the log is read twice.
        with packed.open("log.jsonl", "w") as log:
            versions = LeafVersions()
            for index, notification, hashed in _tree_leaves(app, tree, head.size):
                event = logged_event(app.mapper, notification)
                # Each leaf in the version it was stored in (a tree's own
                # positions from version 2 on: `warroom.evidence.leaf`).
                leaf = versions.matching(event, index, hashed) or leaf_in(
                    event, index, versions.version
                )
                compact.append(merkle.leaf_hash(leaf))
                log.write(leaf + b"\n")
                manifest.first_position = manifest.first_position or notification.id
                manifest.last_position = notification.id
                if isinstance(event.data.get("sha256"), str):
                    named.add(event.data["sha256"])
        with packed.open("stored.jsonl", "w") as raw:
            for _, notification, _ in _tree_leaves(app, tree, head.size):
                raw.write(_stored_line(app.mapper, notification) + b"\n")
        manifest.events, manifest.root = compact.size, compact.root()
        if (head.size, head.root) != (compact.size, manifest.root):
            raise Refused(
                "the log's stored tree does not match its events (root "
                f"{head.root.hex()} of {head.size}, recomputed "
                f"{manifest.root.hex()} of {compact.size}): run `warroom verify`"
            )
        for sha256 in sorted(named):  # its own documents, no other council's
            content = app.store.get_document(sha256)
            if content is None:  # as before: what the store holds, no more
                continue
            packed.writestr(f"documents/{sha256}", content)
            manifest.documents += 1
        for name, note, size in _checkpoints(app, signer, compact, tree):
            packed.writestr(name, note)
            manifest.checkpoints[name] = size
        packed.writestr(
            "manifest.json",
            orjson.dumps(
                manifest.to_json(datetime.now(UTC)), option=orjson.OPT_INDENT_2
            ),
        )
    return manifest


def _tree_leaves(
    app: WarRoom, tree: str, size: int
) -> Iterator[tuple[int, Notification, bytes]]:
    """A tree's events, in its leaf order, up to the tree of `size` leaves:
    (leaf index, event, its leaf's stored hash)."""
    after = -1
    while True:
        with app.evidence.datastore.transaction(commit=False) as c:
            page = app.evidence.tree.events_of(c, tree, after, size, PAGE)
        if not page:
            return
        yield from page
        after = page[-1][0]


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
    app: WarRoom, signer: Signer | None, compact: merkle.CompactRange, tree: str
) -> Iterator[tuple[str, str, int]]:
    with app.evidence.datastore.transaction(commit=False) as c:
        seals = list(app.evidence.tree.all_seals(c, tree))
    for seal in seals:
        yield f"checkpoints/{seal.inspection_id}/{seal.day}.txt", seal.note, seal.size
    if signer is not None:
        # A backfilled log's own checkpoint says so (the first's tree alone).
        backfilled = app.evidence.backfilled() if tree == FIRST else None
        extensions = (backfilled.extension(),) if backfilled else ()
        own = signer_for(signer, tree)
        checkpoint = Checkpoint(own.name, compact.size, compact.root(), extensions)
        note = checkpoint.signed(own)
        yield "checkpoints/head.txt", note, compact.size


# --- import --------------------------------------------------------------------


def import_log(
    app: WarRoom,
    source: Path,
    verifier: Verifier | None = None,
    *,
    max_document_bytes: int = DEFAULT_MAX_DOCUMENT_BYTES,
) -> int:
    """Loads an export into `app`'s empty database; the number of events.

    Refused (nothing stored) if the database holds anything, or if the file
    does not prove itself: leaves, root, checkpoints and document hashes.
    Memory stays bounded whatever the file's size or what it declares: it is
    read twice, as a stream, from the zip: once to check it all, then to
    store it in batches, in one transaction that checks the stored tree's
    root before it commits.
    """
    if app.recorder.max_notification_id() or app.store.documents_held():
        raise Refused(
            "the database is not empty: an export is imported into an empty one"
        )
    try:
        _check_members(source)
        with zipfile.ZipFile(source) as packed:
            _check_sizes(packed, max_document_bytes)
            manifest = _manifest(packed)
            events, v2_from = _check(packed, manifest, app.mapper, verifier)
            if events:
                _store(app, packed, manifest, v2_from)
                # Nobody is sent an invitation for a change imported.
                keep_quiet_up_to(app)
    except (OSError, KeyError, zipfile.BadZipFile, orjson.JSONDecodeError) as error:
        raise Refused(f"not a readable export: {error}") from None
    return events


def _check_members(source: Path) -> None:
    """Refuses a file of more than `MAX_MEMBERS` members from its end record
    alone: `zipfile` holds every member's entry of the directory in memory."""
    with source.open("rb") as file:
        file.seek(0, 2)
        size = file.tell()
        file.seek(max(0, size - 65_557))  # the end record and its comment
        tail = file.read()
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return  # not a zip file: `zipfile` says so
    members = struct.unpack("<H", tail[at + 10 : at + 12])[0]
    locator = tail.rfind(b"PK\x06\x07", 0, at)
    if members == 0xFFFF and locator >= 0:
        with source.open("rb") as file:  # Zip64: the count is 8 bytes, elsewhere
            file.seek(struct.unpack("<Q", tail[locator + 8 : locator + 16])[0])
            record = file.read(56)
        if record[:4] == b"PK\x06\x06" and len(record) == 56:
            members = struct.unpack("<Q", record[32:40])[0]
    if members > MAX_MEMBERS:
        raise Refused(
            f"the file declares {members:,} members; an import takes at most "
            f"{MAX_MEMBERS:,} (its documents and checkpoints)"
        )


def _check_sizes(packed: zipfile.ZipFile, max_document_bytes: int) -> None:
    """Refuses, before reading it, a member larger than any export holds: the
    size is the one the zip declares, past which `zipfile` never inflates."""
    for info in packed.infolist():
        most = _most_bytes(info.filename, max_document_bytes)
        if most is not None and info.file_size > most:
            raise Refused(
                f"{info.filename} inflates to {info.file_size:,} bytes, more than "
                f"the {most:,} an export holds there"
                + (
                    " (a document is at most WARROOM_MAX_BODY_BYTES)"
                    if info.filename.startswith("documents/")
                    else ""
                )
            )


def _most_bytes(name: str, max_document_bytes: int) -> int | None:
    """How large a member may be, if it is not read a line at a time."""
    if name.startswith("documents/"):
        return max_document_bytes
    if name == "manifest.json":
        return MAX_MANIFEST_BYTES
    if name in ("log.jsonl", "stored.jsonl"):
        return None
    return MAX_NOTE_BYTES


def _lines(packed: zipfile.ZipFile, name: str) -> Generator[bytes, None, None]:
    """A member's lines, without their newlines, read in blocks: a line longer
    than `MAX_LINE_BYTES` is refused when it gets there, never held whole."""
    with packed.open(name) as member:
        partial: list[bytes] = []
        held = 0
        while block := member.read(BLOCK):
            *whole, rest = block.split(b"\n")
            if whole:
                partial.append(whole[0])
                yield b"".join(partial)
                yield from whole[1:]
                partial, held = [], 0
            partial.append(rest)
            held += len(rest)
            if held > MAX_LINE_BYTES:
                raise Refused(
                    f"{name} holds a line longer than {MAX_LINE_BYTES:,} bytes: "
                    "no event is that long"
                )
        if held:
            yield b"".join(partial)


def _manifest(packed: zipfile.ZipFile) -> dict[str, Any]:
    manifest: dict[str, Any] = orjson.loads(packed.read("manifest.json"))
    if (manifest.get("format"), manifest.get("version")) != (FORMAT, VERSION):
        raise Refused(f"not a {FORMAT} file of version {VERSION}")
    return manifest


def _check(
    packed: zipfile.ZipFile,
    manifest: dict[str, Any],
    mapper: Mapper[Any],
    verifier: Verifier | None,
) -> tuple[int, int | None]:
    """Every leaf, the root, each checkpoint, each document, or Refused; the
    number of events, and the index of the first leaf of version 2 (None:
    none is; `warroom.evidence.leaf`). Only hashes are kept: a compact range,
    and the roots at the checkpoints' sizes."""
    checkpoints = _read_checkpoints(packed, verifier)
    sizes = {size for _, size, _ in checkpoints}
    compact = merkle.CompactRange()
    roots: dict[int, bytes] = {0: compact.root()}
    v2_from: int | None = None
    for leaf, version in _leaves(packed, mapper):
        if version == V2 and v2_from is None:
            v2_from = compact.size
        compact.append(merkle.leaf_hash(leaf))
        if compact.size in sizes:
            roots[compact.size] = compact.root()
    _check_root(manifest, compact)
    covered = _check_checkpoints(checkpoints, roots)
    if verifier is not None and compact.size not in covered:
        # Else an export rewritten whole, its checkpoints left out, would pass.
        raise Refused(
            f"no checkpoint signed by {verifier.name} covers the whole export "
            f"({compact.size} events)"
        )
    _check_documents(packed, manifest)
    return compact.size, v2_from


def _leaves(
    packed: zipfile.ZipFile, mapper: Mapper[Any]
) -> Iterator[tuple[bytes, int]]:
    """Each event's leaf, recomputed from `stored.jsonl` in the version its
    line in `log.jsonl` is of, compared with that line; and the version.
    Version 1 leaves come first, version 2 ones after (as in any tree)."""
    # The payloads are in clear in the file, whatever the target's cipher.
    in_clear: Mapper[Any] = Mapper(transcoder=mapper.transcoder)
    latest = 1
    with closing(_lines(packed, "log.jsonl")) as lines:
        for index, (position, event) in enumerate(_stored_events(packed)):
            line = next(lines, b"")
            version = leaf_version(line)
            if version < latest:
                raise Refused(
                    f"the event at position {position} has a leaf of version "
                    f"{version} after one of version {latest}"
                )
            latest = version
            try:
                leaf = leaf_in(
                    logged_event(in_clear, _notification(position, event)),
                    index,
                    version,
                )
            except Exception as error:
                raise Refused(
                    f"the event at position {position} cannot be read: {error}"
                ) from None
            if leaf != line:
                raise Refused(
                    f"the event at position {position} does not match its line in "
                    "log.jsonl (altered content)"
                )
            yield leaf, version
        if next(lines, None) is not None:
            raise Refused("log.jsonl holds more events than stored.jsonl")


def _stored_events(packed: zipfile.ZipFile) -> Iterator[tuple[int, StoredEvent]]:
    """`stored.jsonl`, line by line: each event (payload in clear) and its
    position, which must increase."""
    last = 0
    for line in _lines(packed, "stored.jsonl"):
        try:
            record = orjson.loads(line)
            position, event = int(record["position"]), _stored_event(record)
        except (KeyError, TypeError, ValueError) as error:
            raise Refused(f"stored.jsonl holds a malformed event: {error}") from None
        if position <= last:
            raise Refused("stored.jsonl is not in log order (positions must increase)")
        last = position
        yield position, event


def _notification(position: int, event: StoredEvent) -> Notification:
    return Notification(
        id=position,
        originator_id=event.originator_id,
        originator_version=event.originator_version,
        topic=event.topic,
        state=event.state,
    )


def _stored_event(record: dict[str, Any]) -> StoredEvent:
    return StoredEvent(
        originator_id=UUID(record["originator_id"]),
        originator_version=int(record["originator_version"]),
        topic=str(record["topic"]),
        state=base64.b64decode(record["state"], validate=True),
    )


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


def _read_checkpoints(
    packed: zipfile.ZipFile, verifier: Verifier | None
) -> list[tuple[str, int, bytes]]:
    """Every checkpoint in the file (and, given the verifier key, its
    signature checked): its name, size and root."""
    found: list[tuple[str, int, bytes]] = []
    for name in sorted(n for n in packed.namelist() if n.startswith("checkpoints/")):
        note = packed.read(name).decode()
        try:
            checkpoint = (
                Checkpoint.verified(note, verifier)
                if verifier is not None
                else Checkpoint.from_text(note.partition("\n\n")[0] + "\n")
            )
        except NoteError as error:
            raise Refused(f"{name}: {error}") from None
        found.append((name, checkpoint.size, checkpoint.root))
    return found


def _check_checkpoints(
    checkpoints: list[tuple[str, int, bytes]], roots: dict[int, bytes]
) -> set[int]:
    """The sizes of the trees the checkpoints sign, each checked against the
    leaves."""
    for name, size, root in checkpoints:
        if roots.get(size) != root:
            raise Refused(
                f"{name}: the log is not the one this checkpoint signed "
                f"(tree of {size})"
            )
    return {size for _, size, _ in checkpoints}


def _document_names(packed: zipfile.ZipFile) -> list[str]:
    return [n for n in packed.namelist() if n.startswith("documents/")]


def _check_documents(packed: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    names = _document_names(packed)
    for name in names:
        _document(packed, name)
    if manifest.get("documents") != len(names):
        raise Refused(
            f"the manifest counts {manifest.get('documents')} documents, the file "
            f"holds {len(names)}"
        )


def _document(packed: zipfile.ZipFile, name: str) -> Document:
    """One document (its bytes in memory: one at a time), its hash checked."""
    content = packed.read(name)
    sha256 = name.removeprefix("documents/")
    if hashlib.sha256(content).hexdigest() != sha256:
        raise Refused(f"document {sha256} does not match its SHA-256")
    return Document(sha256, content)


# --- storing what was checked ---------------------------------------------------------


def _store(
    app: WarRoom,
    packed: zipfile.ZipFile,
    manifest: dict[str, Any],
    v2_from: int | None,
) -> None:
    """The file's events and documents, in batches, in one transaction, read
    again from the file (and checked again as they go: the root of the tree
    they make is the manifest's, or nothing is stored); their leaves in the
    versions checked (`v2_from`: the first leaf of version 2)."""
    cipher = app.mapper.cipher

    def batches() -> Iterator[Batch]:
        for page in _pages(_stored_events(packed)):
            stored = [
                replace(e, state=cipher.encrypt(e.state)) if cipher else e
                for _, e in page
            ]
            yield stored, [position for position, _ in page], (), v2_from
        for name in _document_names(packed):
            yield (), (), (_document(packed, name),), v2_from

    def same_root(c: Any) -> None:
        head = app.evidence.tree.head(c)
        if (head.size, head.root.hex()) != (manifest["events"], manifest["root"]):
            raise Refused("the file changed while it was imported")

    app.recorder.insert_batches(batches(), same_root)  # type: ignore[attr-defined]


def _pages(
    events: Iterator[tuple[int, StoredEvent]],
) -> Iterator[list[tuple[int, StoredEvent]]]:
    page: list[tuple[int, StoredEvent]] = []
    for item in events:
        page.append(item)
        if len(page) == PAGE:
            yield page
            page = []
    if page:
        yield page
