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

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
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
