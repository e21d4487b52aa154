"""`/healthz` and `/readyz`: is the process up, and should it get traffic.

`/healthz` answers 200 while the process's event loop answers at all: a
load balancer or an orchestrator restarts a process that stops answering it.

`/readyz` answers 200 only when this process can serve what it is asked:
the database answers within `WARROOM_READY_TIMEOUT_SECONDS`, the read side
is following the log, its read models are within `WARROOM_READY_MAX_LAG`
positions of the log's head, and the server is not shutting down. Otherwise
503 with `{"ready": false, "reason", "detail"}`, so that a proxy sends
traffic elsewhere while a restarted process folds in what it missed.

Neither needs a token (probes carry none), and neither is in the OpenAPI
schema: they are for the machinery around the server, not for clients.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sse_starlette.sse import AppStatus

from warroom.application import WarRoom
from web.state import ServerState


class Unready(Exception):
    def __init__(self, reason: str, detail: str, **extra: int) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.extra = extra


class HeadProbe:
    """Reads the log's head from the database, with a timeout.

    One probe at a time, on a thread of its own: while the database hangs,
    every probe waits on the one read already under way instead of piling
    up threads (or taking the threads commands and reads run on).
    """

    def __init__(self, app: WarRoom, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="health")
        self._pending: asyncio.Future[int | None] | None = None

    async def head(self) -> int:
        if self._pending is None or self._pending.done():
            loop = asyncio.get_running_loop()
            self._pending = loop.run_in_executor(
                self._executor, self.app.recorder.max_notification_id
            )
        try:
            head = await asyncio.wait_for(asyncio.shield(self._pending), self.timeout)
        except TimeoutError:
            raise Unready(
                "database_unreachable",
                f"the database did not answer within {self.timeout:g} s",
            ) from None
        except Exception as error:
            raise Unready(
                "database_unreachable", f"the database failed: {error}"
            ) from None
        return head or 0

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def probe_of(request: Request) -> HeadProbe:
    """This app's probe, made on first use."""
    probe: HeadProbe | None = getattr(request.app.state, "head_probe", None)
    if probe is None:
        state: ServerState = request.app.state.warroom
        probe = HeadProbe(state.app, state.settings.ready_timeout_seconds)
        request.app.state.head_probe = probe
    return probe


def close_probe(app: Any) -> None:
    probe: HeadProbe | None = getattr(app.state, "head_probe", None)
    if probe is not None:
        probe.close()


async def readiness(request: Request) -> dict[str, Any]:
    """Why this process is ready, or Unready saying why not."""
    if AppStatus.should_exit:
        raise Unready("shutting_down", "the server is shutting down")
    state: ServerState = request.app.state.warroom
    head = await probe_of(request).head()
    error = state.read_side.error
    if error is not None:
        raise Unready("read_side_failed", f"the read side lost the log: {error}")
    position = state.read_side.position
    lag = max(head - position, 0)
    most = state.settings.ready_max_lag
    if lag > most:
        raise Unready(
            "read_models_behind",
            f"the read models are {lag} positions behind the log (at most {most})",
            lag=lag,
            head=head,
            position=position,
        )
    return {"ready": True, "head": head, "position": position, "lag": lag}


router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "up"}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    try:
        return JSONResponse(await readiness(request))
    except Unready as unready:
        body = {"ready": False, "reason": unready.reason, "detail": unready.detail}
        return JSONResponse({**body, **unready.extra}, status_code=503)
