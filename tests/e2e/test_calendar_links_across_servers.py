"""Two real `warroom serve` processes on one database: a calendar link revoked
on one answers 404 on the other too, once that one's read side has folded the
revocation in (milliseconds on PostgreSQL, a poll of 0.25 s on SQLite); so do
the links made for a user whose token was revoked or rotated on one. The
bound below is loose, there only so that a process that never learns fails.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx

from tests.days import iso_day
from tests.servers import add_user, running_server

LEARNS_WITHIN = 20.0  # seconds


def _gone_within(url: str) -> bool:
    deadline = time.monotonic() + LEARNS_WITHIN
    while time.monotonic() < deadline:
        if httpx.get(url, timeout=10).status_code == 404:
            return True
        time.sleep(0.05)
    return False


def test_a_link_revoked_on_one_server_is_not_found_on_the_other(
    database_url: str,
) -> None:
    admin = add_user(database_url, "Admin", "admin")
    lead = add_user(database_url, "Lead", "lead")
    with running_server(database_url) as one, running_server(database_url) as two:
        auth = {"Authorization": f"Bearer {admin}"}
        iid = httpx.post(
            f"{one}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers={"Authorization": f"Bearer {lead}"},
        ).json()["id"]
        made = httpx.post(
            f"{one}/api/inspections/{iid}/calendar-links",
            json={"person": "Lead"},
            headers=auth,
        )
        assert made.status_code == 201, made.text
        link = made.json()
        secret_path = urlsplit(link["url"]).path
        on_one, on_two = one + secret_path, two + secret_path
        # Both have looked the secret up, and keep it.
        assert httpx.get(on_one, timeout=10).status_code == 200
        assert httpx.get(on_two, timeout=10).status_code == 200
        revoked = httpx.delete(f"{one}/api/calendar-links/{link['id']}", headers=auth)
        assert revoked.status_code == 200, revoked.text
        assert httpx.get(on_one, timeout=10).status_code == 404  # at once
        assert _gone_within(on_two)


def test_a_user_revoked_or_rotated_on_one_server_has_no_links_on_the_other(
    database_url: str,
) -> None:
    admin = add_user(database_url, "Admin", "admin")
    lead = add_user(database_url, "Lead", "lead")
    with running_server(database_url) as one, running_server(database_url) as two:
        auth = {"Authorization": f"Bearer {admin}"}
        iid = httpx.post(
            f"{one}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": iso_day(0)},
            headers={"Authorization": f"Bearer {lead}"},
        ).json()["id"]
        users = {
            name: httpx.post(
                f"{one}/api/users",
                json={"name": name, "role": "gatekeeper"},
                headers=auth,
            ).json()
            for name in ("Revoked", "Rotated", "Kept")
        }
        paths = {}
        for name in users:
            made = httpx.post(
                f"{one}/api/inspections/{iid}/calendar-links",
                json={"person": name},
                headers=auth,
            )
            assert made.status_code == 201, made.text
            paths[name] = urlsplit(made.json()["url"]).path
        for path in paths.values():  # each server looks each secret up, and keeps it
            assert httpx.get(one + path, timeout=10).status_code == 200
            assert httpx.get(two + path, timeout=10).status_code == 200
        for name, how in (("Revoked", "revoke"), ("Rotated", "rotate")):
            changed = httpx.post(
                f"{one}/api/users/{users[name]['id']}/{how}", json={}, headers=auth
            )
            assert changed.status_code == 200, changed.text
            assert (
                httpx.get(one + paths[name], timeout=10).status_code == 404
            )  # at once
            assert _gone_within(two + paths[name])
        assert httpx.get(one + paths["Kept"], timeout=10).status_code == 200
        assert httpx.get(two + paths["Kept"], timeout=10).status_code == 200
