"""Each council's record is its own for evidence (issue 22, finding 11).

Two councils in one database: Leeds, the first (it owns whatever was stored
before organisations, and its tree is the log's tree as it always was), and
York, added after. Each has its own Merkle tree: its checkpoints count its
own events; its proofs, receipts and walk never say how many another stored;
its export is its own record, taken whatever else the database holds, and
imports whole into a fresh database, where it verifies.
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import StoredEvent
from fastapi.testclient import TestClient

from commands.models import AddOrganisation
from commands.organisations import add_organisation
from tests.conftest import TEST_VERIFIER_KEY
from tests.days import iso_day
from tests.helpers import Inspection, WarRoomClient, new_request, walk_request
from tests.integration.test_before_organisations import FIXTURE
from tests.integration.test_export_import import _signer, opened, warroom
from warroom.application import WarRoom
from warroom.archive import export_log, import_log
from warroom.config import Database, Settings
from warroom.domain.base import Context
from warroom.domain.blog_send import BlogSend
from warroom.evidence.notes import Checkpoint, NoteError, Verifier
from warroom.evidence.receipt import BadReceipt, verify_receipt
from web.app import create_app

VERIFIER = Verifier.parse(TEST_VERIFIER_KEY)
LEEDS_DOCUMENT = b"%PDF-1.7 Leeds' Annex A"
YORK_DOCUMENT = b"%PDF-1.7 York's Annex A"


@dataclass
class Council:
    id: str
    client: WarRoomClient
    inspection: Inspection

    @property
    def tree(self) -> str:
        return self.client.app.tree_of(self.id)

    @property
    def verifier(self) -> Verifier:
        """Its log's verifier key, as `GET /api/log/key` gives it."""
        return Verifier.parse(self.client.get("staff", "/api/log/key").text)


def organisation(client: WarRoomClient, name: str) -> str:
    ctx = Context("console", "console", datetime.now(UTC))
    organisation_id = add_organisation(client.app, ctx, AddOrganisation(name=name))
    client.http.app.state.warroom.reader.catch_up()  # type: ignore[attr-defined]
    return organisation_id


@pytest.fixture
def leeds(client: WarRoomClient) -> Council:
    """The first organisation: it adopts everything stored without one."""
    organisation_id = organisation(client, "Leeds")
    return Council(organisation_id, client, Inspection.open(client))


@pytest.fixture
def york(leeds: Council) -> Council:
    organisation_id = organisation(leeds.client, "York")
    client = WarRoomClient(http=leeds.client.http)
    client.add_users(organisation_id)
    return Council(organisation_id, client, Inspection.open(client))


def release(council: Council, content: bytes) -> int:
    """A document released in the council's inspection; its ledger line."""
    client, inspection = council.client, council.inspection
    rid = new_request(client, inspection)
    walk_request(client, inspection, rid, "released", content=content)
    ledger = client.get("auditor", f"{inspection.path}/ledger").json()
    line: int = ledger["lines"][-1]["line"]
    return line


def busy(council: Council, requests: int = 3) -> None:
    for _ in range(requests):
        new_request(council.client, council.inspection)


def what_is_read(council: Council) -> dict[str, Any]:
    """Everything a council's roles read about the log (bar receipts)."""
    client = council.client
    size = Checkpoint.verified(
        client.get("auditor", "/api/log/checkpoint").text, council.verifier
    ).size
    return {
        "key": client.get("staff", "/api/log/key").text,
        "checkpoint": client.get("auditor", "/api/log/checkpoint").text,
        "verify": client.get("auditor", "/api/verify").json(),
        "too_big": client.get(
            "staff", "/api/log/proof/inclusion", index=0, size=size + 1
        ).json(),
        "consistency": client.get(
            "staff", "/api/log/proof/consistency", **{"from": 1, "to": size}
        ).json(),
        "inclusion": client.get(
            "lead", "/api/log/proof/inclusion", index=size - 1, size=size
        ).json(),
    }


