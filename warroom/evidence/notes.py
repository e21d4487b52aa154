"""Signed checkpoints: C2SP `tlog-checkpoint` notes signed as C2SP `signed-note`s
with Ed25519 (the formats Go's golang.org/x/mod/sumdb/note reads).

- signer key:   PRIVATE+KEY+<name>+<key id, 8 hex>+<base64(0x01 || 32-byte seed)>
- verifier key: <name>+<key id, 8 hex>+<base64(0x01 || 32-byte public key)>
- key id:       the first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key)
- note:         text (ending in a newline), a blank line, then one line per
                signature: "\u2014 <name> <base64(key id || Ed25519 signature)>"
- checkpoint:   "<origin>\\n<tree size>\\n<base64 root hash>\\n", signed as a note
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

ED25519 = b"\x01"
DASH = "\u2014"


class NoteError(ValueError):
    """A key, note or checkpoint that is malformed or not signed by the key."""


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _check_name(name: str) -> None:
    if not name or "+" in name or any(c.isspace() for c in name):
        raise NoteError(f"a key name has no spaces and no '+': {name!r}")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError("not base64") from None


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: bytes
    public: Ed25519PublicKey

    @classmethod
    def parse(cls, text: str) -> Verifier:
        parts = text.strip().split("+", 2)  # base64 may hold "+" too
        if len(parts) != 3:
            raise NoteError("a verifier key is <name>+<id>+<base64 key>")
        name, hex_id, b64 = parts
        _check_name(name)
        raw = _b64decode(b64)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise NoteError("not an Ed25519 verifier key")
        key_id = _key_id(name, raw[1:])
        if hex_id.lower() != key_id.hex():
            raise NoteError("the verifier key's id does not match its key")
        return cls(name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:]))

    def verifies(self, text: bytes, signature: bytes) -> bool:
        try:
            self.public.verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: bytes
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls, name: str) -> Signer:
        _check_name(name)
        private = Ed25519PrivateKey.generate()
        return cls(name, _key_id(name, _public_bytes(private)), private)

    @classmethod
    def parse(cls, text: str) -> Signer:
        parts = text.strip().split("+", 4)
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise NoteError("a signer key is PRIVATE+KEY+<name>+<id>+<base64 key>")
        name, hex_id, b64 = parts[2:]
        _check_name(name)
        raw = _b64decode(b64)
        if len(raw) != 33 or raw[:1] != ED25519:
            raise NoteError("not an Ed25519 signer key")
        private = Ed25519PrivateKey.from_private_bytes(raw[1:])
        key_id = _key_id(name, _public_bytes(private))
        if hex_id.lower() != key_id.hex():
            raise NoteError("the signer key's id does not match its key")
        return cls(name, key_id, private)

    def named(self, name: str) -> Signer:
        """The same key under another name (and so another key id): how each
        organisation's log gets its own origin and verifier key
        (`warroom.evidence.tree.signer_for`)."""
        _check_name(name)
        return Signer(name, _key_id(name, _public_bytes(self.private)), self.private)

    def key_text(self) -> str:
        seed = self.private.private_bytes(
            Encoding.Raw, PrivateFormat.Raw, NoEncryption()
        )
        b64 = base64.b64encode(ED25519 + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id.hex()}+{b64}"

    def verifier_text(self) -> str:
        b64 = base64.b64encode(ED25519 + _public_bytes(self.private)).decode()
        return f"{self.name}+{self.key_id.hex()}+{b64}"

    def verifier(self) -> Verifier:
        return Verifier.parse(self.verifier_text())

    def sign(self, text: str) -> str:
        """The note: `text` (ending in a newline) with this key's signature."""
        if not text.endswith("\n"):
            raise NoteError("a note's text ends with a newline")
        signature = self.private.sign(text.encode())
        b64 = base64.b64encode(self.key_id + signature).decode()
        return f"{text}\n{DASH} {self.name} {b64}\n"


def _public_bytes(private: Ed25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def open_note(note: str, verifier: Verifier) -> str:
    """The note's text, if the verifier's key signed it; NoteError if not."""
    text, sep, signatures = note.rpartition("\n\n")
    if not sep or not signatures.endswith("\n"):
        raise NoteError("not a signed note")
    for line in signatures[:-1].split("\n"):
        dash, _, rest = line.partition(" ")
        name, _, b64 = rest.partition(" ")
        if dash != DASH or not name or not b64:
            raise NoteError("malformed signature line")
        if name != verifier.name:
            continue
        raw = _b64decode(b64)
        if raw[:4] == verifier.key_id and verifier.verifies(
            (text + "\n").encode(), raw[4:]
        ):
            return text + "\n"
    raise NoteError(f"the note carries no valid signature by {verifier.name}")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    # Extension lines (C2SP tlog-checkpoint), after the root: signed with it.
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        root = base64.b64encode(self.root).decode()
        more = "".join(f"{line}\n" for line in self.extensions)
        return f"{self.origin}\n{self.size}\n{root}\n{more}"

    def signed(self, signer: Signer) -> str:
        return signer.sign(self.text())

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        lines = text.split("\n")
        if len(lines) < 4 or not lines[0]:
            raise NoteError("a checkpoint is origin, size and root hash, a line each")
        origin, size_text, root_b64 = lines[:3]
        if not size_text.isdigit() or (size_text != "0" and size_text[0] == "0"):
            raise NoteError("a checkpoint's size is a decimal number")
        root = _b64decode(root_b64)
        if len(root) != 32:
            raise NoteError("a checkpoint's root is a SHA-256 hash")
        extensions = tuple(line for line in lines[3:] if line)
        return cls(origin, int(size_text), root, extensions)

    @classmethod
    def verified(cls, note: str, verifier: Verifier) -> Checkpoint:
        """The checkpoint in a note, if the verifier's key signed it."""
        checkpoint = cls.from_text(open_note(note, verifier))
        if checkpoint.origin != verifier.name:
            raise NoteError(
                f"the checkpoint is of the log {checkpoint.origin!r}, "
                f"not {verifier.name!r}"
            )
        return checkpoint
