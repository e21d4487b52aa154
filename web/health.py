"""`/healthz` and `/readyz`: is the process up, and should it get traffic.

`/healthz` answers 200 while the process's event loop answers at all: a
load balancer or an orchestrator restarts a process that stops answering it.

`/readyz` answers 200 only when this process can serve what it is asked:
the log agrees with its tree (else `log_broken`, for good: web/log_health.py),
the database answers within `WARROOM_READY_TIMEOUT_SECONDS`, the read side
is following the log, its read models are within `WARROOM_READY_MAX_LAG`
positions of the log's head, and the server is not shutting down. Otherwise
503 with `{"ready": false, "status", "reason", "detail"}` (`status` and
`reason` the same word, e.g. `log_broken`), so that a proxy sends
traffic elsewhere while a restarted process folds in what it missed.

Neither needs a token (probes carry none), and neither is in the OpenAPI
schema: they are for the machinery around the server, not for clients.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
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
    up threads (or taking the threads commands and reads run on). A daemon
    thread: a probe stuck on a hung database never holds up the exit.
    """

    def __init__(self, app: WarRoom, timeout: float) -> None:
        self.app = app
        self.timeout = timeout
        self._pending: asyncio.Future[int | None] | None = None

    def _start(self) -> asyncio.Future[int | None]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[int | None] = loop.create_future()

        def settle(head: int | None, error: Exception | None) -> None:
            if future.done():
                return
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(head)

        def read() -> None:
            try:
                head = self.app.recorder.max_notification_id()
            except Exception as error:
                loop.call_soon_threadsafe(settle, None, error)
            else:
                loop.call_soon_threadsafe(settle, head, None)

        # A failure nobody waits for any more (the probe timed out) is not
        # "never retrieved": the next probe starts afresh.
        future.add_done_callback(lambda f: f.cancelled() or f.exception())
        threading.Thread(target=read, name="health-probe", daemon=True).start()
        return future

    async def head(self) -> int:
        if self._pending is None or self._pending.done():
            self._pending = self._start()
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


def probe_of(request: Request) -> HeadProbe:
    """This app's probe, made on first use."""
    probe: HeadProbe | None = getattr(request.app.state, "head_probe", None)
    if probe is None:
        state: ServerState = request.app.state.warroom
        probe = HeadProbe(state.app, state.settings.ready_timeout_seconds)
        request.app.state.head_probe = probe
    return probe


async def readiness(request: Request) -> dict[str, Any]:
    """Why this process is ready, or Unready saying why not."""
    if AppStatus.should_exit:
        raise Unready("shutting_down", "the server is shutting down")
    state: ServerState = request.app.state.warroom
    broken = state.app.log_health.broken
    if broken is not None:  # web/log_health.py
        raise Unready("log_broken", f"the log disagrees with its tree: {broken}")
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


# Which server process answered, among the workers behind one port (a
# random name made at start: it tells nothing about the machine). Their
# start times cannot tell them apart: workers started within the same
# clock tick share one.
PROCESS = uuid.uuid4().hex[:12]

router = APIRouter(include_in_schema=False)


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "up", "process": PROCESS}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    try:
        return JSONResponse(await readiness(request))
    except Unready as unready:
        body = {
            "ready": False,
            "status": unready.reason,
            "reason": unready.reason,
            "detail": unready.detail,
        }
        return JSONResponse({**body, **unready.extra}, status_code=503)