def tree_leaves(app: WarRoom, tree: str) -> list[tuple[int, int]]:
    with app.evidence.datastore.transaction(commit=False) as c:
        rows = app.evidence.tree.leaves_page(c, -1, 1_000_000, tree)
    return [(index, position) for index, position, _ in rows]


# --- each council's tree counts its own events -------------------------------------


def test_each_councils_checkpoint_counts_only_its_own_events(
    leeds: Council, york: Council
) -> None:
    app = leeds.client.app
    busy(york)
    leeds_size = Checkpoint.verified(
        leeds.client.get("lead", "/api/log/checkpoint").text, VERIFIER
    ).size
    york_size = Checkpoint.verified(
        york.client.get("lead", "/api/log/checkpoint").text, york.verifier
    ).size
    leeds_leaves, york_leaves = tree_leaves(app, ""), tree_leaves(app, york.tree)
    # Gapless leaf indexes in each tree, each position in one tree only.
    assert [i for i, _ in leeds_leaves] == list(range(leeds_size))
    assert [i for i, _ in york_leaves] == list(range(york_size))
    assert not {p for _, p in leeds_leaves} & {p for _, p in york_leaves}
    assert leeds_size + york_size == leeds.client.stored()
    # York's own begin with its being added.
    events = app.recorder.select_notifications(york_leaves[0][1], 1)
    added: Any = app.mapper.to_domain_event(events[0])
    assert type(added).__name__ == "OrganisationAdded"
    assert added.organisation_id == york.id


def test_the_first_councils_log_keeps_its_name_and_key_and_others_have_their_own(
    leeds: Council, york: Council
) -> None:
    name = VERIFIER.name
    assert leeds.verifier == VERIFIER  # as before organisations had trees
    assert york.verifier.name == f"{name}/{york.id}"
    assert york.verifier.public.public_bytes_raw() == VERIFIER.public.public_bytes_raw()
    leeds_note = leeds.client.get("auditor", "/api/log/checkpoint").text
    york_note = york.client.get("auditor", "/api/log/checkpoint").text
    assert Checkpoint.verified(leeds_note, VERIFIER).origin == name
    assert Checkpoint.verified(york_note, york.verifier).origin == f"{name}/{york.id}"
    # One council's checkpoint never passes for the other's log.
    with pytest.raises(NoteError):
        Checkpoint.verified(york_note, VERIFIER)
    with pytest.raises(NoteError):
        Checkpoint.verified(leeds_note, york.verifier)


def test_nothing_one_council_reads_changes_when_another_stores_events(
    leeds: Council, york: Council
) -> None:
    release(leeds, LEEDS_DOCUMENT)
    line = release(leeds, b"%PDF-1.7 a second Leeds document")
    receipt_path = f"{leeds.inspection.path}/ledger/{line}/receipt"
    before = what_is_read(leeds)
    receipt = leeds.client.get("auditor", receipt_path).json()
    busy(york, requests=5)
    release(york, YORK_DOCUMENT)
    after = what_is_read(leeds)
    assert after == before
    assert leeds.client.get("auditor", receipt_path).json() == receipt
    # The refusal of a proof too big names the council's own size, no more.
    size = Checkpoint.verified(before["checkpoint"], VERIFIER).size
    assert f"sizes 1 to {size}," in before["too_big"]["detail"]
    assert before["verify"]["intact"] and before["verify"]["events"] == size
    assert receipt["inclusion"]["size"] == size
    assert verify_receipt(receipt, VERIFIER)["type"] == "DocumentReleased"


