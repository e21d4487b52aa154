"""Security headers on every answer: the page, the API, the stream.

A plain ASGI middleware rather than Starlette's `BaseHTTPMiddleware`, which
would put every streamed message through a task and a queue of its own: here a
stream pays for one list concatenation when it starts, and nothing per event.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web import docs

# The page is plain files from this server: no inline script or style, nothing
# from elsewhere. `data:` images for the page's empty favicon.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# /docs (Swagger UI, from this server's own files) starts with an inline
# script: it gets a policy of its own that allows that script by its hash.
DOCS_POLICY = docs.POLICY
DOCS_PATHS = frozenset({"/docs"})


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
