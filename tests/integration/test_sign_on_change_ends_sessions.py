"""A council's sign-in changed (`warroom org sso`) ends the sessions of its
people, on a running server, and no other council's (issue 26: sessions "end
when ... the organisation's sign-in is changed")."""

from __future__ import annotations

import time

import httpx

from tests.oidc_provider import configure
from tests.servers import running_server, warroom


def _add_org(url: str, name: str) -> str:
    done = warroom(url, "org", "add", "--name", name)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[-1]


def _link_secret(url: str, org: str, name: str) -> str:
    done = warroom(url, "user", "add", "--name", name, "--role", "lead", "--org", org)
    assert done.returncode == 0, done.stderr
    line = next(x for x in done.stdout.splitlines() if "sign-in link" in x)
    return line.rsplit("#token=", 1)[1]


def _session(base: str, secret: str) -> str:
    began = httpx.post(f"{base}/auth/link", json={"token": secret})
    assert began.status_code == 200, began.text
    session = began.cookies.get("warroom_session")
    assert session
    return session


def _me(base: str, session: str) -> int:
    return httpx.get(f"{base}/api/me", cookies={"warroom_session": session}).status_code


def test_a_councils_sign_in_changed_ends_its_peoples_sessions_only(
    database_url: str,
) -> None:
    url = database_url
    leeds = _add_org(url, "Leeds")
    york = _add_org(url, "York")
    leeds_link = _link_secret(url, leeds, "Lee Lead")
    york_link = _link_secret(url, york, "Yan Lead")
    with running_server(url) as base:
        at_leeds = _session(base, leeds_link)
        at_york = _session(base, york_link)
        assert (_me(base, at_leeds), _me(base, at_york)) == (200, 200)
        done = configure(
            url, leeds, "https://accounts.google.com", "client.apps", ["a@x=staff"]
        )
        assert done.returncode == 0, done.stderr
        # The server learns of the change from the log, as another process would.
        deadline = time.monotonic() + 15
        while _me(base, at_leeds) != 401 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _me(base, at_leeds) == 401
        assert _me(base, at_york) == 200
