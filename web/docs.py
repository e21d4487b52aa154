"""`/docs`: Swagger UI from this server's own files, so it works offline.

FastAPI's default `/docs` loads Swagger UI from a CDN, which a war room whose
internet is down (or a council network that blocks CDNs) cannot reach. The
files come from the `swagger-ui-bundle-v2` wheel, pinned like every other
dependency, and are served under `/docs/assets/`. The page FastAPI writes
starts Swagger UI with one inline script: the content security policy allows
that script by its hash, and nothing from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
TITLE = "warroom: the API"


def _html() -> bytes:
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title=TITLE,
        swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
        oauth2_redirect_url=None,
    )
    return bytes(page.body)


HTML = _html()


def _inline_script_hashes(html: bytes) -> list[str]:
    scripts = re.findall(rb"<script>(.*?)</script>", html, flags=re.DOTALL)
    return [
        "'sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() + "'"
        for s in scripts
    ]


# Swagger UI sets styles from its script (React's style attributes) and draws
# its icons as data: images; it fetches nothing but /openapi.json and the API.
POLICY = (
    "default-src 'self'; "
    f"script-src 'self' {' '.join(_inline_script_hashes(HTML))}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)


def more_sign_in_schemes(api: FastAPI) -> dict[str, dict[str, Any]]:
    """Sign-in schemes /openapi.json declares beside the two FastAPI declares
    from `web.auth`'s dependencies (`bearer`, the token; `session`, the
    cookie), for Swagger UI's Authorize (issue 26).

    The place for OpenID Connect's: `{"oidc": {"type": "openIdConnect",
    "openIdConnectUrl": <the issuer's discovery URL>}}` when an
    organisation's sign-in is configured. None yet."""
    del api
    return {}


def declare_sign_in(api: FastAPI) -> None:
    """`api.openapi` with `more_sign_in_schemes` added to what FastAPI makes."""
    made_by_fastapi = api.openapi

    def openapi() -> dict[str, Any]:
        spec = made_by_fastapi()
        schemes = spec.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.update(more_sign_in_schemes(api))
        return spec

    api.openapi = openapi  # type: ignore[method-assign]


@router.get("/docs")
def docs() -> HTMLResponse:
    return HTMLResponse(HTML)


def assets() -> StaticFiles:
    """Swagger UI's own files, as the wheel ships them."""
    return StaticFiles(directory=str(swagger_ui_bundle.swagger_ui_path))
