"""Jira's wire conventions in the sandbox: credentials, the error envelope, per-reply headers.

Credentials are basic auth ``<email>:sandbox-<tenant>`` where the email is an active user of
that tenant. With no credentials Jira answers an ``ErrorCollection``; with a wrong token it
answers the plain-text notice it sends for a password that is not an API token (as reported in
public issue threads, 2021-2023).
"""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from projecthub.sandbox.jira_state import JiraState
from projecthub.sandbox.jira_views import JiraJSON

TOKEN = re.compile(r"^sandbox-([a-z0-9-]{1,32})$")
WRONG_TOKEN = ("Basic authentication with passwords is deprecated.  For more information, see: "
               "https://confluence.atlassian.com/cloud/deprecation-of-basic-authentication-with-"
               "passwords-for-jira-and-confluence-apis-972355348.html\n")
NOT_AUTHENTICATED = ("You are not authenticated. Authentication required to perform this "
                     "operation.")


def render_error(status: int, message: str, field_errors: dict[str, str]) -> Response:
    body = {"errorMessages": [message] if message else [], "errors": field_errors}
    response = JiraJSON(body, status_code=status)
    if status == 429:
        response.headers.update({"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "0",
                                 "RateLimit-Reason": "jira-burst-based"})
    return response


def reply_headers() -> dict[str, str]:
    trace = uuid.uuid4()
    return {"X-Arequestid": uuid.uuid4().hex, "Atl-Traceid": trace.hex,
            "Atl-Request-Id": str(trace), "Server": "AtlassianEdge",
            "Cache-Control": "no-cache, no-store, no-transform"}


def authenticate(request: Request, tenant: Callable[[str], JiraState]) -> JiraState | Response:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return render_error(401, NOT_AUTHENTICATED, {})
    try:
        email, _, token = base64.b64decode(header[6:], validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return render_error(401, NOT_AUTHENTICATED, {})
    match = TOKEN.fullmatch(token)
    state = tenant(match.group(1)) if match else None
    user = next((u for u in state.users if u.email.casefold() == email.casefold() and u.active),
                None) if state else None
    if state is None or user is None:
        return PlainTextResponse(WRONG_TOKEN, status_code=401)
    request.state.user = user
    return state
