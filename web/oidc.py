"""OpenID Connect clients (Authlib's, for Starlette), one per organisation.

Each organisation's client is made from its settings in the log
(`SingleSignOnConfigured`) the first time this process needs it, and made
again when they change (its key holds them all). Its provider's discovery
document and keys are fetched by Authlib and kept with it.

What Authlib keeps between the redirect to the provider and the callback
(state, nonce, PKCE verifier, redirect URI) is in a cookie sealed with
AES-GCM under a key derived from the server's signing key, which every
server process holds: the callback may reach any of them, and the browser
can neither read the verifier nor change the organisation it is for.
"""

from __future__ import annotations

import base64
import json
import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from warroom.application import WarRoom
from warroom.domain.organisation import Organisations, SignOnSettings
from warroom.evidence.notes import Signer
from warroom.sign_on_secret import SecretSeal

# The scopes asked for: the standard ones alone, which every provider takes
# (Entra ID and Google refuse a scope they do not know). Groups and app roles
# come in the ID token as the provider is set to send them (Entra ID: its
# "groups" or "roles" claim; the tests' provider: "groups" with "profile").
SCOPES = "openid profile email"
# How long a person has on the provider's pages before the callback.
TRANSACTION_SECONDS = 600
# Clock skew allowed on the ID token's times (exp, iat), in seconds.
LEEWAY = 60
HKDF_INFO = b"warroom oidc transaction cookie v1"


class SignOnUnavailable(LookupError):
    """The organisation has no single sign-on (or does not exist)."""


def discovery_url(issuer: str) -> str:
    return issuer.rstrip("/") + "/.well-known/openid-configuration"


def sign_on_of(app: WarRoom, organisation_id: str) -> SignOnSettings:
    registry_id = Organisations.create_id()
    if app.exists(registry_id):
        settings = app.load(Organisations, registry_id).sign_on_of(organisation_id)
        if settings is not None:
            return settings
    raise SignOnUnavailable(f"organisation {organisation_id} has no single sign-on")


def configured_issuers(app: WarRoom) -> dict[str, str]:
    """Each organisation's issuer, for those that have one."""
    registry_id = Organisations.create_id()
    if not app.exists(registry_id):
        return {}
    held = app.load(Organisations, registry_id).sign_on
    return {org: settings["issuer"] for org, settings in held.items()}


@dataclass(frozen=True)
class Client:
    settings: SignOnSettings
    app: StarletteOAuth2App


class Clients:
    """This process's OpenID clients, by organisation."""

    def __init__(self, signer: Signer) -> None:
        self._seal = SecretSeal(signer)
        self._clients: dict[tuple[str, str], Client] = {}
        self._lock = threading.Lock()

    def of(self, organisation_id: str, settings: SignOnSettings) -> Client:
        # Sealed afresh (a new nonce) each time sign-in is configured: a
        # change of any setting makes a new client.
        key = (organisation_id, settings.client_secret_sealed)
        with self._lock:
            held = self._clients.get(key)
            if held is None:
                held = self._clients[key] = Client(
                    settings, self._make(organisation_id, settings)
                )
            return held

    def _make(self, organisation_id: str, settings: SignOnSettings) -> Any:
        secret = self._seal.open(
            settings.client_secret_sealed,
            organisation_id,
            settings.issuer,
            settings.client_id,
        )
        # A registry of one: Authlib's clients are made by a registry.
        return OAuth().register(
            name=organisation_id,
            client_id=settings.client_id,
            client_secret=secret,
            server_metadata_url=discovery_url(settings.issuer),
            client_kwargs={"scope": SCOPES, "code_challenge_method": "S256"},
        )


class Transactions:
    """Seals what the callback needs into a cookie, and opens it again."""

    def __init__(self, signer: Signer) -> None:
        seed = signer.private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        key = HKDF(hashes.SHA256(), 32, b"warroom", HKDF_INFO).derive(seed)
        self._aead = AESGCM(key)

    def seal(
        self, kind: str, held: dict[str, Any], seconds: float = TRANSACTION_SECONDS
    ) -> str:
        body = json.dumps({**held, "exp": time.time() + seconds})
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, body.encode(), kind.encode())
        return base64.urlsafe_b64encode(nonce + sealed).decode()

    def open(self, kind: str, cookie: str | None) -> dict[str, Any] | None:
        """None: no cookie, another server's, altered, or too old."""
        if not cookie:
            return None
        try:
            raw = base64.urlsafe_b64decode(cookie.encode())
            plain = self._aead.decrypt(raw[:12], raw[12:], kind.encode())
        except (ValueError, InvalidTag):
            return None
        held: dict[str, Any] = json.loads(plain)
        return held if held.get("exp", 0) > time.time() else None
