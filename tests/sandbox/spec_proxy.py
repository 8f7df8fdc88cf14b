"""The sandbox on a real loopback port behind a spec check, for clients that are not ours.

Third-party clients (``jira``, ``atlassian-python-api``) speak ``requests`` over a socket, so the
check cannot sit in their transport as it does in ours: this ASGI front forwards each request
through :class:`ValidatingTransport` into the sandbox and sends the checked reply back. Jira's
platform v2 (the default of both libraries) has v3's paths and shapes, so a v2 exchange is
checked against the v3 operation of the same path while the sandbox still serves the v2 route.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from projecthub.sandbox import SandboxApp
from tests.connectors.confluence_setup import CONFLUENCE_SPECS
from tests.connectors.jira_setup import JIRA_SPECS
from tests.connectors.validating import ValidatingTransport
from tests.loopback import serve

V2, V3 = "/sandbox/jira/rest/api/2/", "/sandbox/jira/rest/api/3/"
ORIGINAL_PATH = "sandbox_original_path"


class _Restore(httpx.AsyncBaseTransport):
    """Sends a request checked under its v3 twin to the v2 path it was made to."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        original = request.extensions.get(ORIGINAL_PATH)
        if original:
            request.url = request.url.copy_with(raw_path=original)
        return await self.inner.handle_async_request(request)


class SpecCheckedSandbox:
    """ASGI app: every exchange is validated; ``validated`` lists the operations seen."""

    def __init__(self, sandbox: SandboxApp, *, allow_deprecated: frozenset[str]) -> None:
        self.transport = ValidatingTransport(
            _Restore(httpx.ASGITransport(app=sandbox)), (*JIRA_SPECS, *CONFLUENCE_SPECS),
            allow_deprecated=allow_deprecated)
        self.failures: list[str] = []

    @property
    def validated(self) -> list[str]:
        return self.transport.validated

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        raw_path = scope["raw_path"] if scope.get("raw_path") else scope["path"].encode()
        query = scope.get("query_string", b"")
        extensions = {}
        checked_path = raw_path
        if raw_path.startswith(V2.encode()):
            extensions[ORIGINAL_PATH] = raw_path + (b"?" + query if query else b"")
            checked_path = V3.encode() + raw_path[len(V2):]
        url = httpx.URL(str(request.url)).copy_with(
            raw_path=checked_path + (b"?" + query if query else b""))
        outgoing = httpx.Request(request.method, url, headers=request.headers.raw,
                                 content=await request.body(), extensions=extensions)
        try:
            reply = await self.transport.handle_async_request(outgoing)
        except AssertionError as exc:
            self.failures.append(str(exc))
            reply = httpx.Response(599, text=str(exc))
        response = Response(reply.content, status_code=reply.status_code,
                            headers={k: v for k, v in reply.headers.items()
                                     if k.lower() not in ("content-length", "server", "date")})
        await response(scope, receive, send)


@contextmanager
def serve_checked(sandbox: SandboxApp, *,
                  allow_deprecated: frozenset[str] = frozenset()) -> Iterator[
                      tuple[str, SpecCheckedSandbox]]:
    """Yield the base URL the checked sandbox is served at, and the checker."""
    checked = SpecCheckedSandbox(sandbox, allow_deprecated=allow_deprecated)
    with serve(checked) as base:
        yield base, checked
