"""WARROOM_CIPHER_KEY: events' payloads, documents and the saved read models
are stored encrypted; everything reads as before; a wrong key is a clear error."""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import Notification
from eventsourcing.utils import Environment
from fastapi.testclient import TestClient

from projections.rebuild import rebuild
from tests.benchmarks.logbuilder import LogBuilder, add_users, open_inspection
from tests.conftest import _conninfo
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.servers import VENV_BIN
from warroom.application import WarRoom
from warroom.cipher import AESGCMCipher
from warroom.config import Database, Settings
from warroom.decoding import logged_event
from warroom.logged import LoggedEvent
from warroom.storage import AtRest, Unreadable
from web.app import create_app

PHRASE = "Kestrel Moorland Annex"
DOCUMENT = f"%PDF-1.7 minutes of the {PHRASE} panel".encode()


@contextmanager
def serving(database_url: str, key: str = "") -> Iterator[WarRoomClient]:
    settings = Settings(database_url=database_url, cipher_key=key)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(http=http)
        yield client


def write_the_phrase(client: WarRoomClient) -> tuple[Inspection, str, str]:
    """An inspection whose title, a request and a document hold PHRASE."""
    client.add_users()
    inspection = Inspection.open(client)
    rid = new_request(client, inspection, title=f"The {PHRASE} report")
    digest = walk_request(client, inspection, rid, "released", content=DOCUMENT)
    return inspection, rid, digest


