"""A fake Confluence Cloud site: the REST v1 and v2 operations ProjectHub's connector uses.

Credentials: basic auth ``<email>:sandbox-<tenant>``, the email an active account of that tenant
(the demo admin is ``demo@projecthub.example``); a wrong token gets the plain-text 401
Atlassian sends for a non-token password. A tenant named ``…-norbac`` (or ``site.rbac =
False``) behaves like a site without role-based access control: v2 space creation answers 404
and v1 must be used.

Errors come in the envelope of the API that was called: v2 ``{"errors":[{status, code, title,
detail}]}``, v1 ``{"statusCode", "data", "message"}`` with the Java exception named in ``message``.
Replies carry Atlassian's edge ids, ``Atl-Traceid`` and ``Atl-Request-Id``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from projecthub.sandbox import (
    confluence_cql,
    confluence_permissions,
    confluence_reads,
    confluence_v1,
    confluence_v2,
    confluence_webhooks,
)
from projecthub.sandbox.common import SandboxOptions, VendorSandbox
from projecthub.sandbox.confluence_state import ConfluenceSite, seed_demo
from projecthub.sandbox.confluence_views import V1, ConfluenceJSON
from projecthub.sandbox.jira_http import TOKEN, WRONG_TOKEN

V2_CODES = {400: "INVALID_REQUEST_PARAMETER", 401: "UNAUTHORIZED", 403: "FORBIDDEN",
            404: "NOT_FOUND", 409: "CONFLICT", 413: "REQUEST_ENTITY_TOO_LARGE",
            429: "TOO_MANY_REQUESTS", 500: "INTERNAL_SERVER_ERROR", 502: "BAD_GATEWAY",
            503: "SERVICE_UNAVAILABLE", 504: "GATEWAY_TIMEOUT"}
V1_EXCEPTIONS = {400: "BadRequestException", 401: "AuthenticationRequiredException",
                 403: "PermissionException", 404: "NotFoundException", 409: "ConflictException",
                 500: "ServiceException"}
JAVA_PACKAGE = "com.atlassian.confluence.api.service.exceptions"
NOT_AUTHENTICATED = "This request requires authentication"
_API: ContextVar[str] = ContextVar("confluence_api", default="v2")


def render_error(status: int, message: str, field_errors: dict[str, str]) -> Response:
    """The error envelope of the API the current request called (v1 or v2)."""
    messages = [message] if message else []
    messages += [f"{name}: {text}" for name, text in field_errors.items()]
    if _API.get() == "v1":
        exception = V1_EXCEPTIONS.get(status)
        prefix = f"{JAVA_PACKAGE}.{exception}: " if exception else ""
        data = {"authorized": status not in (401, 403), "valid": status != 400,
                "errors": [{"message": {"translation": m, "args": []}} for m in messages[1:]],
                "successful": False}
        body: dict[str, Any] = {"statusCode": status, "data": data,
                                "message": prefix + (messages[0] if messages else "")}
    else:
        code = V2_CODES.get(status, "ERROR")
        body = {"errors": [{"status": status, "code": code, "title": m, "detail": None}
                           for m in messages or [code.replace("_", " ").capitalize()]]}
    return ConfluenceJSON(body, status_code=status)


def reply_headers() -> dict[str, str]:
    trace = uuid.uuid4()
    return {"Atl-Traceid": trace.hex, "Atl-Request-Id": str(trace), "Server": "AtlassianEdge",
            "Cache-Control": "no-cache, no-store, no-transform"}


def _credentials(header: str) -> tuple[str, str] | None:
    """(email, token) from a basic ``Authorization`` header, or ``None`` if there is none."""
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        email, _, token = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return email, token


def authenticate(
    request: Request, tenant: Callable[[str], ConfluenceSite],
) -> ConfluenceSite | Response:
    credentials = _credentials(request.headers.get("authorization", ""))
    if credentials is None:
        return render_error(401, NOT_AUTHENTICATED, {})
    email, token = credentials
    match = TOKEN.fullmatch(token)
    site = tenant(match.group(1)) if match else None
    account = next((a for a in site.accounts
                    if a.email.casefold() == email.casefold() and a.active), None) if site else None
    if site is None or account is None:
        return PlainTextResponse(WRONG_TOKEN, status_code=401)
    request.state.account = account
    return site


class _ApiOfRequest:
    """Notes which API a request is for, so errors raised anywhere (faults, unknown paths) use
    that API's envelope; the shared frame renders errors without seeing the request."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        token = _API.set("v1" if f"{V1}/" in scope.get("path", "") else "v2")
        try:
            await self._app(scope, receive, send)
        finally:
            _API.reset(token)


def create_confluence_sandbox(options: SandboxOptions) -> VendorSandbox[ConfluenceSite]:
    """The Confluence fake, with the demo site seeded into each new tenant unless told otherwise."""
    sandbox = VendorSandbox(
        name="confluence",
        routes=[*confluence_v1.ROUTES, *confluence_v2.ROUTES, *confluence_reads.ROUTES,
                *confluence_webhooks.ROUTES, *confluence_permissions.ROUTES,
                *confluence_cql.ROUTES],
        new_state=ConfluenceSite, authenticate=authenticate, render_error=render_error,
        reply_headers=reply_headers, seed=seed_demo if options.seed_demo else None,
        sleep=options.sleep, admin_token=options.admin_token,
    )
    sandbox.app = _ApiOfRequest(sandbox.app)
    return sandbox


__all__ = ["create_confluence_sandbox", "render_error"]