def test_a_councils_receipt_and_walk_are_of_its_own_tree(
    leeds: Council, york: Council
) -> None:
    release(leeds, LEEDS_DOCUMENT)
    line = release(york, YORK_DOCUMENT)
    app = york.client.app
    receipt = york.client.get(
        "auditor", f"{york.inspection.path}/ledger/{line}/receipt"
    ).json()
    york_head = app.evidence.head(york.tree)
    assert receipt["inclusion"]["size"] == york_head.size
    checkpoint = Checkpoint.verified(receipt["checkpoint"], york.verifier)
    assert checkpoint.origin.endswith(f"/{york.id}")
    assert verify_receipt(receipt, york.verifier)["inspection_id"] == york.inspection.id
    with pytest.raises(BadReceipt):
        verify_receipt(receipt, VERIFIER)
    walked = york.client.get("auditor", "/api/verify").json()
    assert walked["intact"], walked
    assert walked["events"] == york_head.size
    assert walked["root"] == york_head.root.hex()
    # Another council's position is no receipt of this council's tree.
    position = app.evidence.placed(tree_leaves(app, "")[-1][1])
    assert position is not None and position[0] == ""
    assert (
        app.evidence.receipt(tree_leaves(app, "")[-1][1], _signer(), york.tree) is None
    )


