"""Signing in with an organisation's OpenID provider (issue 26).

`GET /auth/login?org=ID` sends the browser to the organisation's provider
(authorization code flow, PKCE S256, state and nonce, by Authlib);
`GET /auth/callback` takes the code back, and signs the person in only if
every check holds: the state is the one this browser was given, the issuer
is the organisation's (its discovery document and the callback's `iss`),
and the ID token is signed by a key of the provider's JWKS, for this client
(audience), not expired, and carries the nonce. `POST /auth/logout` ends the
provider's session too (RP-initiated logout). Every refusal stores nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

import httpx
from authlib.integrations.base_client import OAuthError
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse
from joserfc.errors import JoseError
from starlette.concurrency import run_in_threadpool

from commands.sign_in import NoAccess, Vouched, sign_in
from warroom.domain.organisation import SignOnSettings
from warroom.sign_on_secret import SecretUnreadable
from web.oidc import (
    LEEWAY,
    Clients,
    SignOnUnavailable,
    Transactions,
    sign_on_of,
)
from web.sessions import COOKIE as SESSION_COOKIE
from web.sessions import begin_session, sessions_of
from web.state import ServerState

router = APIRouter(prefix="/auth", tags=["sign-in"])

# Sent back only to /auth: the provider's redirect is a top-level GET from
# another site, which SameSite=Lax lets through.
TRANSACTION_COOKIE = "warroom_oidc"
# The ID token, sealed, for the provider's sign-out (`id_token_hint`).
SIGNED_IN_COOKIE = "warroom_oidc_signed_in"
SIGNED_IN_SECONDS = 12 * 3600
COOKIE_PATH = "/auth"

HTML_PAGE = {"text/html": {"schema": {"type": "string"}}}


def _clients(request: Request) -> Clients:
    return request.app.state.oidc_clients  # type: ignore[no-any-return]


def _transactions(request: Request) -> Transactions:
    return request.app.state.oidc_transactions  # type: ignore[no-any-return]


def _state(request: Request) -> ServerState:
    return request.app.state.warroom  # type: ignore[no-any-return]


def _callback_uri(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/auth/callback"


def page(status: int, title: str, said: str) -> HTMLResponse:
    """A plain page for a person who came by browser."""
    from html import escape

    body = (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title></head><body><main>"
        f"<h1>{escape(title)}</h1><p>{escape(said)}</p>"
        "<p><a href='/'>Back to the war room</a></p></main></body></html>"
    )
    return HTMLResponse(body, status_code=status)


def refused(said: str) -> HTMLResponse:
    return page(400, "Sign-in refused", f"{said}. Nothing was stored.")


@router.get(
    "/login",
    summary="Sign in with the organisation's own accounts (OpenID Connect)",
    status_code=302,
    response_class=Response,
    responses={
        302: {"description": "To the organisation's provider"},
        404: {
            "description": "The organisation has no single sign-on",
            "content": HTML_PAGE,
        },
        502: {"description": "The provider did not answer", "content": HTML_PAGE},
    },
)
async def login(
    request: Request,
    org: Annotated[str, Query(description="the organisation's id", max_length=100)],
) -> Response:
    try:
        settings = await run_in_threadpool(sign_on_of, _state(request).app, org)
        client = _clients(request).of(org, settings)
        await _check_issuer(client.app, settings)
    except SignOnUnavailable:
        return page(404, "No such sign-in", "This organisation does not sign in here")
    except (SecretUnreadable, httpx.HTTPError, ValueError, KeyError) as error:
        return page(502, "Sign-in unavailable", f"The provider is unavailable: {error}")
    held: dict[str, Any] = {}
    request.scope["session"] = held  # where Authlib keeps state, nonce, verifier
    response: Response = await client.app.authorize_redirect(
        request, _callback_uri(request)
    )
    sealed = _transactions(request).seal(TRANSACTION_COOKIE, {"org": org, "held": held})
    _set(request, response, TRANSACTION_COOKIE, sealed, None)
    return response


async def _check_issuer(app: Any, settings: SignOnSettings) -> None:
    """The discovery document must name the configured issuer, exactly
    (OpenID Connect Discovery 4.3): else its tokens are another's."""
    metadata = await app.load_server_metadata()
    if metadata.get("issuer") != settings.issuer:
        raise ValueError(
            f"its discovery document names the issuer {metadata.get('issuer')!r}, "
            f"not {settings.issuer!r}"
        )


