"""A real OpenID provider for the sign-in tests: the certified Node.js
`oidc-provider` (tests/oidc: package.json and its lock pin it; `scripts/test`
runs `npm ci` there), started on 127.0.0.1 with the clients and accounts a
test names, and a browser-less person to sign in through its login page."""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from tests.servers import free_port, warroom
from warroom.application import WarRoom
from warroom.config import Database

HERE = Path(__file__).parent / "oidc"
START_SECONDS = 60.0


def installed() -> None:
    """`npm ci` in tests/oidc when its node_modules is missing."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, check=True, timeout=300
        )


@dataclass(frozen=True)
class Provider:
    issuer: str

    def post(self, path: str, body: dict[str, Any]) -> None:
        httpx.post(f"{self.issuer}{path}", json=body, timeout=10).raise_for_status()

    def set_groups(self, account: str, groups: list[str]) -> None:
        self.post("/test/groups", {"account": account, "groups": groups})

    def shift_clock(self, seconds: int) -> None:
        self.post("/test/clock", {"offset": seconds})

    def substitute_id_token(self, id_token: str) -> None:
        self.post("/test/substitute", {"id_token": id_token})


@contextmanager
def running_provider(
    clients: list[dict[str, Any]], accounts: dict[str, dict[str, Any]]
) -> Iterator[Provider]:
    installed()
    port = free_port()
    config = {"port": port, "clients": clients, "accounts": accounts}
    folder = Path(tempfile.mkdtemp(prefix="warroom-oidc-"))
    (folder / "config.json").write_text(json.dumps(config))
    log = folder / "provider.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            ["node", str(HERE / "provider.mjs"), str(folder / "config.json")],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    issuer = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"oidc-provider exited: {log.read_text()}")
            try:
                found = httpx.get(
                    f"{issuer}/.well-known/openid-configuration", timeout=1
                )
                if found.status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"oidc-provider silent: {log.read_text()}")
            time.sleep(0.1)
        yield Provider(issuer)
    finally:
        process.terminate()
        process.wait(timeout=20)


def client_of(client_id: str, base: str) -> dict[str, Any]:
    """A client of the provider, as a council's IT registers warroom."""
    return {
        "client_id": client_id,
        "client_secret": f"{client_id}-secret",
        "redirect_uris": [f"{base}/auth/callback"],
        "post_logout_redirect_uris": [f"{base}/"],
    }


def configure(
    database_url: str,
    organisation_id: str,
    issuer: str,
    client_id: str,
    roles: list[str],
    *more: str,
) -> subprocess.CompletedProcess[str]:
    """`warroom org sso`, the secret in a file, as a council's IT would."""
    secret = Path(tempfile.mkdtemp()) / "secret"
    secret.write_text(f"{client_id}-secret\n")
    role_args = [arg for role in roles for arg in ("--role", role)]
    return warroom(
        database_url, "org", "sso", "--org", organisation_id, "--issuer", issuer,
        "--client-id", client_id, "--client-secret-file", str(secret),
        *role_args, *more,
    )  # fmt: skip


def stored(database_url: str) -> int:
    """How many events the log holds."""
    app = WarRoom(Database.from_url(database_url))
    try:
        return app.recorder.max_notification_id() or 0
    finally:
        app.close()


@dataclass
class Started:
    """A sign-in begun at warroom: where it sends the browser, and the
    cookie it set."""

    authorize_url: str
    cookies: httpx.Cookies

    @property
    def params(self) -> dict[str, str]:
        return {
            k: v[0] for k, v in parse_qs(urlsplit(self.authorize_url).query).items()
        }


def start(base: str, organisation_id: str) -> Started:
    answer = httpx.get(f"{base}/auth/login", params={"org": organisation_id})
    assert answer.status_code == 302, answer.text
    return Started(answer.headers["location"], answer.cookies)


def log_in_at_provider(
    authorize_url: str, account: str, until: str, provider: httpx.Client | None = None
) -> str:
    """Signs in on the provider's own login page (any password), and answers
    the URL it sends the browser back to (which starts with `until`)."""
    own = provider is None
    http = provider or httpx.Client(timeout=10)
    try:
        url = authorize_url
        for _ in range(12):
            if url.startswith(until):
                return url
            answer = http.get(url)
            if answer.status_code in (302, 303):
                url = urljoin(url, answer.headers["location"])
                continue
            form = re.search(r'<form[^>]*action="([^"]+)"', answer.text)
            assert form is not None, answer.text
            action = urljoin(url, unescape(form.group(1)))
            data = {"login": account, "password": "any"}
            if 'name="prompt" value="consent"' in answer.text:
                data = {"prompt": "consent"}
            elif 'name="prompt" value="login"' in answer.text:
                data["prompt"] = "login"
            posted = http.post(action, data=data)
            assert posted.status_code in (302, 303), posted.text
            url = urljoin(action, posted.headers["location"])
        raise AssertionError(f"never came back to {until}")
    finally:
        if own:
            http.close()
