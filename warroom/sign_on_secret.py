"""An OpenID client secret, sealed before it is stored in the log.

The secret is sealed with AES-GCM under a key derived (HKDF-SHA256) from the
key that signs the log's checkpoints: every server process of a database
holds that key, the command line that configures sign-in reads the same
settings, and the key is never kept in the database it signs. So the log,
and an organisation's export (which its auditor may download), hold only
ciphertext, and every server opens it without a file to copy to each
machine. Bound to the organisation, issuer and client id (AES-GCM's
associated data): a sealed secret copied to another organisation's settings
does not open. A new signing key means configuring sign-in again.

Why not a path to a file read at each sign-in: each server machine would need
the file, and a secret rotated by hand on one would silently differ on
another; the log is what every process already shares.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from warroom.evidence.notes import Signer

# Changing these makes every stored secret unreadable.
HKDF_SALT = b"warroom"
HKDF_INFO = b"warroom oidc client secret seal v1"
NONCE = 12


class SecretUnreadable(ValueError):
    """Sealed under another signing key (or altered)."""


class SecretSeal:
    def __init__(self, signer: Signer) -> None:
        seed = signer.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        self._aead = AESGCM(
            HKDF(hashes.SHA256(), 32, HKDF_SALT, HKDF_INFO).derive(seed)
        )

    def seal(self, secret: str, *bound_to: str) -> str:
        nonce = os.urandom(NONCE)
        sealed = self._aead.encrypt(nonce, secret.encode(), _bound(bound_to))
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, sealed: str, *bound_to: str) -> str:
        raw = base64.urlsafe_b64decode(sealed)
        try:
            plain = self._aead.decrypt(raw[:NONCE], raw[NONCE:], _bound(bound_to))
        except InvalidTag:
            raise SecretUnreadable(
                "the client secret was sealed under another signing key: "
                "configure sign-in again (`warroom org sso`)"
            ) from None
        return plain.decode()


def _bound(parts: tuple[str, ...]) -> bytes:
    return "\x1f".join(parts).encode()