def stored_bytes(database_url: str) -> bytes:
    """Every byte the database holds, as it holds it (PostgreSQL: as text)."""
    database = Database.from_url(database_url)
    if database.kind == "sqlite":
        files = [Path(database.sqlite_path), Path(database.sqlite_path + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    schema = database.schema
    with psycopg.connect(_conninfo(database_url)) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema=%s",
            (schema,),
        ).fetchall()
        assert len(tables) >= 4, tables
        rows = [
            str(row[0]).encode()
            for (table,) in tables
            for row in conn.execute(f'SELECT t::text FROM "{schema}"."{table}" t')
        ]
    return b"\n".join(rows)


def holds_the_phrase(raw: bytes) -> bool:
    phrase = PHRASE.encode()
    # bytea shows as hex in PostgreSQL's text; SQLite keeps bytes as they are.
    return phrase in raw or phrase.hex().encode() in raw.lower()


def the_reads(client: WarRoomClient, inspection: Inspection, rid: str) -> list[str]:
    ledger = client.get("auditor", f"{inspection.path}/ledger")
    requests = client.get("auditor", f"{inspection.path}/requests")
    assert ledger.status_code == requests.status_code == 200
    titles = [r["title"] for r in requests.json()["requests"]]
    return [*titles, *(line["request"] for line in ledger.json()["lines"])]


def test_without_a_key_the_phrase_is_found_in_the_stored_bytes(
    database_url: str,
) -> None:
    # The check below would find it: this is what it looks for, in clear.
    with serving(database_url) as client:
        write_the_phrase(client)
    assert holds_the_phrase(stored_bytes(database_url))


def test_with_a_key_no_stored_byte_holds_the_phrase_and_every_read_still_answers(
    database_url: str,
) -> None:
    key = AESCipher.create_key(32)
    with serving(database_url, key) as client:
        inspection, rid, digest = write_the_phrase(client)
        assert the_reads(client, inspection, rid) == [f"The {PHRASE} report"] * 2
    # Shut down: the read models were saved, encrypted, with everything else.
    assert not holds_the_phrase(stored_bytes(database_url))

    tokens = client.tokens
    with serving(database_url, key) as client:  # restarted on the saved state
        client.tokens = tokens
        assert the_reads(client, inspection, rid) == [f"The {PHRASE} report"] * 2
        content = client.get(
            "auditor", f"{inspection.path}/requests/{rid}/documents/{digest}"
        )
        assert content.status_code == 200 and content.content == DOCUMENT
        # The tree's leaves are the plaintext events: the log still verifies.
        verified = client.get("auditor", "/api/verify").json()
        assert verified["intact"] and verified["events"] > 20, verified

    app = WarRoom(Database.from_settings(_settings(database_url, key)))
    try:
        views, _ = rebuild(app)
        ledger = views.inspections[inspection.id].ledger
        assert ledger.document_name(rid, digest) == "doc.pdf"
        assert app.store.get_document(digest) == DOCUMENT
    finally:
        app.close()
    assert not holds_the_phrase(stored_bytes(database_url))


def _settings(database_url: str, key: str) -> Settings:
    return Settings(database_url=database_url, cipher_key=key)


@pytest.mark.parametrize(
    ("written_with", "read_with"),
    [("key", "another key"), ("key", "no key"), ("no key", "key")],
)
def test_a_wrong_key_is_a_clear_error_at_the_start_never_garbage(
    database_url: str, written_with: str, read_with: str
) -> None:
    keys = {"key": AESCipher.create_key(32), "another key": AESCipher.create_key(32)}
    keys["no key"] = ""
    with serving(database_url, keys[written_with]) as client:
        write_the_phrase(client)

    settings = _settings(database_url, keys[read_with])
    with pytest.raises(Unreadable, match="cannot be read with this WARROOM_CIPHER_KEY"):
        WarRoom(Database.from_settings(settings))
    with (
        pytest.raises(Unreadable),
        TestClient(create_app(settings)),
    ):
        pass  # pragma: no cover (the server does not start)
    served = _warroom(database_url, keys[read_with], "serve", "--port", "0")
    assert served.returncode == 2
    assert "the event log cannot be read with this WARROOM_CIPHER_KEY" in served.stderr
    assert "Traceback" not in served.stderr


def test_a_document_read_with_the_wrong_key_is_refused_not_handed_out() -> None:
    def at_rest(key: str) -> AtRest:
        return AtRest(AESGCMCipher(Environment(env={"CIPHER_KEY": key})))

    right, wrong = at_rest(AESCipher.create_key(32)), at_rest(AESCipher.create_key(32))
    digest = hashlib.sha256(DOCUMENT).hexdigest()
    stored = right.encrypt(DOCUMENT)
    assert PHRASE.encode() not in stored
    assert right.decrypt_document(digest, stored) == DOCUMENT
    with pytest.raises(Unreadable, match=f"document {digest} cannot be read"):
        wrong.decrypt_document(digest, stored)
    with pytest.raises(Unreadable, match=f"document {digest} cannot be read"):
        AtRest().decrypt_document(digest, stored)  # no key at all
    with pytest.raises(Unreadable, match="altered where stored"):
        right.decrypt_document(digest, right.encrypt(DOCUMENT + b"!"))


def test_keygen_prints_a_key_the_server_takes(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'keyed.db'}"
    done = _warroom(database_url, "", "keygen", "--cipher")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert len(base64.b64decode(key, validate=True)) == 32
    with serving(database_url, key) as client:
        write_the_phrase(client)
    assert not holds_the_phrase(stored_bytes(database_url))


@pytest.mark.parametrize("key", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_malformed_key_is_refused_saying_what_a_key_is(
    tmp_path: Path, key: str
) -> None:
    done = _warroom(f"sqlite:///{tmp_path / 'w.db'}", key, "rebuild")
    assert done.returncode == 2
    assert "WARROOM_CIPHER_KEY must be 16, 24 or 32 bytes in base64" in done.stderr
    assert not (tmp_path / "w.db").exists()


def _warroom(
    database_url: str, key: str, *args: str
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "WARROOM_DATABASE_URL": database_url}
    env["WARROOM_CIPHER_KEY"] = key
    return subprocess.run(
        [str(VENV_BIN / "warroom"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_cipher_is_the_librarys_aes_cipher_byte_for_byte() -> None:
    key = AESCipher.create_key(32)
    env = Environment(env={"CIPHER_KEY": key})
    ours, libraries = AESGCMCipher(env), AESCipher(env)
    assert libraries.decrypt(ours.encrypt(DOCUMENT)) == DOCUMENT
    assert ours.decrypt(libraries.encrypt(DOCUMENT)) == DOCUMENT
    stored = ours.encrypt(DOCUMENT)
    assert len(stored) == 12 + 16 + len(DOCUMENT) and PHRASE.encode() not in stored
    other = AESGCMCipher(Environment(env={"CIPHER_KEY": AESCipher.create_key(32)}))
    for cipher in (other, AESCipher(Environment(env={"CIPHER_KEY": other_key()}))):
        with pytest.raises(ValueError, match="MAC check failed"):
            cipher.decrypt(stored)
    damaged = stored[:-1] + bytes([stored[-1] ^ 1])
    with pytest.raises(ValueError, match="MAC check failed"):
        ours.decrypt(damaged)


def other_key() -> str:
    return AESGCMCipher.create_key(32)


def test_encrypted_events_decode_as_the_library_decodes_them_without_its_mapper(
    database_url: str,
) -> None:
    # The read side and the tree decrypt each payload once and then parse it
    # themselves, as they do in clear: the library's mapper (its JSON decoder
    # calling back into Python for every object) only for what needs it.
    app = WarRoom(
        Database.from_settings(_settings(database_url, AESCipher.create_key(32)))
    )
    try:
        cast = add_users(app)
        inspection = open_inspection(app, cast, "Encrypted SIF inspection")
        LogBuilder(app, cast, inspection, seed=5).build(1500, 500, time.time() + 300)
        notifications = list(app.recorder.select_notifications(1, 1_000_000))
        assert len(notifications) > 1500
        # Stored encrypted: not one payload is the JSON the short cut parses.
        assert not any(b'"timestamp"' in n.state for n in notifications)
        through_library = [
            LoggedEvent.from_domain_event(app.mapper.to_domain_event(n), n.id)
            for n in notifications
        ]
        calls = 0
        to_domain_event = app.mapper.to_domain_event

        def counted(notification: Notification) -> Any:
            nonlocal calls
            calls += 1
            return to_domain_event(notification)

        app.mapper.to_domain_event = counted  # type: ignore[method-assign,assignment]
        ours = [logged_event(app.mapper, n) for n in notifications]
        assert ours == through_library
        assert calls == 0, f"{calls} events went through the library's mapper"
    finally:
        app.close()
