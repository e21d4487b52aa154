"""Single sign-on against a real OpenID provider (issue 26), without a
browser: the flow, and every refusal storing nothing."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx

from tests.e2e.sign_on_world import World, add_org, two_councils
from tests.oidc_provider import configure, log_in_at_provider, start, stored
from warroom.application import WarRoom
from warroom.config import Database


def _signed_in(world: World, org: str, account: str) -> str:
    """Signs the account in through the provider; the session the callback
    began (its cookie), with no secret in the address it sends them to."""
    started = start(world.base, org)
    back = log_in_at_provider(started.authorize_url, account, world.base)
    answer = httpx.get(back, cookies=started.cookies)
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert urlsplit(location).path == "/" and "token" not in location, location
    session = answer.cookies.get("warroom_session")
    assert session, answer.headers
    return session


def _me(world: World, session: str) -> dict[str, str]:
    answer = httpx.get(f"{world.base}/api/me", cookies={"warroom_session": session})
    assert answer.status_code == 200, answer.text
    me: dict[str, str] = answer.json()
    return me


def test_people_of_two_councils_sign_in_with_the_roles_their_groups_give(
    database_url: str,
) -> None:
    with two_councils(database_url) as world:
        ann = _me(world, _signed_in(world, world.leeds, "ann"))
        assert (ann["name"], ann["role"]) == ("Ann Archer", "admin")
        cat = _me(world, _signed_in(world, world.york, "cat"))
        assert (cat["name"], cat["role"]) == ("Cat Cole", "lead")
        assert ann["organisation_id"] == world.leeds
        assert cat["organisation_id"] == world.york


def _events_named(database_url: str, name: str) -> list[dict[str, object]]:
    app = WarRoom(Database.from_url(database_url))
    try:
        found = []
        start_at = 1
        while page := app.recorder.select_notifications(start_at, 500):
            for notification in page:
                if notification.topic.endswith(f".{name}"):
                    event = app.mapper.to_domain_event(notification)
                    found.append({"id": str(event.originator_id), **vars(event)})
            start_at = page[-1].id + 1
        return found
    finally:
        app.close()


def _refused(world: World, url: str, cookies: httpx.Cookies, status: int = 400) -> str:
    before = stored(world.database_url)
    answer = httpx.get(url, cookies=cookies)
    assert answer.status_code == status, answer.text
    assert stored(world.database_url) == before  # nothing stored
    return answer.text


def test_each_sign_in_brings_the_role_up_to_date_and_unmapped_people_are_refused(
    database_url: str,
) -> None:
    with two_councils(database_url) as world:
        admin = _signed_in(world, world.leeds, "ann")
        first = _me(world, admin)
        assert first["role"] == "admin"
        # A war room admin's revocation stands: the provider does not lift it.
        bob = _me(world, _signed_in(world, world.leeds, "bob"))
        revoked = httpx.post(
            f"{world.base}/api/users/{bob['id']}/revoke",
            json={},
            cookies={"warroom_session": admin},
            headers={"X-CSRF-Token": first["csrf_token"]},
        )
        assert revoked.status_code == 200, revoked.text
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "bob", world.base)
        assert "revoked" in _refused(world, back, started.cookies, 403)
        # Again, unchanged: no RoleChanged.
        _signed_in(world, world.leeds, "ann")
        assert _events_named(database_url, "RoleChanged") == []
        world.provider.set_groups("ann", ["wr-staff"])
        token = _signed_in(world, world.leeds, "ann")
        assert _me(world, token) == {**_me(world, token), "id": first["id"]}
        assert _me(world, token)["role"] == "staff"
        changed = _events_named(database_url, "RoleChanged")
        assert [(e["id"], e["role"]) for e in changed] == [(first["id"], "staff")]
        # Matched by issuer and subject: one link, one user.
        links = _events_named(database_url, "SingleSignOnSubjectLinked")
        linked = {e["subject"]: e["user_id"] for e in links}
        assert linked == {"ann": first["id"], "bob": bob["id"]}
        # Her groups no longer map: refused, nothing stored.
        world.provider.set_groups("ann", ["finance"])
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        assert "No access" in _refused(world, back, started.cookies, 403)
        # A first visit whose groups map to nothing: no user made.
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "dan", world.base)
        assert "No access" in _refused(world, back, started.cookies, 403)
        # York's lead through Leeds's sign-in: York's groups mean nothing there.
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "cat", world.base)
        _refused(world, back, started.cookies, 403)


def _with_param(url: str, **changed: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    return urlunsplit(parts._replace(query=urlencode({**query, **changed})))


def test_a_wrong_state_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        said = _refused(world, _with_param(back, state="not-the-one"), started.cookies)
        assert "state" in said
        # And with no cookie at all (another browser's callback).
        _refused(world, back, httpx.Cookies())


def test_a_replayed_code_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        assert httpx.get(back, cookies=started.cookies).status_code == 303
        said = _refused(world, back, started.cookies)
        assert "invalid_grant" in said


def test_an_id_token_for_another_client_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        started = start(world.base, world.leeds)
        # A real ID token the provider issued to York's client, with the very
        # nonce Leeds's sign-in asked for: only its audience is wrong.
        york_token = _id_token_of(world, "york", "ann", started.params["nonce"])
        world.provider.substitute_id_token(york_token)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        said = _refused(world, back, started.cookies)
        assert "aud" in said


def test_an_expired_id_token_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        # The provider's clock two hours behind: its ID token (an hour's)
        # expired an hour ago.
        world.provider.shift_clock(-7200)
        try:
            said = _refused(world, back, started.cookies)
        finally:
            world.provider.shift_clock(0)
        assert "exp" in said


def test_an_unknown_issuer_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        # The answer names another issuer (RFC 9207's `iss`).
        started = start(world.base, world.leeds)
        back = log_in_at_provider(started.authorize_url, "ann", world.base)
        assert parse_qs(urlsplit(back).query)["iss"] == [world.provider.issuer]
        elsewhere = _with_param(back, iss="http://127.0.0.1:9/")
        assert "came from" in _refused(world, elsewhere, started.cookies)
        # A council configured with an issuer its provider does not call
        # itself: the discovery document names another, so no sign-in starts.
        bradford = add_org(database_url, "Bradford")
        other_name = world.provider.issuer.replace("127.0.0.1", "localhost")
        done = configure(database_url, bradford, other_name, "leeds", ["x=staff"])
        assert done.returncode == 0, done.stderr
        before = stored(database_url)
        answer = httpx.get(f"{world.base}/auth/login", params={"org": bradford})
        assert answer.status_code == 502
        assert "issuer" in answer.text
        assert stored(database_url) == before


def test_a_code_without_its_pkce_verifier_is_refused(database_url: str) -> None:
    with two_councils(database_url) as world:
        started = start(world.base, world.leeds)
        assert started.params["code_challenge_method"] == "S256"
        assert len(started.params["code_challenge"]) == 43
        # The provider requires PKCE: a request without a challenge is refused.
        bare = _with_param(started.authorize_url, code_challenge="")
        bare = bare.replace("code_challenge=&", "")
        back = log_in_at_provider(bare, "ann", world.base)
        assert "error=invalid_request" in back
        # A code bound to another challenge (an attacker's own sign-in),
        # brought to this browser's callback: warroom's verifier is not the
        # one the code needs, and the provider refuses it.
        stolen = _code_of(world, "leeds", "ann", nonce=started.params["nonce"])
        injected = _with_param(
            stolen, state=started.params["state"], iss=world.provider.issuer
        )
        assert "invalid_grant" in _refused(world, injected, started.cookies)


def _authorize(world: World, client_id: str, nonce: str) -> tuple[str, str]:
    """An authorization request of the test's own; its URL and verifier."""
    verifier = secrets.token_urlsafe(48)
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        .rstrip(b"=")
        .decode()
    )
    query = urlencode(
        {
            "client_id": client_id,
            "response_type": "code",
            "scope": "openid profile email",
            "redirect_uri": f"{world.base}/auth/callback",
            "state": secrets.token_urlsafe(8),
            "nonce": nonce,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    return f"{world.provider.issuer}/auth?{query}", verifier


def _code_of(world: World, client_id: str, account: str, nonce: str) -> str:
    url, _ = _authorize(world, client_id, nonce)
    return log_in_at_provider(url, account, world.base)


def _id_token_of(world: World, client_id: str, account: str, nonce: str) -> str:
    url, verifier = _authorize(world, client_id, nonce)
    back = log_in_at_provider(url, account, world.base)
    code = parse_qs(urlsplit(back).query)["code"][0]
    answer = httpx.post(
        f"{world.provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": f"{world.base}/auth/callback",
            "code_verifier": verifier,
        },
        auth=(client_id, f"{client_id}-secret"),
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["id_token"]
    return token
