"""Sign in with Microsoft in the browser, and an organization's Microsoft sign-in rules.

``/auth/microsoft/start`` and ``/callback`` are reached by full-page navigations (never the
SPA's router, never fetch): start keeps MSAL's flow server-side under a random HttpOnly cookie
and redirects to Entra ID's sign-in page; Entra sends the browser back to the callback, which
validates the answer, sets the session cookie exactly as the password login does and redirects
into the app (``origin`` + ``next``: an allowed origin, a local path, since in development the
app's pages are on another port than this API). A refusal lands on the login page with a reason
code (``?microsoft=<reason>``) that the page words; nothing else travels in the URL.
Each step talks to Entra ID outside any database transaction.
"""

from __future__ import annotations

import logging
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool

from projecthub.api.cookies import set_session_cookie
from projecthub.api.deps import DbDep, PrincipalDep
from projecthub.api.routes.auth import _same_origin as same_origin
from projecthub.api.schemas import MicrosoftLink, MicrosoftPolicyPublic, MicrosoftPolicyUpdate, Ok
from projecthub.connectors.entra_signin import EntraIdentity
from projecthub.core.config import settings
from projecthub.core.db import new_session, unit_of_work
from projecthub.core.errors import AppError, NotAuthenticated
from projecthub.core.web import (
    API_PREFIX,
    SANDBOX_PREFIX,
    cookie_from_header,
    microsoft_cookie_name,
)
from projecthub.services import microsoft_orgs, microsoft_signin
from projecthub.services.microsoft_signin import (
    FLOW_LIFETIME,
    MicrosoftSignInRefused,
    PasswordNeeded,
    SignedIn,
)

router = APIRouter(prefix="/auth/microsoft", tags=["browser session"])
org_router = APIRouter(prefix="/orgs/{org_slug}/microsoft", tags=["organizations"])
CALLBACK_PATH = f"{API_PREFIX}/auth/microsoft/callback"
LINK_PAGE = "/login/microsoft"

log = logging.getLogger("projecthub.microsoft")


@router.get("/start", status_code=303, response_class=RedirectResponse)
async def start(request: Request, next: str = "/dashboard",
                origin: str = "") -> RedirectResponse:
    """Begin a sign-in: redirect to Microsoft's sign-in page (a full-page navigation)."""
    back = _return_to(origin, next)
    app = microsoft_signin.entra_app(_sandbox_login(request))
    if app is None:
        return _to_login(back, "unavailable")
    try:
        flow, url = await microsoft_signin.start_flow(app, _redirect_uri(request))
    except MicrosoftSignInRefused as exc:
        return _to_login(back, exc.reason)
    handle = await run_in_threadpool(_begin, flow, back)
    response = RedirectResponse(url, status_code=303)
    _set_flow_cookie(response, handle)
    return response


@router.get("/callback", status_code=303, response_class=RedirectResponse)
async def callback(request: Request) -> RedirectResponse:
    """Where Microsoft sends the browser back: validate, then sign in (or ask for the
    password of an existing account once) and go into the app."""
    handle = cookie_from_header(request.headers.get("cookie"), microsoft_cookie_name())
    back = _return_to("", "/dashboard")
    try:
        flow, back = await run_in_threadpool(_claim, handle)
        app = microsoft_signin.entra_app(_sandbox_login(request))
        if app is None:
            raise MicrosoftSignInRefused("unavailable")
        identity = await microsoft_signin.finish_flow(app, flow, dict(request.query_params))
        outcome = await run_in_threadpool(_complete, identity, back,
                                          request.headers.get("user-agent", ""))
    except MicrosoftSignInRefused as exc:
        log.info("Microsoft sign-in refused: %s %s", exc.reason, exc.detail)
        return _to_login(back, exc.reason)
    except AppError as exc:
        log.info("Microsoft sign-in refused: %s", exc.message)
        return _to_login(back, "refused")
    if isinstance(outcome, PasswordNeeded):
        origin, path = _split(outcome.return_to)
        response = RedirectResponse(f"{origin}{LINK_PAGE}?next={quote(path)}", status_code=303)
        _set_flow_cookie(response, outcome.handle)
        return response
    response = RedirectResponse(outcome.return_to, status_code=303)
    set_session_cookie(response, outcome.token)
    _clear_flow_cookie(response)
    return response


