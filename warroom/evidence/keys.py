"""Where the server's signing key comes from. Never from the database it signs:
someone able to rewrite the database could then re-sign it."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from warroom.config import Database
from warroom.evidence.notes import NoteError, Signer


class NoSigningKey(RuntimeError):
    """No usable signing key, and none may be made here."""


def key_file_beside(database: Database) -> Path:
    return Path(database.sqlite_path + ".signing-key")


def load_signer(
    database: Database, key: str = "", key_file: str = "", *, make: bool = True
) -> tuple[Signer, str | None]:
    """The signer, and a sentence to tell the operator when one was made.

    WARROOM_SIGNING_KEY, else WARROOM_SIGNING_KEY_FILE, else (SQLite only) a
    key in a file beside the database, made on first use.
    """
    if key:
        return _parse(key, "WARROOM_SIGNING_KEY"), None
    if key_file:
        path = Path(key_file)
        if not path.is_file():
            raise NoSigningKey(f"WARROOM_SIGNING_KEY_FILE names {path}: no such file")
        return _parse(path.read_text(), str(path)), None
    if database.kind != "sqlite":
        raise NoSigningKey(
            "no signing key: on PostgreSQL set WARROOM_SIGNING_KEY or "
            "WARROOM_SIGNING_KEY_FILE (make one with `warroom keygen --name NAME`); "
            "the key is never kept in the database it signs"
        )
    path = key_file_beside(database)
    if path.is_file():
        return _parse(path.read_text(), str(path)), None
    if not make:
        raise NoSigningKey(f"no signing key: none configured, and no {path}")
    signer = Signer.generate(f"warroom.localhost/{secrets.token_hex(4)}")
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as out:
        out.write(signer.key_text() + "\n")
    return signer, (
        f"made a signing key for the log's checkpoints in {path} (keep it "
        f"safe, apart from backups of the database); its verifier key: "
        f"{signer.verifier_text()}"
    )


def _parse(text: str, where: str) -> Signer:
    try:
        return Signer.parse(text)
    except NoteError as error:
        raise NoSigningKey(f"{where} is not a signer key: {error}") from None
