"""/openapi.json's OpenID Connect security schemes (issue 26): one for each
organisation that signs in with its own provider, naming its discovery URL,
so Swagger UI's Authorize shows it. Kept apart from the bearer and cookie
schemes, which `web.docs` declares."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from web.oidc import configured_issuers, discovery_url


def openid_connect_schemes(issuers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """`openIdConnect` for a database of one organisation signing in so;
    `openIdConnect-<organisation id>` each, for several."""
    many = len(issuers) > 1
    return {
        (f"openIdConnect-{org}" if many else "openIdConnect"): {
            "type": "openIdConnect",
            "openIdConnectUrl": discovery_url(issuer),
            "description": f"Sign in with organisation {org}'s own accounts: "
            f"the browser goes to /auth/login?org={org}",
        }
        for org, issuer in issuers.items()
    }


def declare_openid_connect(api: FastAPI) -> None:
    """Wraps the app's OpenAPI: the schemes follow the log, as configured."""
    plain: Callable[[], dict[str, Any]] = api.openapi

    def openapi() -> dict[str, Any]:
        spec = plain()
        state = getattr(api.state, "warroom", None)
        issuers = configured_issuers(state.app) if state is not None else {}
        if not issuers:
            return spec
        spec = copy.deepcopy(spec)
        schemes = spec.setdefault("components", {}).setdefault("securitySchemes", {})
        schemes.update(openid_connect_schemes(issuers))
        return spec

    api.openapi = openapi  # type: ignore[method-assign]
