"""The room's wall is served at /wall (web/wall.py): its own page, under the
page's security policy, needing no token to load (it signs in from its
address's fragment, which never reaches the server)."""

from __future__ import annotations

from tests.helpers import WarRoomClient


def test_the_wall_is_served_at_slash_wall_under_the_pages_policy(
    client: WarRoomClient,
) -> None:
    answer = client.http.get("/wall")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert 'src="/js/display/main.js"' in answer.text
    # Its scripts and style are served beside the working page's.
    for asset in ("/js/display/main.js", "/js/display/pager.js", "/display.css"):
        assert client.http.get(asset).status_code == 200, asset
