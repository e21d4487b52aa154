"""The war-room screen shows the daily blog's email: a failed send in red with
its reason as soon as it is recorded (through the stream, no reload), and the
latest sent one with a link to the email the outbox holds."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.browser import CHROMIUM, WAIT_MS, new_page
from tests.servers import VENV_BIN, add_user, running_server
from tests.smtp import Inbox, smtp_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="apt-get install chromium"),
]


def _send(url: str, iid: str, day: str, *args: str, **env: str) -> None:
    subprocess.run(
        [
            str(VENV_BIN / "warroom"),
            *("blog", "send", "--inspection", iid, "--day", day),
            *args,
        ],
        env={**os.environ, "WARROOM_DATABASE_URL": url, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )


def test_a_failed_send_shows_in_red_and_a_sent_one_links_to_its_email(
    tmp_path: Path, browser: Browser
) -> None:
    url = f"sqlite:///{tmp_path / 'warroom.db'}"
    outbox = str(tmp_path / "outbox")
    lead = add_user(url, "Lena Lead", "lead")
    today = datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    env = {"WARROOM_MAIL_DIR": outbox, "WARROOM_BLOG_SEND_AT": "off"}
    with running_server(url, env=env) as base:
        auth = {"Authorization": f"Bearer {lead}"}
        iid = httpx.post(
            f"{base}/api/inspections",
            json={"title": "SIF", "framework": "SIF", "starts_on": today},
            headers=auth,
        ).json()["id"]
        httpx.post(
            f"{base}/api/inspections/{iid}/distribution",
            json={"name": "Sam Staff", "email": "sam@council.example"},
            headers=auth,
        ).raise_for_status()
        context, page, errors = new_page(browser, accept_downloads=True)
        page.goto(base + "/")
        page.fill("#token-input", lead)
        page.click("#sign-in-form button[type=submit]")
        expect(page.locator("#connection")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )
        bar = page.locator("#mail-bar")
        expect(bar).to_be_hidden()

        with smtp_server(Inbox(answer="451 4.3.0 mailbox busy")) as inbox:
            _send(url, iid, today, WARROOM_MAIL_RETRIES="1", **inbox.env())

        expect(bar).to_be_visible(timeout=WAIT_MS)
        expect(bar).to_have_class("mail-bar failed")
        # The day in words, as people say it ("Monday 7 December").
        day_words = f"{date.fromisoformat(today):%A} {date.fromisoformat(today).day}"
        expect(bar).to_contain_text(f"The blog for {day_words}")
        expect(bar).to_contain_text("was NOT sent (2 tries)")
        expect(bar).to_contain_text("451 4.3.0 mailbox busy")

        _send(url, iid, today, WARROOM_MAIL_DIR=outbox)

        expect(bar).to_have_class("mail-bar sent", timeout=WAIT_MS)
        expect(bar).to_contain_text("went to the outbox to 1 recipient")
        with page.expect_download() as download:
            bar.get_by_text("open the email").click()
        saved = Path(download.value.path()).read_bytes()
        message = email.message_from_bytes(saved, policy=email.policy.default)
        assert message["List-Id"].startswith("SIF daily blog")
        [file] = Path(outbox).glob("*.eml")
        assert saved == file.read_bytes()
        context.close()
        assert not errors, errors