@router.get(
    "/callback",
    summary="Where the provider sends the person back",
    status_code=303,
    response_class=Response,
    responses={
        303: {"description": "Signed in: to the page"},
        400: {"description": "Refused: nothing stored", "content": HTML_PAGE},
        403: {"description": "Their claims give no role", "content": HTML_PAGE},
    },
)
async def callback(request: Request) -> Response:
    opened = _transactions(request).open(
        TRANSACTION_COOKIE, request.cookies.get(TRANSACTION_COOKIE)
    )
    if opened is None:
        return refused("This sign-in was not started here, or took too long")
    org, held = str(opened["org"]), dict(opened["held"])
    state = request.query_params.get("state") or ""
    if f"_state_{org}_{state}" not in held:
        return refused("The sign-in's state is not the one this browser was given")
    said = request.query_params.get("error")
    if said:
        return refused(f"The provider said: {said}")
    try:
        settings = await run_in_threadpool(sign_on_of, _state(request).app, org)
        client = _clients(request).of(org, settings)
        await _check_issuer(client.app, settings)
        # RFC 9207: the provider names itself in its answer.
        named = request.query_params.get("iss")
        if named is not None and named != settings.issuer:
            raise ValueError(f"the answer came from {named!r}")
        request.scope["session"] = held
        token = await client.app.authorize_access_token(
            request, leeway=LEEWAY, claims_options=_id_token_checks(settings)
        )
    except SignOnUnavailable:
        return refused("This organisation no longer signs in here")
    except OAuthError as error:
        return refused(f"The provider refused: {error.error} {error.description}")
    except JoseError as error:
        return refused(f"The ID token was refused: {error.error} {error.description}")
    except (SecretUnreadable, httpx.HTTPError, ValueError, KeyError) as error:
        return refused(f"The provider's answer was refused: {error}")
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub") or claims.get("iss") != settings.issuer:
        return refused("The provider sent no ID token of this issuer")
    person = Vouched(settings.issuer, str(claims["sub"]), claims)
    try:
        user_id = await run_in_threadpool(
            sign_in, _state(request).app, org, settings, person
        )
    except NoAccess as no:
        response: Response = page(403, "No access", str(no))
    else:
        response = await begin_session(request, user_id)
        signed_in = {"org": org, "id_token": token.get("id_token")}
        sealed = _transactions(request).seal(
            SIGNED_IN_COOKIE, signed_in, SIGNED_IN_SECONDS
        )
        _set(request, response, SIGNED_IN_COOKIE, sealed, SIGNED_IN_SECONDS)
    response.delete_cookie(TRANSACTION_COOKIE, path=COOKIE_PATH)
    return response


@router.post(
    "/logout",
    summary=(
        "End this browser's session on every server process, and sign out "
        "at the organisation's provider too"
    ),
    response_class=HTMLResponse,
    responses={200: {"description": "On to the provider's sign-out, or the page"}},
)
async def logout(request: Request) -> Response:
    """Not a 303 to the provider: the page's policy lets its forms go to this
    server alone (`form-action 'self'`), and a browser applies that to where
    a form's answer redirects. So a page of this server's, which moves on at
    once (a refresh is a navigation, which no policy here limits), with a
    link for a browser that does not."""
    # This browser's session ends first, on every server process, whether or
    # not it signed in through its organisation's provider.
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        await run_in_threadpool(sessions_of(request).end, secret)
    home = str(request.base_url)
    signed_in = _transactions(request).open(
        SIGNED_IN_COOKIE, request.cookies.get(SIGNED_IN_COOKIE)
    )
    target = home
    if signed_in is not None:
        try:
            org = str(signed_in["org"])
            settings = await run_in_threadpool(sign_on_of, _state(request).app, org)
            client = _clients(request).of(org, settings)
            made = await client.app.create_logout_url(
                post_logout_redirect_uri=home,
                id_token_hint=signed_in.get("id_token"),
                client_id=settings.client_id,
            )
            target = str(made["url"])
        except (SignOnUnavailable, SecretUnreadable, RuntimeError, httpx.HTTPError):
            target = home  # the provider's session stays; ours ends
    response = _moving_on(target)
    response.delete_cookie(SIGNED_IN_COOKIE, path=COOKIE_PATH)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
    return response


def _moving_on(target: str) -> HTMLResponse:
    from html import escape

    url = escape(target, quote=True)
    body = (
        "<!doctype html><html lang='en-GB'><head><meta charset='utf-8'>"
        f"<meta http-equiv='refresh' content='0;url={url}'>"
        "<title>Signing out</title></head><body><main><h1>Signing out</h1>"
        f"<p><a href='{url}'>Sign out of your organisation's account too</a></p>"
        "</main></body></html>"
    )
    answer = HTMLResponse(body)
    answer.headers["Cache-Control"] = "no-store"
    return answer


def _id_token_checks(settings: SignOnSettings) -> dict[str, Any]:
    """What the ID token must say, beyond its signature and nonce: Authlib
    checks only the issuer unless told (its audience only by `azp`)."""
    return {
        "iss": {"essential": True, "value": settings.issuer},
        "aud": {"essential": True, "value": settings.client_id},
        "sub": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
    }


def _set(
    request: Request, response: Response, name: str, value: str, max_age: int | None
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=COOKIE_PATH,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )
