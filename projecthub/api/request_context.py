"""Every request gets an id: the client's ``X-Request-ID`` when it is sane, else a new one. It is
bound to the request's log lines (``core/log_context.py``) and echoed on the response, so a
support request quoting it finds the request's lines. The organization and user are added when
a route resolves who is acting (``services/scoping.act_as``)."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from projecthub.core import log_context

REQUEST_ID_HEADER = "x-request-id"


class RequestContext:
    """ASGI middleware around everything the API app serves (Reflex's pages included)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        given = next((value.decode("latin-1") for name, value in scope.get("headers", ())
                      if name == REQUEST_ID_HEADER.encode()), None)
        request_id = log_context.accepted_request_id(given)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        with log_context.scope(request_id=request_id):
            await self.app(scope, receive, send_with_id)