def test_commands_of_two_councils_saved_together_keep_their_trees_apart(
    leeds: Council, york: Council
) -> None:
    app = leeds.client.app
    sizes: list[int] = []
    app.commits.batch_listeners.append(sizes.append)
    errors: list[BaseException] = []

    def crowd(council: Council) -> None:
        try:
            busy(council, requests=12)
        except BaseException as error:
            errors.append(error)

    threads = [
        threading.Thread(target=crowd, args=(council,))
        for council in (leeds, york, leeds, york)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for council in (leeds, york):
        report = app.evidence.verify(tree=council.tree)
        assert report.intact, report.text()
        leaves = tree_leaves(app, council.tree)
        assert [i for i, _ in leaves] == list(range(len(leaves)))
    assert len(tree_leaves(app, "")) + len(tree_leaves(app, york.tree)) == (
        leeds.client.stored()
    )


def test_one_transaction_holding_two_councils_events_grows_each_tree_by_its_own(
    leeds: Council, york: Council
) -> None:
    # What a group commit of two councils' commands saves: one append, each
    # event naming its tree, interleaved.
    app = leeds.client.app
    sends = []
    for attempt in (1, 2):
        for council in (leeds, york):
            ctx = Context(
                "console", "console", datetime.now(UTC), council.inspection.id
            )
            sends.append(
                BlogSend(
                    inspection_id=council.inspection.id,
                    day=iso_day(1),
                    attempt=attempt,
                    trigger="command",
                    meta=ctx.meta(),
                )
            )
    before = {c.tree: app.evidence.head(c.tree).size for c in (leeds, york)}
    app.save(*sends, trees=[leeds.tree, york.tree, leeds.tree, york.tree])
    for council in (leeds, york):
        assert app.evidence.head(council.tree).size == before[council.tree] + 2
        leaves = tree_leaves(app, council.tree)
        assert [i for i, _ in leaves] == list(range(len(leaves)))
        assert app.evidence.verify(tree=council.tree).intact


def test_a_save_that_names_no_organisation_joins_its_inspections_council(
    leeds: Council, york: Council
) -> None:
    # The blog's sends are saved outside the command path: their events say
    # which inspection they belong to, and so which council's tree.
    app = york.client.app
    for council in (leeds, york):
        ctx = Context("console", "console", datetime.now(UTC), council.inspection.id)
        send = BlogSend(
            inspection_id=council.inspection.id,
            day=iso_day(0),
            attempt=1,
            trigger="command",
            meta=ctx.meta(),
        )
        app.save(send)
        position = app.position_of(send.id, 1)
        placed = app.evidence.placed(position)
        assert placed is not None and placed[0] == council.tree
    for council in (leeds, york):
        assert app.evidence.verify(tree=council.tree).intact


# --- export and import: a council takes its own record away ---------------------


def test_a_council_exports_its_own_record_while_another_shares_the_database(
    leeds: Council, york: Council, tmp_path: Path
) -> None:
    release(leeds, LEEDS_DOCUMENT)
    release(york, YORK_DOCUMENT)
    app = york.client.app
    answer = york.client.get("auditor", "/api/log/export")
    assert answer.status_code == 200, answer.text
    out = tmp_path / "york.zip"
    out.write_bytes(answer.content)
    york_head = app.evidence.head(york.tree)
    copy = f"sqlite:///{tmp_path / 'york.db'}"
    with opened(copy) as fresh:
        assert import_log(fresh, out, york.verifier) == york_head.size
        # The same leaves, so the same root: York's checkpoints still hold.
        assert fresh.evidence.head().root == york_head.root
        report = fresh.evidence.verify()
        assert report.intact and report.events == york_head.size, report.text()
        documents = dict(fresh.store.each_document())
        assert documents == {hashlib.sha256(YORK_DOCUMENT).hexdigest(): YORK_DOCUMENT}
        # Only York's events: no Leeds user, inspection or document.
        positions = {p for _, p in tree_leaves(app, york.tree)}
        assert fresh.recorder.max_notification_id() == max(positions)
        assert fresh.first_organisation() == york.id
    # Leeds' own export, beside it, holds none of York's.
    leeds_zip = leeds.client.get("auditor", "/api/log/export")
    assert leeds_zip.status_code == 200
    assert YORK_DOCUMENT not in _unzipped(leeds_zip.content)
    assert leeds.inspection.id not in _unzipped(answer.content).decode(errors="replace")


def _unzipped(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as packed:
        return b"".join(packed.read(name) for name in packed.namelist())


def test_the_export_of_a_council_checks_against_its_own_checkpoints(
    leeds: Council, york: Council, tmp_path: Path
) -> None:
    busy(york)
    note = york.client.get("auditor", "/api/log/checkpoint").text
    out = tmp_path / "york.zip"
    export_log(york.client.app, out, None, york.tree)
    manifest = json.loads(_read(out, "manifest.json"))
    checkpoint = Checkpoint.verified(note, york.verifier)
    assert manifest["events"] == checkpoint.size
    assert manifest["root"] == checkpoint.root.hex()
    assert manifest["tree"] == york.id


def _read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as packed:
        return packed.read(name)


def test_the_command_line_exports_the_council_named_and_asks_which_if_several(
    leeds: Council, york: Council, database_url: str, tmp_path: Path
) -> None:
    busy(york)
    out = tmp_path / "york.zip"
    done = warroom(database_url, "export", "--org", york.id, "--out", str(out))
    assert done.returncode == 0, done.stderr
    york_head = york.client.app.evidence.head(york.tree)
    assert f"exported {york_head.size} events" in done.stdout
    asked = warroom(database_url, "export", "--out", str(tmp_path / "which.zip"))
    assert asked.returncode == 2
    assert "name one with --org" in asked.stderr
    # Each council's log walked; a checkpoint checked against the log its
    # origin names, with that log's own key name.
    kept = tmp_path / "york-checkpoint.txt"
    kept.write_text(york.client.get("auditor", "/api/log/checkpoint").text)
    walked = warroom(database_url, "verify", "--checkpoint", str(kept))
    assert walked.returncode == 0, walked.stderr
    assert f"organisation {york.tree}: intact: {york_head.size} events" in (
        walked.stdout
    )
    assert f"consistent with checkpoint of size {york_head.size}" in walked.stdout
    leeds_only = warroom(database_url, "verify", "--org", leeds.id)
    assert leeds_only.returncode == 0, leeds_only.stderr
    assert leeds_only.stdout.startswith("intact: ")
    assert york.tree not in leeds_only.stdout


# --- a database from before each council had its own tree ---------------------

OLD_TABLES = {
    "warroom_leaves": (
        "(leaf_index {big} PRIMARY KEY, position {big} NOT NULL UNIQUE, "
        "hash {blob} NOT NULL)",
        "leaf_index, position, hash",
    ),
    "warroom_nodes": (
        "(level {big} NOT NULL, idx {big} NOT NULL, hash {blob} NOT NULL, "
        "PRIMARY KEY (level, idx)){without_rowid}",
        "level, idx, hash",
    ),
    "warroom_tree": (
        "(id {big} PRIMARY KEY, size {big} NOT NULL, last_position {big} NOT NULL, "
        "compact {blob} NOT NULL)",
        "1, size, last_position, compact",
    ),
    "warroom_seals": (
        "(inspection_id text NOT NULL, day text NOT NULL, position {big} NOT NULL, "
        "size {big} NOT NULL, note text NOT NULL, PRIMARY KEY (inspection_id, day))",
        "inspection_id, day, position, size, note",
    ),
}


def as_before_organisation_trees(app: WarRoom) -> None:
    """The tree's tables put back in the shape main's code made them (one
    tree, no key), holding the same rows."""
    tree = app.evidence.tree
    postgres = tree.kind == "postgresql"
    q = f'"{tree.schema}".' if postgres else ""
    kinds = {
        "big": "bigint" if postgres else "INTEGER",
        "blob": "bytea" if postgres else "BLOB",
        "without_rowid": "" if postgres else " WITHOUT ROWID",
    }
    with app.evidence.datastore.transaction(commit=True) as c:
        for name, (shape, columns) in OLD_TABLES.items():
            c.execute(f"CREATE TABLE {q}{name}_old {shape.format(**kinds)}")
            c.execute(
                f"INSERT INTO {q}{name}_old SELECT {columns} FROM {q}{name} "
                "WHERE tree = ''"
            )
            c.execute(f"DROP TABLE {q}{name}")
            c.execute(f"ALTER TABLE {q}{name}_old RENAME TO {name}")


@pytest.fixture
def old_database(database_url: str) -> Iterator[str]:
    """The events main stored before organisations, with main's tree tables."""
    old = json.loads(FIXTURE.read_text())
    with opened(database_url) as app:
        app.recorder.insert_events(
            [
                StoredEvent(
                    originator_id=UUID(e["originator_id"]),
                    originator_version=e["originator_version"],
                    topic=e["topic"],
                    state=e["state"].encode(),
                )
                for e in old["events"]
            ]
        )
        as_before_organisation_trees(app)
    yield database_url


def test_an_old_databases_tree_becomes_the_first_councils_and_its_checkpoints_hold(
    old_database: str, tmp_path: Path
) -> None:
    with opened(old_database) as app:
        # Opened by today's code: migrated, the same tree under the key ''.
        head = app.evidence.head()
        assert head.size == app.recorder.max_notification_id()
    with opened(old_database) as app:
        note = app.evidence.checkpoint(_signer())
        assert Checkpoint.verified(note, VERIFIER).origin == VERIFIER.name
        assert app.evidence.trees() == [""]
    settings = Settings(database_url=old_database)
    with TestClient(create_app(settings)) as http:
        client = WarRoomClient(
            http=http, tokens=json.loads(FIXTURE.read_text())["tokens"]
        )
        leeds = organisation(client, "Leeds")
        york = organisation(client, "York")
        assert client.app.tree_of(leeds) == ""
        assert client.get("admin", "/api/log/checkpoint").status_code == 200
        others = WarRoomClient(http=http)
        others.add_users(york)
        Inspection.open(others)
        app = client.app
        report = app.evidence.verify([note], VERIFIER)
        assert report.intact, report.text()
        assert report.checkpoints == [f"consistent with checkpoint of size {head.size}"]
        # The old leaves kept their indexes; the first council's go on from them.
        leaves = tree_leaves(app, "")
        assert [i for i, _ in leaves] == list(range(len(leaves)))
        assert len(leaves) > head.size
        assert app.evidence.root_at(head.size) == head.root
        assert app.evidence.verify(tree=app.tree_of(york)).intact


def test_old_tree_tables_migrate_once_when_two_servers_open_them_at_once(
    old_database: str,
) -> None:
    opened_apps: list[WarRoom] = []
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            opened_apps.append(WarRoom(Database.from_url(old_database)))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=open_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert not errors, errors
        first, second = opened_apps
        assert first.evidence.head() == second.evidence.head()
        assert first.evidence.head().size == first.recorder.max_notification_id()
        assert first.evidence.verify().intact
    finally:
        for app in opened_apps:
            app.close()
