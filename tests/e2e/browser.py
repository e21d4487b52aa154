"""What the browser tests share: Debian's chromium, and `warroom serve` processes.

Playwright drives the chromium Debian installs (`apt-get install chromium`):
Playwright's own browser download cannot work on these machines, so
`playwright install` is never run.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VENV_BIN = Path(sys.executable).parent
TIMEOUT = 30.0
# How long a browser test waits for the page to show something.
WAIT_MS = 30_000


def new_page(
    browser: Browser, **options: Any
) -> tuple[BrowserContext, Page, list[str]]:
    """A new context and its page, as a person in London at a 1600x1000
    screen sees it, with the page's own script errors collected in the list
    (a test ends by asserting it is empty). `options` go to `new_context`."""
    context = browser.new_context(
        **{
            "viewport": {"width": 1600, "height": 1000},
            "locale": "en-GB",
            "timezone_id": "Europe/London",
            **options,
        }
    )
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def run_warroom(database_url: str, *args: str) -> str:
    """Runs the `warroom` command line; answers what it printed."""
    done = subprocess.run(
        [str(VENV_BIN / "warroom"), *args],
        env={**os.environ, "WARROOM_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def add_user(database_url: str, name: str, role: str) -> str:
    """Adds a user with `warroom user add`; answers their bearer token."""
    printed = run_warroom(database_url, "user", "add", "--name", name, "--role", role)
    return printed.strip().splitlines()[-1]


class Server:
    """A real `warroom serve` process that can be stopped and started again
    on the same port, as a server restart looks to a browser."""

    def __init__(self, database_url: str, port: int | None = None) -> None:
        self.database_url = database_url
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[str] | None = None

    def start(self) -> Server:
        # To a file, not a pipe nobody reads: a full pipe would block the
        # server at its next log line (see tests/servers.py).
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [str(VENV_BIN / "warroom"), "serve", "--port", str(self.port)],
                env={**os.environ, "WARROOM_DATABASE_URL": self.database_url},
                stdout=subprocess.DEVNULL,
                stderr=log,
                text=True,
            )
        self._wait_until_answering()
        return self

    @property
    def log(self) -> Path:
        """The server's log, kept after the test to read after a failure."""
        return Path(tempfile.gettempdir()) / f"warroom-serve-{self.port}.log"

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def _wait_until_answering(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()}")
            try:
                answer = httpx.get(f"{self.base}/openapi.json", timeout=2)
                if answer.status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"no answer from {self.base}")


class Api:
    """One user's view of the HTTP API, for making things happen in tests."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def _client(self) -> httpx.Client:
        # A client per call: the server may have been restarted in between.
        return httpx.Client(
            base_url=self.base,
            headers={"Authorization": f"Bearer {self.token}"},
            timeout=TIMEOUT,
        )

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        with self._client() as http:
            answer = http.get(f"/api{path}", params=params)
        assert answer.status_code == 200, answer.text
        body: dict[str, Any] = answer.json()
        return body

    def post(
        self, path: str, body: dict[str, Any] | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        with self._client() as http:
            answer = http.post(f"/api{path}", json=body, **kwargs)
        assert answer.status_code in (200, 201), answer.text
        result: dict[str, Any] = answer.json()
        return result

    def me(self) -> str:
        return str(self.get("/me")["id"])
