"""How `warroom serve` runs the app in one process under uvicorn: JSON logs,
and the graceful shutdown `web.shutdown` describes (several processes:
`web.workers`).

Apart from `web.shutdown`, which the live stream imports: the app imports the
stream, so the module that starts the app cannot be one the stream needs.
"""

from __future__ import annotations

import uvicorn

from warroom.config import Settings
from web.app import create_app
from web.logs import configure


def serve(settings: Settings, host: str, port: int) -> None:
    """Runs the app under uvicorn: JSON logs, graceful shutdown."""
    level = settings.log_level.lower()
    configure(level)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_config=None,  # configure() set up every logger
        log_level=level,
        access_log=False,  # web/logs.py writes its own, without tokens
        timeout_graceful_shutdown=settings.shutdown_grace_seconds,
    )
