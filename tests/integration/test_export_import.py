"""`warroom export` and `warroom import`: SQLite -> PostgreSQL -> SQLite gives
back every read model, document and the root; a tampered export, or a
database that is not empty, is refused with nothing stored."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import time
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson
import pytest
from eventsourcing.cipher import AESCipher
from fastapi.testclient import TestClient

from commands.models import AddOrganisation
from commands.organisations import add_organisation
from projections.rebuild import rebuild
from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from tests.conftest import TEST_SIGNING_KEY, TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.story import act_one, act_two
from tests.servers import VENV_BIN
from warroom import archive
from warroom.application import WarRoom
from warroom.archive import Refused, export_log, import_log
from warroom.config import Database, Settings
from warroom.domain.base import Context
from warroom.evidence import merkle
from warroom.evidence.notes import Checkpoint, Signer, Verifier
from web.app import create_app

DOCUMENT = b"%PDF-1.7 Annex A, as released on day two"


@contextmanager
def opened(url: str, key: str = "") -> Iterator[WarRoom]:
    app = WarRoom(Database.from_settings(Settings(database_url=url, cipher_key=key)))
    app.use_signer(_signer())  # as the server and the command line do
    try:
        yield app
    finally:
        app.close()


def a_day_of_the_war_room(url: str, key: str = "") -> None:
    """Every read model has something; a document released; a day closed."""
    with TestClient(create_app(Settings(database_url=url, cipher_key=key))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        act_one(client, inspection)
        act_two(client, inspection)
        rid = new_request(client, inspection, title="Annex A")
        walk_request(client, inspection, rid, "released", content=DOCUMENT)
        client.ok("lead", f"{inspection.path}/days/close", {"day": iso_day(0)})


def everything(url: str, key: str = "") -> dict[str, Any]:
    """The read models (whole, folded afresh), documents, tree and positions."""
    with opened(url, key) as app:
        views, _ = rebuild(app)
        head = app.evidence.head()
        with app.evidence.datastore.transaction(commit=False) as c:
            seals = sorted(
                (s.inspection_id, s.day, s.size) for s in app.evidence.tree.all_seals(c)
            )
        return {
            "views": orjson.loads(orjson.dumps(views.to_json())),
            "documents": dict(app.store.each_document()),
            "root": head.root.hex(),
            "size": head.size,
            "last_position": head.last_position,
            "seals": seals,
            "verified": app.evidence.verify().intact,
        }


def warroom(url: str, *args: str, key: str = "") -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "WARROOM_DATABASE_URL": url,
        "WARROOM_CIPHER_KEY": key,
        "WARROOM_SIGNING_KEY": TEST_SIGNING_KEY,  # what TEST_VERIFIER_KEY verifies
    }
    return subprocess.run(
        [str(VENV_BIN / "warroom"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_sqlite_to_postgresql_and_back_gives_back_every_read_model_and_the_root(
    tmp_path: Path, postgres_schema_url: str
) -> None:
    # The source is encrypted at rest, the copy in PostgreSQL is not, the copy
    # back in SQLite has a key of its own: the export holds the log in clear.
    first, back = f"sqlite:///{tmp_path / 'first.db'}", f"sqlite:///{tmp_path / 'b.db'}"
    key, other_key = AESCipher.create_key(32), AESCipher.create_key(32)
    a_day_of_the_war_room(first, key)
    source = everything(first, key)
    assert source["verified"] and len(source["documents"]) == 2  # act one's too
    assert source["documents"][hashlib.sha256(DOCUMENT).hexdigest()] == DOCUMENT
    assert source["seals"] and len(source["views"]["inspections"]) == 1

    out = tmp_path / "first.zip"
    done = warroom(first, "export", "--out", str(out), key=key)
    assert done.returncode == 0, done.stderr
    assert f"root {source['root']}" in done.stdout
    done = warroom(postgres_schema_url, "import", str(out), "--key", TEST_VERIFIER_KEY)
    assert done.returncode == 0, done.stderr
    assert everything(postgres_schema_url) == source

    again = tmp_path / "again.zip"
    done = warroom(postgres_schema_url, "export", "--out", str(again))
    assert done.returncode == 0, done.stderr
    done = warroom(back, "import", str(again), key=other_key)
    assert done.returncode == 0, done.stderr
    assert everything(back, other_key) == source
    for name in ("log.jsonl", "stored.jsonl"):
        assert _read(out, name) == _read(again, name)

    # The copy carries on: the next event comes after the last imported one,
    # and the users it holds still sign in and still hold their names.
    done = warroom(
        postgres_schema_url, "user", "add", "--name", "Admin", "--role", "lead"
    )
    assert done.returncode == 1 and "name_taken" in done.stderr
    done = warroom(
        postgres_schema_url, "user", "add", "--name", "New", "--role", "lead"
    )
    assert done.returncode == 0, done.stderr
    with opened(postgres_schema_url) as app:
        assert app.evidence.verify().intact
        assert app.evidence.head().size > source["size"]
        assert app.evidence.head().last_position > source["last_position"]


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as packed:
        return packed.read(name)


# --- refusals ------------------------------------------------------------------


@pytest.fixture
def export(tmp_path: Path) -> Path:
    """A small export, from SQLite, with a closed day and a document."""
    url = f"sqlite:///{tmp_path / 'source.db'}"
    with TestClient(create_app(Settings(database_url=url))) as http:
        client = WarRoomClient(http=http)
        client.add_users()
        inspection = Inspection.open(client)
        rid = new_request(client, inspection)
        walk_request(client, inspection, rid, "released", content=DOCUMENT)
        client.ok("lead", f"{inspection.path}/days/close", {"day": iso_day(0)})
    out = tmp_path / "export.zip"
    with opened(url) as app:
        export_log(app, out, _signer())
    return out


def _signer() -> Signer:
    return Signer.parse(TEST_SIGNING_KEY)


def rewritten(source: Path, change: Callable[[dict[str, bytes]], None]) -> Path:
    with zipfile.ZipFile(source) as packed:
        files = {name: packed.read(name) for name in packed.namelist()}
    change(files)
    out = source.with_name("tampered.zip")
    with zipfile.ZipFile(out, "w") as packed:
        for name, content in files.items():
            packed.writestr(name, content)
    return out


def _lines(files: dict[str, bytes], name: str) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in files[name].splitlines()]


def _put_lines(files: dict[str, bytes], name: str, lines: list[Any]) -> None:
    files[name] = b"".join(
        orjson.dumps(v, option=orjson.OPT_SORT_KEYS) + b"\n" for v in lines
    )


def _alter_release(files: dict[str, bytes], *, stored_too: bool) -> None:
    """The released document's hash changed in the leaf (and in the payload)."""
    leaves = _lines(files, "log.jsonl")
    line = next(i for i, v in enumerate(leaves) if v["type"] == "DocumentReleased")
    leaves[line]["data"]["medium"] = "paper"
    _put_lines(files, "log.jsonl", leaves)
    if stored_too:
        stored = _lines(files, "stored.jsonl")
        state = orjson.loads(_b64(stored[line]["state"]))
        state["medium"] = "paper"
        stored[line]["state"] = _b64e(orjson.dumps(state))
        files["stored.jsonl"] = b"".join(orjson.dumps(v) + b"\n" for v in stored)


