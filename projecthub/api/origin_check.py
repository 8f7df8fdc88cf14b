"""Refuse Reflex's event socket from an origin that is not allowed, and say which setting to
change. Socket.IO refuses such an origin too, but the browser then shows only "Cannot connect to
server: websocket error" and the server says nothing an operator can act on."""

from __future__ import annotations

import logging

from starlette.types import ASGIApp, Receive, Scope, Send

from projecthub.core.config import settings

EVENT_PATH = "/_event"  # Reflex's Socket.IO endpoint (reflex_base.constants.Endpoint.EVENT)
HINT = "add the origin to PROJECTHUB_ALLOWED_ORIGINS (comma-separated) on the server"
_REPORTED_LIMIT = 256  # distinct origins logged; the header is client-chosen

log = logging.getLogger("projecthub.origins")


class OriginCheck:
    """ASGI middleware for the event socket (websocket and polling); other paths pass."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._reported: set[str] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        origin = _origin(scope) if scope["type"] in ("http", "websocket") else None
        if origin is None or origin in settings.origins:
            await self.app(scope, receive, send)
            return
        self._report(origin)
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": "origin not allowed"})
            return
        body = f"Origin not allowed: {HINT}.\n".encode()
        await send({"type": "http.response.start", "status": 403,
                    "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def _report(self, origin: str) -> None:
        if origin in self._reported or len(self._reported) >= _REPORTED_LIMIT:
            return
        self._reported.add(origin)
        log.warning("Refused the event socket from origin %r: %s (allowed now: %s).",
                    origin, HINT, ", ".join(settings.origins))


def _origin(scope: Scope) -> str | None:
    """The Origin header of a request to the event socket, if it has one."""
    path: str = scope.get("path", "")
    if path != EVENT_PATH and not path.startswith(EVENT_PATH + "/"):
        return None
    for name, value in scope.get("headers", []):
        if name == b"origin":
            return str(value.decode("latin-1"))
    return None


def with_origin_check(app: ASGIApp) -> ASGIApp:
    """The ``api_transformer`` form."""
    return OriginCheck(app)
