"""Security headers on every answer: the page, the API, the stream.

A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, which
would put every streamed message through a task and a queue of its own: here a
stream pays for one list concatenation when it starts, and nothing per event.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The page is plain files from this server: no inline script or style, nothing
# from elsewhere. `data:` images for the page's empty favicon.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# FastAPI's /docs (Swagger UI) and /redoc load their code and styles from a
# CDN and start with an inline script: they get a policy of their own that
# lets them work. They show no user content, and API calls still go only here.
DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' https://cdn.jsdelivr.net 'unsafe-inline'; "
    "style-src 'self' https://cdn.jsdelivr.net https://fonts.googleapis.com "
    "'unsafe-inline'; font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})


def _headers(policy: str) -> list[tuple[bytes, bytes]]:
    return [
        (b"content-security-policy", policy.encode()),
        # Stream addresses carry tokens: never send them on as a referrer.
        (b"referrer-policy", b"no-referrer"),
        (b"x-content-type-options", b"nosniff"),
        # For browsers too old to know frame-ancestors.
        (b"x-frame-options", b"DENY"),
    ]


PAGE_HEADERS = _headers(PAGE_POLICY)
DOCS_HEADERS = _headers(DOCS_POLICY)


class SecurityHeaders:
    """Adds the headers above to every HTTP answer, streams included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = DOCS_HEADERS if scope["path"] in DOCS_PATHS else PAGE_HEADERS

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
