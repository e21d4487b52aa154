"""Real `warroom serve` processes for tests that need a server of their own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

VENV_BIN = Path(sys.executable).parent
# How long a server may take to answer after it is started: about a second on
# a quiet machine, 30 s seen when other test runs shared its two cores.
START_SECONDS = 120.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def warroom(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs the `warroom` command line against a database."""
    return subprocess.run(
        [str(VENV_BIN / "warroom"), *args],
        env={**os.environ, "WARROOM_DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def add_user(database_url: str, name: str, role: str) -> str:
    done = warroom(database_url, "user", "add", "--name", name, "--role", role)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


@contextmanager
def running_server(
    database_url: str,
    port: int | None = None,
    timeout: float = START_SECONDS,
    env: dict[str, str] | None = None,
) -> Iterator[str]:
    """A `warroom serve` process; yields its base URL; stops it cleanly."""
    with served(database_url, port, timeout, env) as (base, _):
        yield base


@contextmanager
def served(
    database_url: str,
    port: int | None = None,
    timeout: float = START_SECONDS,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[str, int]]:
    """As `running_server`, and the process id beside the base URL (to
    measure the server's CPU, or to profile it)."""
    port = port or free_port()
    # The server's log goes to a file, not a pipe nobody reads: a full pipe
    # (64 KiB of log) would block the server at its next line. The file is
    # kept, to read after a failure.
    log = Path(tempfile.gettempdir()) / f"warroom-serve-{port}.log"
    with log.open("w") as log_file:
        process = subprocess.Popen(
            [str(VENV_BIN / "warroom"), "serve", "--port", str(port)],
            env={**os.environ, "WARROOM_DATABASE_URL": database_url, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=log_file,
            text=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(base, process, timeout, log)
        yield base, process.pid
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(
    base: str,
    process: subprocess.Popen[str],
    timeout: float,
    log: Path | None = None,
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = (
                log.read_text()
                if log is not None
                else process.stderr.read()
                if process.stderr
                else ""
            )
            raise RuntimeError(f"the server exited: {said}")
        try:
            if httpx.get(f"{base}/openapi.json", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"no answer from {base} within {timeout} s")
