"""`warroom org sso` (issue 26), as a council's IT runs it: the settings are
stored as an event on the organisation, the client secret sealed (never in
clear in the log), bad input refused with exit 2 and nothing stored, and
/openapi.json declares the provider's discovery URL."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.oidc_provider import configure, stored
from tests.servers import running_server, warroom
from warroom.application import WarRoom
from warroom.config import Database
from warroom.domain.organisation import Organisations


def _add_org(url: str, name: str) -> str:
    done = warroom(url, "org", "add", "--name", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def _log_as_read(url: str) -> str:
    """Every event of the log, decoded (decompressed, decrypted), as text."""
    app = WarRoom(Database.from_url(url))
    try:
        notifications = app.recorder.select_notifications(1, 10_000)
        return repr([vars(app.mapper.to_domain_event(n)) for n in notifications])
    finally:
        app.close()


def test_an_organisations_sign_in_is_configured_from_the_command_line(
    database_url: str, tmp_path: Path
) -> None:
    url = database_url
    leeds = _add_org(url, "Leeds")
    york = _add_org(url, "York")
    done = configure(
        url, leeds, "https://login.microsoftonline.com/tenant-id/v2.0", "app-id",
        ["wr-admins=admin", "Warroom.Staff=staff"], "--claim", "roles",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "/auth/callback" in done.stdout
    app = WarRoom(Database.from_url(url))
    try:
        held = app.load(Organisations, Organisations.create_id()).sign_on_of(leeds)
    finally:
        app.close()
    assert held is not None
    assert (held.issuer, held.client_id, held.claim) == (
        "https://login.microsoftonline.com/tenant-id/v2.0",
        "app-id",
        "roles",
    )
    assert held.roles == {"wr-admins": "admin", "Warroom.Staff": "staff"}
    assert held.role_for({"roles": ["Warroom.Staff"]}) == "staff"
    assert held.role_for({"roles": ["other"]}) is None
    # The secret is sealed: nowhere in the log in clear, even decoded.
    as_read = _log_as_read(url)
    assert "client_secret_sealed" in as_read
    assert "app-id-secret" not in as_read
    secret = tmp_path / "secret"
    secret.write_text("s3cret")
    before = stored(url)
    for refused in (
        ("--org", "nowhere", "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "g=staff"),
        ("--org", york, "--issuer", "http://id.example", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "g=staff"),
        ("--org", york, "--issuer", "not a url", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "g=staff"),
        ("--org", york, "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(tmp_path / "missing"), "--role", "g=staff"),
        ("--org", york, "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "g=boss"),
        ("--org", york, "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "no-equals"),
        ("--org", york, "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(secret)),
        ("--org", york, "--issuer", "https://id.example", "--client-id", " ",
         "--client-secret-file", str(secret), "--role", "g=staff"),
        ("--org", york, "--issuer", "https://id.example", "--client-id", "c",
         "--client-secret-file", str(secret), "--role", "g=staff",
         "--role", "g=lead"),
    ):  # fmt: skip
        done = warroom(url, "org", "sso", *refused)
        assert done.returncode == 2, (refused, done.stdout, done.stderr)
        assert done.stderr.startswith("warroom: "), done.stderr
    empty = tmp_path / "empty"
    empty.write_text("\n")
    done = warroom(
        url, "org", "sso", "--org", york, "--issuer", "https://id.example",
        "--client-id", "c", "--client-secret-file", str(empty), "--role", "g=staff",
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert stored(url) == before


def test_openapi_declares_the_providers_discovery_url(database_url: str) -> None:
    url = database_url
    leeds = _add_org(url, "Leeds")
    with running_server(url) as base:
        spec = httpx.get(f"{base}/openapi.json").json()
        schemes = spec.get("components", {}).get("securitySchemes", {})
        assert not any(s["type"] == "openIdConnect" for s in schemes.values())
        issuer = "https://accounts.google.com"
        done = configure(url, leeds, issuer, "client.apps", ["staff@x=staff"])
        assert done.returncode == 0, done.stderr
        spec = httpx.get(f"{base}/openapi.json").json()
        scheme = spec["components"]["securitySchemes"]["openIdConnect"]
        assert scheme == {
            **scheme,
            "type": "openIdConnect",
            "openIdConnectUrl": f"{issuer}/.well-known/openid-configuration",
        }