def _b64(text: str) -> bytes:
    return base64.b64decode(text)


def _b64e(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _with_root_recomputed(files: dict[str, bytes]) -> None:
    compact = merkle.CompactRange()
    for leaf in files["log.jsonl"].splitlines():
        compact.append(merkle.leaf_hash(leaf))
    manifest = orjson.loads(files["manifest.json"])
    manifest["root"] = compact.root().hex()
    files["manifest.json"] = orjson.dumps(manifest)


def _drop_checkpoints(files: dict[str, bytes]) -> None:
    for name in [n for n in files if n.startswith("checkpoints/")]:
        del files[name]


def _rewrite_consistently(files: dict[str, bytes]) -> None:
    _alter_release(files, stored_too=True)
    _with_root_recomputed(files)


def _rewrite_leaving_out_checkpoints(files: dict[str, bytes]) -> None:
    _rewrite_consistently(files)
    _drop_checkpoints(files)


def _resign_with_another_key(files: dict[str, bytes]) -> None:
    _rewrite_consistently(files)
    _drop_checkpoints(files)
    forger = Signer.generate(_signer().name)  # the same name, another key
    size = len(files["log.jsonl"].splitlines())
    root = bytes.fromhex(orjson.loads(files["manifest.json"])["root"])
    assert root != merkle.EMPTY_ROOT
    files["checkpoints/head.txt"] = (
        Checkpoint(forger.name, size, root).signed(forger).encode()
    )


def _alter_document(files: dict[str, bytes]) -> None:
    name = next(n for n in files if n.startswith("documents/"))
    files[name] = files[name] + b" (and a line added later)"


def _drop_document(files: dict[str, bytes]) -> None:
    del files[next(n for n in files if n.startswith("documents/"))]


def _drop_last_event(files: dict[str, bytes]) -> None:
    for name in ("log.jsonl", "stored.jsonl"):
        _put_lines(files, name, _lines(files, name)[:-1])


def _alter_leaf(files: dict[str, bytes]) -> None:
    _alter_release(files, stored_too=False)


def _alter_event_and_leaf(files: dict[str, bytes]) -> None:
    _alter_release(files, stored_too=True)


TAMPERINGS: dict[str, tuple[Callable[[dict[str, bytes]], None], bool, str]] = {
    # name: (change, with the verifier key, what the refusal says)
    "a leaf altered": (_alter_leaf, False, "does not match its line in log.jsonl"),
    "an event and its leaf altered": (
        _alter_event_and_leaf,
        False,
        "the recomputed root",
    ),
    "an event rewritten, the root recomputed": (
        _rewrite_consistently,
        False,
        "the log is not the one this checkpoint signed",
    ),
    "rewritten, its checkpoints left out": (
        _rewrite_leaving_out_checkpoints,
        True,
        "no checkpoint signed by",
    ),
    "rewritten and signed with another key": (
        _resign_with_another_key,
        True,
        "carries no valid signature",
    ),
    "a document's bytes altered": (
        _alter_document,
        False,
        "does not match its SHA-256",
    ),
    "a document left out": (_drop_document, False, "the manifest counts 1 documents"),
    "an event left out": (_drop_last_event, False, "the manifest counts"),
}


def _nothing_stored(url: str) -> None:
    with opened(url) as app:
        assert (app.recorder.max_notification_id() or 0) == 0
        assert app.store.documents_held() == 0
        assert app.evidence.head().size == 0


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_a_tampered_export_is_refused_and_nothing_is_stored(
    export: Path, database_url: str, tampering: str
) -> None:
    change, with_key, said = TAMPERINGS[tampering]
    tampered = rewritten(export, change)
    verifier = Verifier.parse(TEST_VERIFIER_KEY) if with_key else None
    with opened(database_url) as app, pytest.raises(Refused, match=said):
        import_log(app, tampered, verifier)
    _nothing_stored(database_url)
    # The untouched export goes in whole, the key's signature and all.
    with opened(database_url) as app:
        assert import_log(app, export, Verifier.parse(TEST_VERIFIER_KEY)) > 10


def test_the_command_line_refuses_a_tampered_export_saying_why_and_storing_nothing(
    export: Path, database_url: str
) -> None:
    tampered = rewritten(export, _alter_document)
    done = warroom(database_url, "import", str(tampered))
    assert done.returncode == 1
    assert "import refused, nothing stored" in done.stderr
    assert "does not match its SHA-256" in done.stderr
    _nothing_stored(database_url)


def test_an_import_into_a_database_that_holds_anything_is_refused(
    export: Path, database_url: str
) -> None:
    with opened(database_url) as app:
        import_log(app, export)
        before = app.recorder.max_notification_id()
        with pytest.raises(Refused, match="the database is not empty"):
            import_log(app, export)
        assert app.recorder.max_notification_id() == before
    done = warroom(database_url, "import", str(export))
    assert done.returncode == 1 and "the database is not empty" in done.stderr


def test_an_export_of_a_log_whose_tree_was_altered_is_refused(
    export: Path, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    with opened(url) as app:
        with app.evidence.datastore.transaction(commit=True) as c:
            # The head's root rewritten: what a checkpoint would now sign.
            c.execute("SELECT compact FROM warroom_tree")
            size = len(bytes(c.fetchone()["compact"]))
            c.execute("UPDATE warroom_tree SET compact=?", (b"y" * size,))
        with pytest.raises(Refused, match="does not match its events"):
            export_log(app, tmp_path / "refused.zip")


# --- over HTTP: the auditor's (or admin's) copy --------------------------------


def test_an_auditor_or_admin_downloads_the_export_and_it_imports_whole(
    client: WarRoomClient, inspection: Inspection, tmp_path: Path
) -> None:
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "released", content=DOCUMENT)
    before = client.stored()
    for role in ("auditor", "admin"):
        answer = client.get(role, "/api/log/export")
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/zip"
    out = tmp_path / "downloaded.zip"
    out.write_bytes(answer.content)
    assert client.stored() == before
    copy = f"sqlite:///{tmp_path / 'copy.db'}"
    with opened(copy) as app:
        assert import_log(app, out, Verifier.parse(TEST_VERIFIER_KEY)) == before
        assert app.evidence.head().root == client.app.evidence.head().root
        assert app.store.get_document(hashlib.sha256(DOCUMENT).hexdigest()) == DOCUMENT


@pytest.mark.parametrize("role", ["lead", "gatekeeper", "rapid_response", "staff"])
def test_no_other_role_may_export_the_log(
    client: WarRoomClient, inspection: Inspection, role: str
) -> None:
    before = client.stored()
    answer = client.get(role, "/api/log/export")
    assert answer.status_code == 403, answer.text
    assert answer.json()["detail"] == f"a {role} may not export the log"
    assert client.http.get("/api/log/export").status_code == 401
    assert client.stored() == before


def test_a_council_sharing_its_database_exports_its_own_record_over_http(
    client: WarRoomClient, inspection: Inspection
) -> None:
    # Issue 22: this was 409 `export_one_council` once a second council existed.
    ctx = Context("console", "console", datetime.now(UTC))
    for name in ("Northshire County Council", "Southshire County Council"):
        add_organisation(client.app, ctx, AddOrganisation(name=name))
    before = client.stored()
    answer = client.get("auditor", "/api/log/export")
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as packed:
        manifest = orjson.loads(packed.read("manifest.json"))
    head = client.app.evidence.head()  # the first council's tree
    assert (manifest["events"], manifest["root"]) == (head.size, head.root.hex())
    assert head.size < before  # the other councils' own events are not in it
    assert client.stored() == before


# --- streaming: batches in one transaction, memory bounded -----------------------


def test_a_file_changed_between_the_check_and_the_store_stores_nothing(
    export: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Checked whole, then stored in batches of 5 events, read again from the
    # file: its last event altered on that second reading (the file swapped
    # meanwhile), the tree the batches made has another root, and the one
    # transaction they share stores none of them.
    monkeypatch.setattr(archive, "PAGE", 5)
    readings = 0
    stored_events = archive._stored_events

    def swapped(packed: zipfile.ZipFile) -> Iterator[tuple[int, Any]]:
        nonlocal readings
        readings += 1
        events = list(stored_events(packed))
        if readings == 2:
            position, last = events[-1]
            state = last.state.replace(
                f'"day":"{iso_day(0)}"'.encode(), f'"day":"{iso_day(1)}"'.encode()
            )
            assert state != last.state
            events[-1] = (position, replace(last, state=state))
        yield from events

    monkeypatch.setattr(archive, "_stored_events", swapped)
    batches = 0
    with opened(database_url) as app:
        insert_batches = app.recorder.insert_batches  # type: ignore[attr-defined]

        def counted(pages: Iterator[Any], check: Any) -> None:
            def each() -> Iterator[Any]:
                nonlocal batches
                for page in pages:
                    batches += 1
                    yield page

            insert_batches(each(), check)

        app.recorder.insert_batches = counted  # type: ignore[attr-defined]
        with pytest.raises(Refused, match="the file changed while it was imported"):
            import_log(app, export)
    assert readings == 2 and batches > 3
    _nothing_stored(database_url)


def test_an_import_holds_a_batch_in_memory_not_the_file(
    tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = f"sqlite:///{tmp_path / 'long.db'}"
    with opened(source) as app:
        cast = add_users(app)
        inspection = open_inspection(app, cast, "A long inspection")
        LogBuilder(app, cast, inspection, seed=9).build(4000, 1000, time.time() + 300)
        out = tmp_path / "long.zip"
        export_log(app, out, _signer())
    with zipfile.ZipFile(out) as packed:
        unzipped = sum(i.file_size for i in packed.infolist())
    assert unzipped > 4_000_000
    monkeypatch.setattr(archive, "PAGE", 100)
    with opened(database_url) as app:
        tracemalloc.start()
        try:
            imported = import_log(app, out, Verifier.parse(TEST_VERIFIER_KEY))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert imported > 4000 and app.evidence.verify().intact
    # Held whole, the file alone would be more than this, its events as
    # objects several times that.
    assert peak < unzipped / 4, (peak, unzipped)


# --- bombs: memory bounded whatever the file declares (issue 22, finding 7) -----

BOMB_BYTES = 2 * 1024**3
# The command line's own memory importing a normal export is about 70 MB.
BOMB_MOST_RSS_MB = 250


def _bomb(out: Path, member: str) -> Path:
    """A zip of a few MB whose `member` inflates to 2 GiB of one byte, no
    newline in it, beside an empty log and a manifest that would take it."""
    manifest = {"format": archive.FORMAT, "version": archive.VERSION, "events": 1}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as packed:
        packed.writestr("manifest.json", orjson.dumps(manifest))
        packed.writestr("log.jsonl", b"")
        with packed.open(member, "w", force_zip64=True) as bomb:
            block = b"a" * (1 << 20)
            for _ in range(BOMB_BYTES // len(block)):
                bomb.write(block)
    return out


def _import_measured(
    url: str, file: Path
) -> tuple[subprocess.CompletedProcess[str], float]:
    """`warroom import FILE` and its peak resident memory in MB: it runs as
    the only child of a small Python process that reports its children's."""
    measure = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:])\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(f'peak_kib={peak}', file=sys.stderr)\n"
        "sys.exit(done.returncode)\n"
    )
    done = subprocess.run(
        [
            str(VENV_BIN / "python"),
            "-c",
            measure,
            str(VENV_BIN / "warroom"),
            "import",
            str(file),
        ],
        env={
            **os.environ,
            "WARROOM_DATABASE_URL": url,
            "WARROOM_SIGNING_KEY": TEST_SIGNING_KEY,
        },
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    peak = int(done.stderr.rpartition("peak_kib=")[2].split()[0])
    return done, peak / 1024


@pytest.mark.parametrize(
    ("member", "said"),
    [
        ("stored.jsonl", "stored.jsonl holds a line longer than"),
        ("documents/" + "0" * 64, "inflates to 2,147,483,648 bytes"),
    ],
)
def test_an_import_of_a_zip_bomb_is_refused_early_in_bounded_memory(
    tmp_path: Path, member: str, said: str
) -> None:
    bomb = _bomb(tmp_path / "bomb.zip", member)
    assert bomb.stat().st_size < 20_000_000
    url = f"sqlite:///{tmp_path / 'target.db'}"
    done, peak_mb = _import_measured(url, bomb)
    assert done.returncode == 1, done.stderr
    assert "import refused, nothing stored" in done.stderr and said in done.stderr
    assert peak_mb < BOMB_MOST_RSS_MB, peak_mb
    _nothing_stored(url)


def test_an_import_of_a_file_of_more_members_than_it_takes_is_refused(
    export: Path, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with zipfile.ZipFile(export) as packed:
        members = len(packed.namelist())
    monkeypatch.setattr(archive, "MAX_MEMBERS", members - 1)
    with (
        opened(database_url) as app,
        pytest.raises(
            Refused,
            match=f"the file declares {members} members; an import takes at most",
        ),
    ):
        import_log(app, export)
    _nothing_stored(database_url)
    monkeypatch.setattr(archive, "MAX_MEMBERS", members)
    with opened(database_url) as app:
        assert import_log(app, export) > 10


def test_a_document_larger_than_any_upload_is_refused_before_it_is_read(
    export: Path, database_url: str
) -> None:
    with (
        opened(database_url) as app,
        pytest.raises(
            Refused,
            match=f"inflates to {len(DOCUMENT)} bytes, more than the 10 an export",
        ),
    ):
        import_log(app, export, max_document_bytes=10)
    _nothing_stored(database_url)