@router.post("/link", response_model=Ok)
def link(body: MicrosoftLink, request: Request, response: Response, db: DbDep) -> Ok:
    """Link the Microsoft account waiting in this browser to the existing account of its
    address, after that account's password (once), and start the session."""
    same_origin(request)
    handle = cookie_from_header(request.headers.get("cookie"), microsoft_cookie_name())
    if not handle:  # nothing waits in this browser: the request lacks its credential
        raise NotAuthenticated(microsoft_signin.reason_message("expired_flow"))
    signed = microsoft_signin.confirm_link(
        db, handle, password=body.password,
        client_ip=request.client.host if request.client else "",
        user_agent=request.headers.get("user-agent", ""))
    set_session_cookie(response, signed.token)
    _clear_flow_cookie(response)
    return Ok()


@org_router.get("", response_model=MicrosoftPolicyPublic)
def read_policy(principal: PrincipalDep, db: DbDep) -> MicrosoftPolicyPublic:
    """The organization's Microsoft sign-in rules (owners and admins)."""
    return MicrosoftPolicyPublic.model_validate(microsoft_orgs.get_policy(db, principal))


@org_router.put("", response_model=MicrosoftPolicyPublic)
def update_policy(body: MicrosoftPolicyUpdate, principal: PrincipalDep,
                  db: DbDep) -> MicrosoftPolicyPublic:
    """Require Microsoft sign-in, and/or let people of your own Microsoft directory join with
    ``join_role``; turning either on binds the organization to your directory."""
    return MicrosoftPolicyPublic.model_validate(microsoft_orgs.set_policy(
        db, principal, require_microsoft=body.require_microsoft, allow_join=body.allow_join,
        join_role=body.join_role))


def _begin(flow: dict[str, object], back: str) -> str:
    with unit_of_work(new_session) as db:
        return microsoft_signin.begin(db, flow=dict(flow), return_to=back)


def _claim(handle: str | None) -> tuple[dict[str, object], str]:
    with unit_of_work(new_session) as db:
        return microsoft_signin.claim(db, handle)


def _complete(identity: EntraIdentity, back: str,
              user_agent: str) -> SignedIn | PasswordNeeded:
    with unit_of_work(new_session) as db:
        return microsoft_signin.complete(db, identity, return_to=back, user_agent=user_agent)


def _return_to(origin: str, path: str) -> str:
    """Where the browser goes afterwards: an allowed origin (else the public URL) and a local
    path (else the dashboard), so this can never redirect to another site."""
    base = origin if origin in settings.origins else settings.PUBLIC_URL.rstrip("/")
    local = path if path.startswith("/") and not path.startswith(("//", "/\\")) else "/dashboard"
    return base + local


def _split(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return f"{parts.scheme}://{parts.netloc}", path


def _to_login(back: str, reason: str) -> RedirectResponse:
    origin, path = _split(back)
    response = RedirectResponse(f"{origin}/login?microsoft={reason}&next={quote(path)}",
                                status_code=303)
    _clear_flow_cookie(response)
    return response


def _redirect_uri(request: Request) -> str:
    """Registered with Entra: the public URL in production; in development this API's own
    address (the backend port, which differs from the pages')."""
    base = settings.PUBLIC_URL if settings.is_production else str(request.base_url)
    return base.rstrip("/") + CALLBACK_PATH


def _sandbox_login(request: Request) -> str | None:
    """The sandbox's fake Entra ID, served by this same server, when the sandbox is on."""
    if not settings.sandbox_enabled:
        return None
    return f"{str(request.base_url).rstrip('/')}{SANDBOX_PREFIX}/graph/login"


def _set_flow_cookie(response: Response, handle: str) -> None:
    """SameSite=Lax: sent on Microsoft's top-level redirect back (a GET), never on a
    cross-site POST."""
    response.set_cookie(microsoft_cookie_name(), handle, httponly=True, samesite="lax",
                        secure=settings.cookie_secure, path="/",
                        max_age=int(FLOW_LIFETIME.total_seconds()))


def _clear_flow_cookie(response: Response) -> None:
    response.delete_cookie(microsoft_cookie_name(), path="/", httponly=True, samesite="lax",
                           secure=settings.cookie_secure)
