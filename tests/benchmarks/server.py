"""A real `warroom serve` process (uvicorn) on a free loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType

from warroom.evidence.notes import Signer

HOST = "127.0.0.1"
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


# One key for every server of a run (warroom/evidence: never in the database).
BENCHMARK_SIGNING_KEY = Signer.generate("warroom.benchmark/log").key_text()


class Server:
    """Starts `python -m entrypoints.cli serve`; `started` is when Popen was called."""

    def __init__(
        self,
        database_url: str,
        log_dir: Path,
        module: tuple[str, ...] = ("entrypoints.cli", "serve"),
        **settings: str,
    ) -> None:
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.log_path = log_dir / f"server-{self.port}.log"
        env = {**os.environ, "WARROOM_DATABASE_URL": database_url}
        # Checkpoints need a signing key; PostgreSQL refuses to start without.
        env.setdefault("WARROOM_SIGNING_KEY", BENCHMARK_SIGNING_KEY)
        env.update({f"WARROOM_{k.upper()}": v for k, v in settings.items()})
        self._log = self.log_path.open("w")
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                *module,  # or the thin peer (tests/benchmarks/thin_peer.py)
                "--host",
                HOST,
                "--port",
                str(self.port),
            ],
            env=env,
            cwd=REPO,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_listening(self, timeout: float = 60.0) -> float:
        """Seconds from start until the port accepts a connection."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.check_alive()
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return time.perf_counter() - self.started
            except OSError:
                time.sleep(0.01)
        raise TimeoutError(f"the server did not listen within {timeout} s")

    def alive(self) -> bool:
        return self.process.poll() is None

    def check_alive(self) -> None:
        if self.process.poll() is not None:
            raise RuntimeError(
                f"the server exited with {self.process.returncode}: {self.log_tail()}"
            )

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return self.log_path.read_text()[-chars:]
        except OSError:
            return ""

    def rss_kib(self) -> int:
        """The server's resident memory (VmRSS) in KiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError("no VmRSS in /proc status")

    def stop(self, timeout: float = 20.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
