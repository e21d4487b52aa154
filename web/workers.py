"""`warroom serve` with several worker processes (`WARROOM_WORKERS` > 1).

One process runs commands on about one core: the HTTP layer, the handlers and
the read side are Python under one interpreter lock. On PostgreSQL several
processes can serve one port (uvicorn's supervisor starts them, each accepts
connections from the shared socket, and starts a dead one again); each
follows the log through LISTEN/NOTIFY and holds its own read models, as
separate servers behind a proxy do.

Read-your-writes holds across them: each save's position goes into a small
file the workers share (`warroom.workers`), and a read on any worker waits
until its read models include the last position any of them saved, as a
read on one process waits for that process's own last save.

SQLite is refused: it lets one process write at a time, and a process learns
of another's writes only by polling (`WARROOM_POLL_SECONDS`), so more
processes add waiting, not throughput.
"""

from __future__ import annotations

import gc
import os

from fastapi import FastAPI

from warroom.config import Database, Settings
from warroom.workers import ENV, SharedPosition, remove

WORKER_PING_SECONDS = 60


class WorkersRefused(ValueError):
    """More than one worker where that cannot work."""


def check(settings: Settings, workers: int) -> None:
    if workers < 1:
        raise WorkersRefused(f"WARROOM_WORKERS must be 1 or more, not {workers}")
    if workers > 1 and Database.from_url(settings.database_url).kind != "postgresql":
        raise WorkersRefused(
            "WARROOM_WORKERS > 1 needs PostgreSQL: SQLite lets one process "
            "write at a time and tells the others of it only when they poll, "
            "so more workers would add waiting, not speed; use 1"
        )


def serve(settings: Settings, host: str, port: int, workers: int) -> None:
    """Runs `workers` processes of the app on one port, sharing their last
    saved position; graceful shutdown and JSON logs in each."""
    import uvicorn

    from web.logs import configure

    level = settings.log_level.lower()
    configure(level)
    shared = SharedPosition.create()
    # The workers are new interpreters: they read their settings, and the
    # shared file's name, from the environment.
    os.environ[ENV] = shared
    os.environ["WARROOM_ACCESS_LOG"] = "true" if settings.access_log else "false"
    # `warroom serve` made the tables before it got here; workers starting
    # together and each making them again collide in PostgreSQL's catalogue
    # ("tuple concurrently updated"), so they leave it (the library's setting).
    os.environ["CREATE_TABLE"] = "n"
    try:
        uvicorn.run(
            "web.workers:worker_app",
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_config=None,
            log_level=level,
            access_log=False,
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
            # uvicorn kills a worker that has not answered its ping in this
            # long; a new worker imports the whole `warroom` command before
            # it can answer, which takes more than uvicorn's 5 s on a loaded
            # machine.
            timeout_worker_healthcheck=WORKER_PING_SECONDS,
        )
    finally:
        remove(shared)


def worker_app() -> FastAPI:
    """The app of one worker process (uvicorn calls this in each)."""
    from web.app import create_app
    from web.logs import configure

    settings = Settings()
    configure(settings.log_level.lower())
    gc.set_threshold(*settings.gc_thresholds)
    return create_app(settings)
