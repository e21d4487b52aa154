"""`warroom` exactly as built, plus one route that fails: a stand-in for a
bug not yet found, so that a test can see what an unexpected error does to
the answer and to the connection (tests/e2e/test_error_answers.py). Only
tests run this."""

from __future__ import annotations

from typing import Any

import web.app
from entrypoints.cli import main

FAILING_PATH = "/api/test-only/failing"

_create_app = web.app.create_app


def _with_a_failing_route(*args: Any, **kwargs: Any) -> Any:
    app = _create_app(*args, **kwargs)

    @app.get(FAILING_PATH, include_in_schema=False)
    def failing() -> None:
        raise RuntimeError("internals a client must never see")

    # First, before the page's files mounted at "/" take every path.
    app.router.routes.insert(0, app.router.routes.pop())
    return app


if __name__ == "__main__":
    web.app.create_app = _with_a_failing_route
    raise SystemExit(main())
