"""The server's VAPID key pair (RFC 8292): one P-256 key that signs every push.

`WARROOM_VAPID_PRIVATE_KEY` if set (PEM, or the 32-byte private value in
base64url); else derived with HKDF-SHA256 from the key that signs the log's
checkpoints (`WARROOM_SIGNING_KEY`, its file, or on SQLite the file beside
the database). Every server process on one database holds that key, so they
all sign with the same pair, and a restart keeps it: a browser subscribed
under the key stays subscribed. The checkpoints' key itself never leaves the
server: HKDF is one-way.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from warroom.config import Settings
from warroom.evidence.notes import Signer

# The order of P-256: a private value is in [1, N - 1].
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# Changing these changes every derived key, and so every subscription.
HKDF_SALT = b"warroom"
HKDF_INFO = b"warroom web push vapid p-256 v1"


class BadVapidKey(ValueError):
    """WARROOM_VAPID_PRIVATE_KEY holds no P-256 private key."""


def vapid_key(settings: Settings, signer: Signer) -> ec.EllipticCurvePrivateKey:
    configured = settings.vapid_private_key.get_secret_value().strip()
    if configured:
        return _parse(configured)
    return derived_from(signer)


def derived_from(signer: Signer) -> ec.EllipticCurvePrivateKey:
    seed = signer.private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    # 48 bytes reduced modulo the order: as good as uniform (FIPS 186-5 A.2.1).
    okm = HKDF(hashes.SHA256(), 48, HKDF_SALT, HKDF_INFO).derive(seed)
    value = int.from_bytes(okm, "big") % (P256_ORDER - 1) + 1
    return ec.derive_private_key(value, ec.SECP256R1())


def public_key_b64(key: ec.EllipticCurvePrivateKey) -> str:
    """The public key as browsers take it (`applicationServerKey`): the
    uncompressed point, base64url without padding."""
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _parse(text: str) -> ec.EllipticCurvePrivateKey:
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) != 32:
                raise ValueError("not 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as error:
        raise BadVapidKey(
            f"WARROOM_VAPID_PRIVATE_KEY is not a P-256 private key ({error})"
        ) from None
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise BadVapidKey("WARROOM_VAPID_PRIVATE_KEY is not a P-256 private key")
    return key


# --- a device's address and keys, sealed for the log -------------------------

SEAL_INFO = b"warroom web push subscription seal v1"
TAG_INFO = b"warroom web push subscription tag v1"


@dataclass(frozen=True)
class OpenDevice:
    """A device as the server sends to it: its address and keys in clear."""

    id: str
    user_id: str
    endpoint: str
    p256dh: str
    auth: str


@dataclass(frozen=True)
class PushKeys:
    """The VAPID key, and the keys that seal a device's address and keys
    before they are stored: the log (and so an organisation's export, which
    its auditor may download) holds them only as AES-GCM ciphertext, which
    only a server holding the VAPID key opens. Derived from the VAPID key,
    as a subscription is bound to it: a new VAPID key ends every subscription
    anyway."""

    vapid: ec.EllipticCurvePrivateKey
    seal_key: bytes
    tag_key: bytes

    @classmethod
    def of(cls, settings: Settings, signer: Signer) -> PushKeys:
        vapid = vapid_key(settings, signer)
        raw = vapid.private_numbers().private_value.to_bytes(32, "big")
        return cls(
            vapid,
            HKDF(hashes.SHA256(), 32, HKDF_SALT, SEAL_INFO).derive(raw),
            HKDF(hashes.SHA256(), 32, HKDF_SALT, TAG_INFO).derive(raw),
        )

    @property
    def public(self) -> str:
        return public_key_b64(self.vapid)

    def seal(self, user_id: str, endpoint: str, p256dh: str, auth: str) -> str:
        nonce = os.urandom(12)
        plain = json.dumps({"endpoint": endpoint, "p256dh": p256dh, "auth": auth})
        sealed = AESGCM(self.seal_key).encrypt(nonce, plain.encode(), user_id.encode())
        return b64url(nonce + sealed)

    def open(self, device_id: str, user_id: str, sealed: str) -> OpenDevice | None:
        """None: sealed under another key (the VAPID key changed)."""
        raw = b64url_decode(sealed)
        try:
            plain = AESGCM(self.seal_key).decrypt(raw[:12], raw[12:], user_id.encode())
        except InvalidTag:
            return None
        held = json.loads(plain)
        return OpenDevice(device_id, user_id, **held)

    def tag(self, *parts: str) -> str:
        """Tells the same address (or keys) again, giving nothing of it away."""
        joined = "\x1f".join(parts).encode()
        return hmac.new(self.tag_key, joined, hashlib.sha256).hexdigest()
